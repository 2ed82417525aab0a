/**
 * traceroute (traceroute 2.1.2, its default UDP method): one UDP socket per probe with IP_RECVERR, the TTL
 * set per hop, destination ports from 33434 up, up to 16 probes in flight (-N), 3 per hop (-q); a time
 * exceeded names a hop, and the destination's port unreachable ends the trace. Output as traceroute(8):
 *
 *   traceroute to 10.0.1.2 (10.0.1.2), 30 hops max, 60 byte packets
 *    1  10.0.0.2  0.031 ms  0.012 ms  0.011 ms
 *    2  10.0.1.2  0.045 ms  0.019 ms  0.018 ms
 *
 * There is no resolver in a lab: without -n an address prints as "addr (addr)".
 */
import { AF_INET, SOCK_DGRAM } from '@skblab/kernel';
import type { Task } from '@skblab/runtime';
import { ipv4ToString, parseIpv4 } from '@skblab/wire/address';
import { NSEC_PER_SEC, type Command } from './command';

const USAGE =
  'Usage:\n  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]\n';

interface Probe {
  ttl: number;
  fd: number;
  sent: number;
  /** Arrival time of the answer, or -1. */
  recv: number;
  addr: number;
  annot: string;
  final: boolean;
  done: boolean;
}

/** What traceroute appends for an ICMP unreachable (traceroute.c, parse_icmp_res). */
function annotation(type: number, code: number): string {
  if (type !== 3) return '';
  const marks: Record<number, string> = {
    0: '!N',
    1: '!H',
    2: '!P',
    4: '!F',
    5: '!S',
    13: '!X',
    14: '!V',
    15: '!C',
  };
  return code === 3 ? '' : (marks[code] ?? `!<${code}>`);
}

export const traceroute: Command = async (ctx) => {
  const args = ctx.argv.slice(1);
  let numeric = false;
  let maxHops = 30;
  let firstHop = 1;
  let nprobes = 3;
  let simProbes = 16;
  let port = 33434;
  let wait = [5, 3, 10];
  let tos = 0;
  const positional: string[] = [];
  const num = (opt: string, v: string | undefined, min: number, max: number): number | null => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      ctx.err(`Cannot handle \`${opt}' option with arg \`${v ?? ''}' (argc ${args.length})\n`);
      return null;
    }
    return Number(v);
  };
  // The numeric options: their range, and what they set.
  const NUMERIC: Record<string, [number, number, (v: number) => void]> = {
    '-m': [1, 255, (v) => (maxHops = v)],
    '-f': [1, 255, (v) => (firstHop = v)],
    '-q': [1, 10, (v) => (nprobes = v)],
    '-N': [1, 1000, (v) => (simProbes = v)],
    '-p': [1, 65535, (v) => (port = v)],
    '-t': [0, 4294967295, (v) => (tos = v)], // IP_TOS keeps the low byte
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const opt = NUMERIC[a];
    if (a === '-n') numeric = true;
    else if (opt) {
      const v = num(a, args[++i], opt[0], opt[1]);
      if (v === null) return 2;
      opt[2](v);
    } else if (a === '-w') {
      const w = (args[++i] ?? '').split(/[,/]/).map(Number);
      if (!w.length || w.some((x) => !Number.isFinite(x) || x < 0)) {
        ctx.err(`Cannot handle \`-w' option with arg \`${args[i] ?? ''}' (argc ${args.length})\n`);
        return 2;
      }
      wait = [w[0], w[1] ?? wait[1], w[2] ?? wait[2]];
    } else if (a === '--help') {
      ctx.out(USAGE);
      return 0;
    } else if (a.startsWith('-') && a.length > 1) {
      ctx.err(`Bad option \`${a}' (argc ${i + 1})\n`);
      return 2;
    } else positional.push(a);
  }
  if (!positional.length) {
    ctx.err(USAGE);
    return 2;
  }
  const host = positional[0];
  const dst = parseIpv4(host);
  if (dst === null) {
    ctx.err(
      `${host}: Name or service not known\nCannot handle "host" cmdline arg \`${host}' on position 1 (argc ${args.length})\n`,
    );
    return 2;
  }
  const packetLen = Math.max(28, positional[1] !== undefined ? Number(positional[1]) : 60);
  if (firstHop > maxHops) {
    ctx.err(`first hop out of range\n`);
    return 2;
  }
  const task: Task = ctx.task('traceroute');
  const lab = ctx.lab;
  const data = new Uint8Array(packetLen - 28).map((_, i) => 0x40 + (i % 0x40));
  const header = `traceroute to ${host} (${ipv4ToString(dst)}), ${maxHops} hops max, ${packetLen} byte packets`;
  const fmt = (addr: number) =>
    numeric ? ipv4ToString(addr) : `${ipv4ToString(addr)} (${ipv4ToString(addr)})`;

  let out = header;
  const probes: Probe[] = [];
  let start = (firstHop - 1) * nprobes;
  let end = maxHops * nprobes;
  let lastAddr = -1;
  try {
    while (start < end) {
      // Send while fewer than -N probes are out (traceroute.c, do_it).
      let inFlight = probes.slice(start).filter((p) => p && !p.done).length;
      for (let n = start; n < end && inFlight < simProbes; n++) {
        if (probes[n]) continue;
        const fd = task.socket(AF_INET, SOCK_DGRAM, 0);
        task.setsockopt(fd, 'recverr', 1);
        const ttl = Math.floor(n / nprobes) + 1;
        task.setsockopt(fd, 'ttl', ttl);
        if (tos) task.setsockopt(fd, 'tos', tos);
        const c = task.connect(fd, dst, port + n);
        if (c < 0) {
          // traceroute flushes its header before the first probe, then perror()s.
          ctx.out(out.length === header.length ? header + '\n' : out + '\n');
          ctx.err(`connect: ${c === -101 ? 'Network is unreachable' : `error ${-c}`}\n`);
          return 1;
        }
        const sent = lab.now();
        const r = task.sendto(fd, data, null, 0);
        if (r < 0 && r !== -111) {
          ctx.out(out + '\n');
          ctx.err(`send: error ${-r}\n`);
          return 1;
        }
        probes[n] = { ttl, fd, sent, recv: -1, addr: 0, annot: '', final: false, done: false };
        inFlight++;
      }
      // On one Linux box the whole path of a probe (through the other namespaces too) runs before sendto
      // returns; across wires the answers to a burst take microseconds, less than the real traceroute
      // spends sending it, so they are all there when it next looks. In distributed mode the probes are
      // under way in the services. Either way: let what is in flight land first.
      await lab.landInFlight();
      // Answers that arrived.
      for (let n = start; n < end; n++) {
        const p = probes[n];
        if (!p || p.done) continue;
        const e = task.recvErr(p.fd);
        if (!e) continue;
        p.done = true;
        p.recv = e.tstamp;
        p.addr = e.offender;
        p.annot = annotation(e.type, e.code);
        p.final = e.type === 3 || e.offender === dst;
        if (p.final) end = Math.min(end, p.ttl * nprobes);
      }
      // Probes that waited long enough: MAX, or HERE times an answer of the same hop, or NEAR times a later
      // hop's (traceroute.c, get_timeout).
      const now = lab.now();
      let nextExpiry = Infinity;
      for (let n = start; n < end; n++) {
        const p = probes[n];
        if (!p || p.done) continue;
        let limit = wait[0] * NSEC_PER_SEC;
        for (let m = 0; m < probes.length; m++) {
          const q = probes[m];
          if (!q || q.recv < 0) continue;
          const rtt = q.recv - q.sent;
          if (q.ttl === p.ttl && wait[1]) limit = Math.min(limit, wait[1] * rtt);
          else if (q.ttl > p.ttl && wait[2]) limit = Math.min(limit, wait[2] * rtt);
        }
        if (p.sent + limit <= now) p.done = true;
        else nextExpiry = Math.min(nextExpiry, p.sent + limit);
      }
      // Print, in order, the probes that are done.
      while (start < end && probes[start]?.done) {
        const p = probes[start];
        if (start % nprobes === 0) {
          out += `\n${String(p.ttl).padStart(2)} `;
          lastAddr = -1;
        }
        if (p.recv < 0) out += ' *';
        else {
          if (p.addr !== lastAddr) out += ` ${fmt(p.addr)}`;
          lastAddr = p.addr;
          out += `  ${((p.recv - p.sent) / 1e6).toFixed(3)} ms`;
          if (p.annot) out += ` ${p.annot}`;
        }
        task.close(p.fd);
        start++;
      }
      if (start >= end) break;
      if (ctx.job.stopped) break;
      const waiting = probes.slice(start, end).filter((p) => p && !p.done);
      if (waiting.length && nextExpiry < Infinity)
        await Promise.race(waiting.map((p) => task.waitReadable(p.fd, nextExpiry)));
    }
  } finally {
    task.closeAll();
  }
  ctx.out(out + '\n');
  return 0;
};
