/**
 * The sockmap bypass against the real kernel: test/bpf/sockops.c and redir.c compiled with clang, attached
 * with the real bpftool in a private mount and network namespace and a child cgroup v2
 * (real-sockmap.sh), the same 1 MB transfer over 127.0.0.1 there and in the lab, and what each moved:
 * /proc/net/snmp, /proc/net/netstat, `ip -s link show lo`, and `bpftool map dump` of a live connection.
 * Skips, saying why, only where this machine cannot run the real side (not root, no bpftool/clang/libbpf,
 * no cgroup2, or a kernel that refuses the programs).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runOnOneHost } from '../../libs/userland/src/testing/one-host';

const HERE = __dirname;

/** Why the real side cannot run here, or undefined. */
function probe(): string | undefined {
  if (process.platform !== 'linux') return `this is ${process.platform}, not Linux`;
  if (process.getuid?.() !== 0) return 'not root: loading BPF programs and unshare need CAP_SYS_ADMIN';
  for (const [tool, pkg] of [
    ['bpftool', 'bpftool'],
    ['clang', 'clang'],
    ['nc', 'netcat-openbsd'],
    ['unshare', 'util-linux'],
  ])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `${tool} is missing (${pkg}: bash tools/ensure-os-packages.sh)`;
  if (!fs.existsSync('/usr/include/bpf/bpf_helpers.h')) return 'libbpf-dev is missing (bpf/bpf_helpers.h)';
  return undefined;
}

type Counters = Record<string, number>;

/** "Group: names" / "Group: values" line pairs (snmp, netstat) as Group.Name → value. */
function pairs(text: string): Counters {
  const out: Counters = {};
  const lines = text.trim().split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i].split(' ');
    const b = lines[i + 1].split(' ');
    if (a[0] !== b[0] || !/^\d/.test(b[1] ?? '')) continue;
    a.slice(1).forEach((n, j) => (out[a[0].replace(':', '.') + n] = Number(b[j + 1])));
    i++;
  }
  return out;
}

/** `ip -s link show lo`'s RX and TX packets. */
function link(text: string): Counters {
  const m = text.match(/RX: .*\n\s+(\d+)\s+(\d+).*\n\s+TX: .*\n\s+(\d+)\s+(\d+)/);
  return m
    ? { 'lo.rx_bytes': +m[1], 'lo.rx_packets': +m[2], 'lo.tx_bytes': +m[3], 'lo.tx_packets': +m[4] }
    : {};
}

function delta(a: Counters, b: Counters): Counters {
  const d: Counters = {};
  for (const k of Object.keys(b)) if (b[k] !== a[k]) d[k] = b[k] - (a[k] ?? 0);
  return d;
}

/** The sections (=== NAME) a run printed. */
function sections(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of text.split(/^=== /m).slice(1)) {
    const nl = part.indexOf('\n');
    m.set(part.slice(0, nl), part.slice(nl + 1));
  }
  return m;
}

/** What a transfer moved, from a run's sections `snmp X`, `netstat X`, `link X`. */
function moved(s: Map<string, string>, before: string, after: string): Counters {
  return {
    ...delta(pairs(s.get(`snmp ${before}`)!), pairs(s.get(`snmp ${after}`)!)),
    ...delta(pairs(s.get(`netstat ${before}`)!), pairs(s.get(`netstat ${after}`)!)),
    ...delta(link(s.get(`link ${before}`)!), link(s.get(`link ${after}`)!)),
  };
}

/** map dump's entries, sorted (the kernel's hash walks them in an order seeded at random per map). */
function dumpEntries(text: string): string[] {
  return text
    .split(/(?=^key:)/m)
    .filter((e) => e.startsWith('key:'))
    .map((e) => e.replace(/\nFound \d+ elements?\n?$/, '').trim())
    .sort();
}

const why = probe();
const maybe = why ? it.skip : it;
if (why) console.warn(`sockmap real-kernel check skipped: ${why}`);

describe('sockmap bypass against the real kernel', () => {
  let real: Map<string, string>;
  let lab: Map<string, string>;

  beforeAll(async () => {
    if (why) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-sockmap-'));
    const r = spawnSync(
      'unshare',
      ['-m', '-n', '--propagation', 'private', 'bash', path.join(HERE, 'real-sockmap.sh'), dir],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    real = sections(r.stdout);
    const fail = [...real.keys()].find((k) => k.startsWith('FAIL'));
    if (fail || !real.has('done'))
      throw new Error(`the real side failed (${fail ?? 'no end'}):\n${r.stdout}\n${r.stderr}`);
    const counters = (n: string) =>
      `echo === snmp ${n}\ncat /proc/net/snmp\necho === netstat ${n}\ncat /proc/net/netstat\necho === link ${n}\nip -s link show lo\n`;
    const map = '/sys/fs/bpf/sock_ops_map';
    const o = await runOnOneHost(
      `bpftool map create ${map} type sockhash key 16 value 4 entries 65535 name sock_ops_map
bpftool prog load /usr/lib/skblab/bpf/sockops.o /sys/fs/bpf/bpf_sockops map name sock_ops_map pinned ${map}
bpftool prog load /usr/lib/skblab/bpf/redir.o /sys/fs/bpf/bpf_redir map name sock_ops_map pinned ${map}
bpftool cgroup attach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_sockops
bpftool prog attach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned ${map}
${counters('before')}iperf -s &
iperf -c 127.0.0.1 -n 1M
wait
${counters('after')}nc -l 127.0.0.1 6000 &
nc -p 40000 127.0.0.1 6000 &
sleep 0.1
echo === dump
bpftool map dump pinned ${map}
bpftool prog detach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned ${map}
bpftool cgroup detach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_sockops
${counters('detached-before')}iperf -s -p 5002 &
iperf -c 127.0.0.1 -p 5002 -n 1M
wait
${counters('detached-after')}echo === done
`,
    );
    lab = sections(o.out);
    if (!lab.has('done')) throw new Error(`the lab side did not finish:\n${o.out}\n${o.err}`);
  }, 180_000);

  maybe(
    'the 1 MB moves no segment: only the handshake and the close go through TCP/IP and lo, in both',
    () => {
      const r = moved(real, 'before', 'after');
      const l = moved(lab, 'before', 'after');
      expect(real.get('received bypass')!.trim()).toBe('1048576');
      for (const c of [r, l]) {
        // 3 for the handshake, 3 or 4 for the two FINs (the real receiver may not have read the 1 MB when the
        // FIN comes: its rmem holds the ingress_msg bytes, so the FIN is pruned and sent again).
        expect(c['Tcp.OutSegs']).toBeGreaterThanOrEqual(6);
        expect(c['Tcp.OutSegs']).toBeLessThanOrEqual(8);
        expect(c['lo.tx_packets']).toBe(c['Tcp.OutSegs']);
        expect(c['IpExt.OutOctets']).toBeLessThan(1000);
        expect(c['Tcp.ActiveOpens']).toBe(1);
        expect(c['Tcp.PassiveOpens']).toBe(1);
      }
      // The same Ip and Tcp counters moved.
      const ipTcp = (c: Counters) =>
        Object.keys(c)
          .filter((k) => /^(Ip|Tcp)\./.test(k))
          .sort();
      expect(ipTcp(l)).toEqual(ipTcp(r));
    },
  );

  maybe('bpftool map dump of a live connection prints what the real one prints', () => {
    expect(dumpEntries(lab.get('dump')!)).toEqual(dumpEntries(real.get('dump')!));
    expect(lab.get('dump')!.trim().split('\n').pop()).toBe(real.get('dump')!.trim().split('\n').pop());
  });

  maybe('detached, the next 1 MB goes through TCP/IP and lo again, in both', () => {
    const r = moved(real, 'detached-before', 'detached-after');
    const l = moved(lab, 'detached-before', 'detached-after');
    expect(real.get('received detached')!.trim()).toBe('1048576');
    for (const c of [r, l]) {
      expect(c['IpExt.InOctets']).toBeGreaterThan(1048576);
      expect(c['Tcp.InSegs']).toBeGreaterThan(20);
      expect(c['lo.rx_bytes']).toBeGreaterThan(1048576);
    }
  });
});
