/**
 * bpftool and the sockmap bypass in a one-host lab: the commands' output and errors (as bpftool v7.1 prints
 * them on Debian 12), and what a 1 MB transfer over 127.0.0.1 does with the bypass attached and after it
 * is detached. The real-kernel counterpart is test/bpf/sockmap.e2e-spec.ts.
 */
import { AF_INET, EACCES, MSG_PEEK, SOCK_STREAM, TCP_MIB } from '@skblab/kernel';
import { Task } from '@skblab/runtime';
import { runScript } from '@skblab/shell';
import { oneHost, runOnOneHost } from './testing/one-host';

const MAP = '/sys/fs/bpf/sock_ops_map';
export const BYPASS_ON = `bpftool map create ${MAP} type sockhash key 16 value 4 entries 65535 name sock_ops_map
bpftool prog load /usr/lib/skblab/bpf/sockops.o /sys/fs/bpf/bpf_sockops map name sock_ops_map pinned ${MAP}
bpftool prog load /usr/lib/skblab/bpf/redir.o /sys/fs/bpf/bpf_redir map name sock_ops_map pinned ${MAP}
bpftool cgroup attach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_sockops
bpftool prog attach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned ${MAP}
`;
const BYPASS_OFF = `bpftool prog detach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned ${MAP}
bpftool cgroup detach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_sockops
`;

/** "Group: names" / "Group: values" rows of /proc/net/snmp text as Group.Name → value. */
function snmp(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n').filter((l) => /^(Ip|Tcp): /.test(l));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [g, ...names] = lines[i].split(' ');
    const values = lines[i + 1].split(' ').slice(1).map(Number);
    names.forEach((n, j) => (out[g.replace(':', '') + '.' + n] = values[j]));
  }
  return out;
}

/** The counters a transfer moved: snmp before and after, split by a marker line. */
function moved(out: string, marker: string): Record<string, number> {
  const [a, b] = out.split(marker);
  const before = snmp(a.slice(a.lastIndexOf('Ip: Forwarding')));
  const after = snmp(b.slice(b.indexOf('Ip: Forwarding')));
  const d: Record<string, number> = {};
  for (const k of Object.keys(after)) if (after[k] !== before[k]) d[k] = after[k] - before[k];
  return d;
}

describe('bpftool', () => {
  it('sets the bypass up and shows it as bpftool does', async () => {
    const r = await runOnOneHost(
      BYPASS_ON + 'bpftool prog show\nbpftool map show\nbpftool cgroup show /sys/fs/cgroup\n',
    );
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toBe(
      '1: sock_ops  name bpf_sockops  tag c6d531ab3dc1a8a4  gpl\n' +
        '\tloaded_at 1970-01-01T00:00:00+0000  uid 0\n' +
        '\txlated 264B  jited 163B  memlock 4096B  map_ids 1\n' +
        '\tbtf_id 1\n' +
        '2: sk_msg  name bpf_redir  tag c1115a7217afa951  gpl\n' +
        '\tloaded_at 1970-01-01T00:00:00+0000  uid 0\n' +
        '\txlated 168B  jited 113B  memlock 4096B  map_ids 1\n' +
        '\tbtf_id 2\n' +
        '1: sockhash  name sock_ops_map  flags 0x0\n' +
        '\tkey 16B  value 4B  max_entries 65535  memlock 1048960B\n' +
        'ID       AttachType      AttachFlags     Name           \n' +
        '1        cgroup_sock_ops                 bpf_sockops                    \n',
    );
  });

  it('with the bypass, 1 MB over 127.0.0.1 moves no Ip or Tcp counter for the data; skbtrace shows the redirect', async () => {
    const r = await runOnOneHost(
      BYPASS_ON +
        'cat /proc/net/snmp\nip -s link show lo\necho MARK\niperf -s &\niperf -c 127.0.0.1 -n 1M\nwait\n' +
        'cat /proc/net/snmp\nip -s link show lo\nskbtrace -n 500\n',
    );
    expect(r.err).toBe('');
    // Both ends report the 1 MB: the client sent it and the server read all of it from ingress_msg.
    expect(r.out.match(/ 1\.00 MBytes /g)).toHaveLength(2);
    // The handshake (3) and the two FINs with their ACK (3): the 1 MB itself moved nothing. The real kernel
    // moved exactly these (test/bpf/sockmap.e2e-spec.ts).
    expect(moved(r.out, 'MARK')).toEqual({
      'Ip.InReceives': 6,
      'Ip.InDelivers': 6,
      'Ip.OutRequests': 6,
      'Ip.OutTransmits': 6,
      'Tcp.ActiveOpens': 1,
      'Tcp.PassiveOpens': 1,
      'Tcp.InSegs': 6,
      'Tcp.OutSegs': 6,
    });
    expect(r.out.split('MARK')[1]).toMatch(/RX: +bytes.*\n +328 +6 /);
    for (const fn of [
      'bpf_skops_established',
      'sock_hash_update_common',
      '__cgroup_bpf_run_filter_sock_ops',
      'tcp_bpf_sendmsg',
      'bpf_msg_redirect_hash',
      'sk_psock_msg_verdict',
      'tcp_bpf_send_verdict',
      'tcp_bpf_sendmsg_redir',
      'bpf_tcp_ingress',
      'tcp_bpf_recvmsg',
      'sk_msg_recvmsg',
    ])
      expect(r.out).toContain(` ${fn} `);
    // The sk_msg journeys carry no IP header and never reach a device.
    const msgLines = r.out.split('\n').filter((l) => / (tcp_bpf_sendmsg|bpf_tcp_ingress) /.test(l));
    expect(msgLines.length).toBeGreaterThan(0);
    for (const l of msgLines) expect(l).toMatch(/ 0 +0x0000 /);
    expect(r.out).toMatch(/__SK_REDIRECT to the ingress of iperf's socket/);
  });

  it('map dump lists both ends of a live connection; their values cannot be read with a 4-byte value', async () => {
    const r = await runOnOneHost(
      BYPASS_ON +
        `nc -l 127.0.0.1 6000 &\nnc -p 40000 127.0.0.1 6000 &\nsleep 0.1\nbpftool map dump pinned ${MAP}\n`,
    );
    expect(r.out).toBe(
      'key:\n7f 00 00 01 7f 00 00 01  40 9c 00 00 70 17 00 00\nvalue:\nNo space left on device\n' +
        'key:\n7f 00 00 01 7f 00 00 01  70 17 00 00 40 9c 00 00\nvalue:\nNo space left on device\n' +
        'Found 0 elements\n',
    );
  });

  it('detaching restores the normal path for new connections', async () => {
    const r = await runOnOneHost(
      BYPASS_ON +
        BYPASS_OFF +
        'bpftool cgroup show /sys/fs/cgroup\ncat /proc/net/snmp\necho MARK\niperf -s &\niperf -c 127.0.0.1 -n 1M\nwait\ncat /proc/net/snmp\nskbtrace -n 2000\n',
    );
    expect(r.err).toBe('');
    const d = moved(r.out, 'MARK');
    // 1 MB in 32 KB segments and their ACKs: the data went through TCP/IP and lo again.
    expect(d['Tcp.OutSegs']).toBeGreaterThan(32);
    expect(d['Tcp.InSegs']).toBeGreaterThan(32);
    expect(r.out).not.toContain('tcp_bpf_sendmsg');
    expect(r.out).not.toContain('bpf_skops_established');
    expect(r.out).toContain(' tcp_sendmsg_locked ');
  });

  it('says what it cannot do, with bpftool errors and statuses', async () => {
    const cases: Array<[string, string, number]> = [
      [
        'bpftool prog load /tmp/x.o /sys/fs/bpf/x',
        'libbpf: elf: failed to open /tmp/x.o: No such file or directory\nError: failed to open object file\n',
        255,
      ],
      [
        'echo hi > /tmp/mine.o\nbpftool prog load /tmp/mine.o /sys/fs/bpf/x',
        "libbpf: elf: '/tmp/mine.o' is not a proper ELF object\n" +
          'skblab: arbitrary BPF bytecode is out of scope: the lab runs only the programs it ships (/usr/lib/skblab/bpf/sockops.o, /usr/lib/skblab/bpf/redir.o)\n' +
          'Error: failed to open object file\n',
        255,
      ],
      [
        `bpftool map create ${MAP} type sockhash key 16 value 3 entries 8 name m`,
        'Error: map create failed: Invalid argument\n',
        255,
      ],
      [
        `bpftool map create /sys/fs/bpf/m type sockmap key 16 value 4 entries 4 name m`,
        'Error: map create failed: Invalid argument\n',
        255,
      ],
      [
        'bpftool map create /sys/fs/bpf/m type bogus key 4 value 4 entries 4 name m',
        'Error: unrecognized map type: bogus\n',
        255,
      ],
      [
        'bpftool map create /sys/fs/bpf/m type sockhash key 4 value 4',
        'Error: map name not specified\n',
        255,
      ],
      [
        'bpftool map dump pinned /sys/fs/bpf/nope',
        'Error: bpf obj get (/sys/fs/bpf/nope): No such file or directory\n',
        255,
      ],
      [
        `bpftool map create ${MAP} type sockhash key 16 value 4 entries 8 name m\nbpftool map create ${MAP} type sockhash key 16 value 4 entries 8 name m`,
        `Error: can't pin the object (${MAP}): File exists\n`,
        239,
      ],
      ['bpftool cgroup show', "Error: 'show' needs at least 1 arguments, 0 found\n", 255],
      ['bpftool cgroup', "Error: 'cgroup' needs at least 1 arguments, 0 found\n", 255],
      [
        'bpftool cgroup show /sys/fs/cgroup extra',
        "Error: expected no more arguments, 'effective', got: 'extra'?\n",
        255,
      ],
    ];
    for (const [script, err, status] of cases) {
      const r = await runOnOneHost(script + '\n');
      expect({ script, err: r.err, status: r.status }).toEqual({ script, err, status });
    }
    const r = await runOnOneHost(
      BYPASS_ON +
        BYPASS_OFF +
        `bpftool prog detach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned ${MAP}\necho $?\n` +
        'bpftool cgroup detach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_sockops\necho $?\n' +
        'bpftool cgroup attach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_redir\necho $?\n' +
        `bpftool prog attach pinned /sys/fs/bpf/bpf_sockops msg_verdict pinned ${MAP}\necho $?\n` +
        `bpftool prog show pinned ${MAP}\necho $?\n`,
    );
    expect(r.out).toBe('234\n255\n255\n234\n255\n');
    expect(r.err).toBe(
      'Error: failed prog detach from map\nError: failed to detach program\nError: failed to attach program\n' +
        'Error: failed prog attach to map\nError: incorrect object type: map\n',
    );
  });

  it('prints what bpftool v7.1 prints for short attach commands, pins over a name and unknown maps', async () => {
    const warning =
      'Warning: bpftool is now running in libbpf strict mode and has more stringent requirements about BPF programs.\n' +
      "If it used to work for this object file but now doesn't, see --legacy option for more details.\n\n";
    const r = await runOnOneHost(
      BYPASS_ON +
        'bpftool prog attach pinned /sys/fs/bpf/bpf_redir\necho $?\n' +
        'bpftool prog attach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned\necho $?\n' +
        'bpftool prog load /usr/lib/skblab/bpf/redir.o /sys/fs/bpf/bpf_redir\necho $?\n' +
        'bpftool prog loadall /usr/lib/skblab/bpf/redir.o /sys/fs/bpf/all\necho $?\n' +
        'bpftool prog loadall /usr/lib/skblab/bpf/redir.o /sys/fs/bpf/all\necho $?\n' +
        `bpftool prog load /usr/lib/skblab/bpf/redir.o /sys/fs/bpf/x map name nope pinned ${MAP}\necho $?\n` +
        'bpftool cgroup detach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_sockops multi\necho $?\n' +
        'bpftool\necho $?\n',
    );
    expect(r.out).toBe('234\n234\n255\n0\n255\n255\n0\n0\n');
    expect(r.err).toBe(
      "Error: 'attach' needs at least 3 arguments, 2 found\n" +
        "Error: 'msg_verdict' needs at least 2 arguments, 1 found\n" +
        'Error: failed to pin program sk_msg\n' +
        warning +
        "libbpf: prog 'bpf_redir': failed to pin at '/sys/fs/bpf/all/bpf_redir': File exists\n" +
        'Error: failed to pin all programs\n' +
        warning +
        "Error: unable to find map 'nope'\n" +
        warning +
        'Usage: bpftool [OPTIONS] OBJECT { COMMAND | help }\n' +
        '       bpftool batch file FILE\n' +
        '       bpftool version\n\n' +
        '       OBJECT := { prog | map | link | cgroup | perf | net | feature | btf | gen | struct_ops | iter }\n' +
        '       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} |\n' +
        '                    {-V|--version} }\n',
    );
  });

  it('a socket in the map: partial and peeked reads, unread bytes freed at close, EACCES once the peer left', async () => {
    // What the real kernel does with the same two programs (python sockets in a namespace, 6.x): rmem 11 while
    // unread, the reads below, send of 0 bytes is 0, EACCES after the peer's close, EOF, and Tcp In/OutSegs +2
    // each (the FIN and its ACK), no RST.
    const t = oneHost();
    expect(await runScript(t.shell, BYPASS_ON)).toBe(0);
    const { lab, host } = t;
    const net = host.initNet;
    const server = new Task(lab, host, net, 'server', 0);
    const client = new Task(lab, host, net, 'client', 1);
    const lfd = server.socket(AF_INET, SOCK_STREAM, 0);
    expect(server.bind(lfd, 0x7f000001, 7000) || server.listen(lfd, 5)).toBe(0);
    const cfd = client.socket(AF_INET, SOCK_STREAM, 0);
    expect(await lab.drive(client.connectWait(cfd, 0x7f000001, 7000))).toBe(0);
    const acc = await lab.drive(server.accept(lfd));
    if (typeof acc === 'number') throw new Error(`accept: ${acc}`);
    const afd = acc.fd;
    const ssk = server.tcpSockOf(afd)!;
    const seg = () => [TCP_MIB.InSegs, TCP_MIB.OutSegs, TCP_MIB.OutRsts].map((i) => net.mib.tcp[i]);
    const before = seg();
    const enc = (x: string) => new TextEncoder().encode(x);
    const text = (x: Uint8Array | number) => (typeof x === 'number' ? x : new TextDecoder().decode(x));

    expect(await lab.drive(client.send(cfd, enc('hello world')))).toBe(11);
    expect(ssk.psock?.msgTotLen).toBe(11);
    expect(ssk.rmemAlloc).toBe(11);
    expect(text(await lab.drive(server.recv(afd, 5, MSG_PEEK)))).toBe('hello');
    expect(text(await lab.drive(server.recv(afd, 5)))).toBe('hello');
    expect(text(await lab.drive(server.recv(afd, 100)))).toBe(' world');
    expect(ssk.rmemAlloc).toBe(0);
    expect(await lab.drive(client.send(cfd, new Uint8Array(0)))).toBe(0);
    expect(await lab.drive(client.send(cfd, enc('unread bytes')))).toBe(12);
    expect(ssk.rmemAlloc).toBe(12);

    server.close(afd);
    // sock_map_close: out of the map, tcp_prot back, the unread bytes' receive memory given back.
    expect(ssk.psock).toBeNull();
    expect(ssk.skProt).toBeNull();
    expect(ssk.rmemAlloc).toBe(0);
    // The peer is no longer in the map: bpf_msg_redirect_hash finds nothing, SK_DROP, EACCES.
    expect(await lab.drive(client.send(cfd, enc('x')))).toBe(-EACCES);
    expect(text(await lab.drive(client.recv(cfd, 100)))).toBe('');
    // The client's ACK of the FIN (in the lab's time, as the real test's sleep 0.1).
    expect(await runScript(t.shell, 'sleep 0.1\n')).toBe(0);
    const after = seg();
    expect(after.map((v, i) => v - before[i])).toEqual([2, 2, 0]);
  });
});
