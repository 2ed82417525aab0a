/**
 * Several hosts joined by wires, through the CLI as a user runs it: the default topology's cross-machine
 * ping (qdisc, TX ring, wire, hard IRQ, NAPI on host2, and back), traceroute across two routers, a
 * 3000-byte ping fragmented over 1500-byte wires, and topology files with mistakes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'skblab');

function skblab(args: string[], input: string): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The FUNC column of each trace line of one skb (by the last hex digits of its id). */
function funcsOf(trace: string, id: string): string[] {
  return trace
    .split('\n')
    .filter((l) => l.startsWith(`0xffff88800000000${id} `))
    .map((l) => l.split(/\s+/)[8]);
}

describe('the default topology: host1 and host2 on a wire', () => {
  const r = skblab(['shell', 'host1'], 'ping -c 1 192.168.1.2\nskbtrace\ncat /proc/net/dev\n');

  it('pings host2 across the wire', () => {
    expect(r.err).toBe('');
    expect(r.out).toContain('64 bytes from 192.168.1.2: icmp_seq=1 ttl=64');
    expect(r.out).toContain('1 packets transmitted, 1 received, 0% packet loss');
  });

  it('shows the request leave through the qdisc, the TX ring and the wire', () => {
    // skb 1 is the echo request (it waits on arp_queue while 2..5 are the ARP exchange).
    const req = funcsOf(r.out, '1');
    const order = [
      '__dev_queue_xmit',
      '__dev_xmit_skb',
      'sch_direct_xmit',
      'igb_xmit_frame',
      'hw:wire',
      'igb_msix_ring',
      'igb_clean_tx_irq',
      'napi_consume_skb',
    ];
    let at = -1;
    for (const f of order) {
      const i = req.indexOf(f, at + 1);
      expect([f, i >= 0]).toEqual([f, true]);
      at = i;
    }
  });

  it('shows it arrive on host2 by interrupt and NAPI poll, and the reply come back the same way', () => {
    const rx = funcsOf(r.out, '6');
    expect(rx.slice(0, 5)).toEqual([
      'hw:rx_dma',
      'igb_msix_ring',
      'net_rx_action',
      'igb_poll',
      'igb_clean_rx_irq',
    ]);
    expect(rx).toEqual(expect.arrayContaining(['napi_gro_receive', 'ip_list_rcv', 'icmp_echo']));
    const reply = funcsOf(r.out, '7');
    expect(reply).toEqual(
      expect.arrayContaining(['icmp_push_reply', '__dev_xmit_skb', 'igb_xmit_frame', 'hw:wire']),
    );
    const back = funcsOf(r.out, '8');
    expect(back.slice(0, 2)).toEqual(['hw:rx_dma', 'igb_msix_ring']);
    expect(back).toEqual(expect.arrayContaining(['igb_poll', 'ip_list_rcv', 'ping_rcv']));
  });

  it("counts the NIC's frames as igb does: ring bytes with the Ethernet header, the ARP reply padded to 60", () => {
    const eth0 = r.out.split('\n').find((l) => /^\s*eth0:/.test(l))!;
    const [rxBytes, rxPackets, , , , , , , txBytes, txPackets] = eth0
      .split(':')[1]
      .trim()
      .split(/\s+/)
      .map(Number);
    // Out: ARP request (42) and echo request (98). In: ARP reply (60 on the wire) and echo reply (98).
    expect({ rxBytes, rxPackets, txBytes, txPackets }).toEqual({
      rxBytes: 158,
      rxPackets: 2,
      txBytes: 140,
      txPackets: 2,
    });
  });
});

describe('two routers', () => {
  it('traceroute prints each hop as traceroute(8) does', () => {
    const r = skblab(
      ['shell', '-f', path.join(ROOT, 'examples', 'two-routers.yaml'), 'host1'],
      'traceroute -n 192.168.2.1\n',
    );
    expect(r.err).toBe('');
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('traceroute to 192.168.2.1 (192.168.2.1), 30 hops max, 60 byte packets');
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual([
      ['1', '192.168.1.254'],
      ['2', '10.0.12.2'],
      ['3', '192.168.2.1'],
    ]);
  });

  it('a 3000-byte ping across 1500-byte wires is fragmented and reassembled', () => {
    const r = skblab(
      ['shell', '-f', path.join(ROOT, 'examples', 'two-routers.yaml'), 'host1'],
      'ping -c 1 -s 3000 192.168.2.1\ncat /proc/net/snmp\n',
    );
    expect(r.out).toContain('3008 bytes from 192.168.2.1: icmp_seq=1 ttl=62');
    const ip = r.out.split('\n').filter((l) => l.startsWith('Ip: '));
    const head = ip[0].split(/\s+/);
    const vals = ip[1].split(/\s+/);
    const v = (k: string): number => Number(vals[head.indexOf(k)]);
    // The request leaves as 3 fragments; the reply comes back as 3 and is reassembled.
    expect([v('FragCreates'), v('FragOKs'), v('ReasmReqds'), v('ReasmOKs')]).toEqual([3, 1, 3, 1]);
  });
});

describe('a topology file with a mistake', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-topo-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('names the line and column and says what was expected', () => {
    const f = write('bad.yaml', 'hosts:\n  host1:\n    cpus: two\n');
    const r = skblab(['shell', '-f', f], '');
    expect(r.status).toBe(1);
    expect(r.err).toBe(`${f}:3:11: hosts.host1.cpus: expected an integer from 1 to 64, got 'two'\n`);
  });

  it('a route the kernel refuses at boot is reported where the file wrote it', () => {
    const f = write('route.yaml', 'hosts:\n  host1:\n    routes:\n      - 10.9.0.0/16 via 10.1.1.1\n');
    const r = skblab(['shell', '-f', f], 'echo never\n');
    expect(r.status).toBe(1);
    expect(r.out).not.toContain('never');
    expect(r.err).toMatch(
      new RegExp(
        `^${f.replace(/[.]/g, '\\.')}:4:9: host1: 'ip route add 10.9.0.0/16 via 10.1.1.1' failed: Error: Nexthop has invalid gateway\\.\n$`,
      ),
    );
  });

  it('a missing file', () => {
    const r = skblab(['shell', '-f', path.join(dir, 'nope.yaml')], '');
    expect(r.status).toBe(1);
    expect(r.err).toContain('No such file or directory');
  });
});

describe('a reader that goes away', () => {
  it('stops the shell at its next write, quietly, with the status SIGPIPE gives (128+13)', () => {
    // What `skblab shell < script | head -2` does: head reads two lines and closes the pipe.
    const pipeline = `printf 'ping -c 100000 192.168.1.2\\n' | "${process.execPath}" "${BIN}" shell | head -2`;
    const r = spawnSync('bash', ['-c', `${pipeline}; echo "skblab's status: \${PIPESTATUS[1]}"`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout.split('\n')).toEqual([
      'PING 192.168.1.2 (192.168.1.2) 56(84) bytes of data.',
      expect.stringMatching(/^64 bytes from 192\.168\.1\.2: icmp_seq=1 /),
      "skblab's status: 141",
      '',
    ]);
    expect(r.stderr).toBe('');
  });

  it('on stderr too: bash would die writing its next error there', () => {
    const script = 'nosuch\\n'.repeat(3000);
    const pipeline = `printf '${script}' | "${process.execPath}" "${BIN}" shell 2>&1 >/dev/null | head -1`;
    const r = spawnSync('bash', ['-c', `${pipeline}; echo "skblab's status: \${PIPESTATUS[1]}"`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).toBe("bash: nosuch: command not found\nskblab's status: 141\n");
    expect(r.stderr).toBe('');
  });
});
