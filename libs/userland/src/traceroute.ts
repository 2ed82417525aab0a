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
import { ipv4ToString } from '@skblab/wire/address';
import { NSEC_PER_SEC, type Command } from './command';
import { clifParse, type ClifArgument, type ClifOption } from './clif';
import { printfG, strtod, strtol, strtoul } from './libc';
import { resolveHost } from './resolve';

/** traceroute --help (2.1.2), to stderr; every option in it is parsed, the methods other than UDP refused. */
// prettier-ignore
const HELP = [
  "Usage:",
  "  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]",
  "Options:",
  "  -4                          Use IPv4",
  "  -6                          Use IPv6",
  "  -d  --debug                 Enable socket level debugging",
  "  -F  --dont-fragment         Do not fragment packets",
  "  -f first_ttl  --first=first_ttl",
  "                              Start from the first_ttl hop (instead from 1)",
  "  -g gate,...  --gateway=gate,...",
  "                              Route packets through the specified gateway",
  "                              (maximum 8 for IPv4 and 127 for IPv6)",
  "  -I  --icmp                  Use ICMP ECHO for tracerouting",
  "  -T  --tcp                   Use TCP SYN for tracerouting (default port is 80)",
  "  -i device  --interface=device",
  "                              Specify a network interface to operate with",
  "  -m max_ttl  --max-hops=max_ttl",
  "                              Set the max number of hops (max TTL to be",
  "                              reached). Default is 30",
  "  -N squeries  --sim-queries=squeries",
  "                              Set the number of probes to be tried",
  "                              simultaneously (default is 16)",
  "  -n                          Do not resolve IP addresses to their domain names",
  "  -p port  --port=port        Set the destination port to use. It is either",
  "                              initial udp port value for \"default\" method",
  "                              (incremented by each probe, default is 33434), or",
  "                              initial seq for \"icmp\" (incremented as well,",
  "                              default from 1), or some constant destination",
  "                              port for other methods (with default of 80 for",
  "                              \"tcp\", 53 for \"udp\", etc.)",
  "  -t tos  --tos=tos           Set the TOS (IPv4 type of service) or TC (IPv6",
  "                              traffic class) value for outgoing packets",
  "  -l flow_label  --flowlabel=flow_label",
  "                              Use specified flow_label for IPv6 packets",
  "  -w MAX,HERE,NEAR  --wait=MAX,HERE,NEAR",
  "                              Wait for a probe no more than HERE (default 3)",
  "                              times longer than a response from the same hop,",
  "                              or no more than NEAR (default 10) times than some",
  "                              next hop, or MAX (default 5.0) seconds (float",
  "                              point values allowed too)",
  "  -q nqueries  --queries=nqueries",
  "                              Set the number of probes per each hop. Default is",
  "                              3",
  "  -r                          Bypass the normal routing and send directly to a",
  "                              host on an attached network",
  "  -s src_addr  --source=src_addr",
  "                              Use source src_addr for outgoing packets",
  "  -z sendwait  --sendwait=sendwait",
  "                              Minimal time interval between probes (default 0).",
  "                              If the value is more than 10, then it specifies a",
  "                              number in milliseconds, else it is a number of",
  "                              seconds (float point values allowed too)",
  "  -e  --extensions            Show ICMP extensions (if present), including MPLS",
  "  -A  --as-path-lookups       Perform AS path lookups in routing registries and",
  "                              print results directly after the corresponding",
  "                              addresses",
  "  -M name  --module=name      Use specified module (either builtin or external)",
  "                              for traceroute operations. Most methods have",
  "                              their shortcuts (`-I' means `-M icmp' etc.)",
  "  -O OPTS,...  --options=OPTS,...",
  "                              Use module-specific option OPTS for the",
  "                              traceroute module. Several OPTS allowed,",
  "                              separated by comma. If OPTS is \"help\", print info",
  "                              about available options",
  "  --sport=num                 Use source port num for outgoing packets. Implies",
  "                              `-N 1'",
  "  --fwmark=num                Set firewall mark for outgoing packets",
  "  -U  --udp                   Use UDP to particular port for tracerouting",
  "                              (instead of increasing the port per each probe),",
  "                              default port is 53",
  "  -UL                         Use UDPLITE for tracerouting (default dest port",
  "                              is 53)",
  "  -D  --dccp                  Use DCCP Request for tracerouting (default port",
  "                              is 33434)",
  "  -P prot  --protocol=prot    Use raw packet of protocol prot for tracerouting",
  "  --mtu                       Discover MTU along the path being traced. Implies",
  "                              `-F -N 1'",
  "  --back                      Guess the number of hops in the backward path and",
  "                              print if it differs",
  "  -V  --version               Print version info and exit",
  "  --help                      Read this help and exit",
  "",
  "Arguments:",
  "+     host          The host to traceroute to",
  "      packetlen     The full packet length (default is the length of an IP",
  "                    header plus 40). Can be ignored or increased to a minimal",
  "                    allowed value",
].join('\n') + '\n';

const VERSION =
  'Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n';

/** The options of traceroute 2.1.2 beyond the UDP method's: short letter, long name, argument. */
// prettier-ignore
const UNMODELLED: Array<[string | undefined, string | undefined, string | undefined]> = [
  ['6', undefined, undefined], ['UL', undefined, undefined], ['d', 'debug', undefined], ['F', 'dont-fragment', undefined],
  ['g', 'gateway', 'gate,...'], ['I', 'icmp', undefined], ['T', 'tcp', undefined],
  ['i', 'interface', 'device'], ['l', 'flowlabel', 'flow_label'], ['r', undefined, undefined],
  ['s', 'source', 'src_addr'], ['z', 'sendwait', 'sendwait'], ['e', 'extensions', undefined],
  ['A', 'as-path-lookups', undefined], ['M', 'module', 'name'], ['O', 'options', 'OPTS,...'],
  [undefined, 'sport', 'num'], [undefined, 'fwmark', 'num'], ['U', 'udp', undefined],
  ['D', 'dccp', undefined], ['P', 'protocol', 'prot'], [undefined, 'mtu', undefined],
  [undefined, 'back', undefined],
];

/**
 * -w MAX,HERE,NEAR (set_wait_specs): what is not given is 0, so `-w 2` waits 2 s for every probe; any one
 * character separates, and a fourth value is refused.
 */
function waitSpecs(v: string): number[] | null {
  const w = [0, 0, 0];
  let rest = v;
  for (let k = 0; k < 3; k++) {
    const r = strtod(rest);
    if (!r) return null;
    w[k] = r.v;
    if (r.rest === '') return w;
    rest = r.rest.slice(1);
  }
  return null;
}

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
  // CLIF_HELP_EMPTY: no arguments at all is a request for help.
  if (!args.length) {
    ctx.err(HELP);
    return 0;
  }
  let numeric = false;
  let maxHops = 30;
  let firstHop = 1;
  let nprobes = 3;
  let simProbes = 16;
  let port = 33434;
  let wait = [5, 3, 10];
  let tos = 0;
  let host = '';
  let dst: number | null = null;
  let packetLen = 60;
  let unmodelled = '';
  // CLIF_set_uint: strtoul(.., 0) of the whole word into an unsigned int, with no range check of its own.
  const uint = (set: (v: number) => void) => (v: string) => {
    const r = strtoul(v, 0);
    if (!r || r.rest !== '') return 'refused' as const;
    set(Number(r.v & 0xffffffffn));
    return 'ok' as const;
  };
  const flag = (set: () => void) => () => (set(), 'ok' as const);
  const options: ClifOption[] = [
    { short: 'n', handle: flag(() => (numeric = true)) },
    { short: '4', handle: flag(() => undefined) },
    { short: 'f', long: 'first', arg: 'first_ttl', handle: uint((v) => (firstHop = v)) },
    { short: 'm', long: 'max-hops', arg: 'max_ttl', handle: uint((v) => (maxHops = v)) },
    { short: 'N', long: 'sim-queries', arg: 'squeries', handle: uint((v) => (simProbes = v)) },
    { short: 'p', long: 'port', arg: 'port', handle: uint((v) => (port = v)) },
    // IP_TOS keeps the low byte: -t -1 sends 0xff, -t 256 sends 0.
    { short: 't', long: 'tos', arg: 'tos', handle: uint((v) => (tos = v)) },
    {
      short: 'w',
      long: 'wait',
      arg: 'MAX,HERE,NEAR',
      handle: (v) => {
        const w = waitSpecs(v);
        if (w) wait = w;
        return w ? 'ok' : 'refused';
      },
    },
    { short: 'q', long: 'queries', arg: 'nqueries', handle: uint((v) => (nprobes = v)) },
    { short: 'V', long: 'version', handle: () => (ctx.err(VERSION), 'done') },
    { long: 'help', handle: () => (ctx.err(HELP), 'done') },
  ];
  // The rest of traceroute's options parse as they do there; what they ask for is not in the lab.
  for (const [short, long, arg] of UNMODELLED)
    options.push({
      short,
      long,
      arg,
      handle: () => ((unmodelled ||= short ? `-${short}` : `--${long}`), 'ok'),
    });
  const operands: ClifArgument[] = [
    {
      name: 'host',
      required: true,
      handle: (v) => {
        host = v;
        dst = resolveHost(ctx.lab, v);
        if (dst === null) ctx.err(`${v}: Name or service not known\n`);
        return dst === null ? 'refused' : 'ok';
      },
    },
    {
      // CLIF_arg_int: strtol(.., 0) into an int; a negative length is no length (the default).
      name: 'packetlen',
      required: false,
      handle: (v) => {
        const r = strtol(v, 0);
        if (!r || r.rest !== '') return 'refused';
        const n = Number(BigInt.asIntN(32, r.v));
        if (n >= 0) packetLen = n;
        return 'ok';
      },
    },
  ];
  const parsed = clifParse(args, options, operands);
  if (parsed && 'done' in parsed) return 0;
  if (parsed) {
    ctx.err(parsed.error);
    return 2;
  }
  // traceroute.c, main: the checks after parsing, in its order.
  const invalid =
    !firstHop || firstHop > maxHops
      ? 'first hop out of range'
      : maxHops > 255
        ? 'max hops cannot be more than 255'
        : !nprobes || nprobes > 10
          ? 'no more than 10 probes per hop'
          : wait.some((w) => w < 0)
            ? `bad wait specifications \`${wait.map((w) => printfG(w)).join(',')}' used`
            : packetLen > 65000
              ? `too big packetlen ${packetLen} specified`
              : unmodelled
                ? `${unmodelled}: not modelled in this lab (it traces with UDP probes only)`
                : '';
  if (invalid) {
    ctx.err(`${invalid}\n`);
    return 2;
  }
  const target: number = dst!; // the host operand is required, and refused when it is no address
  packetLen = Math.max(28, packetLen);
  simProbes = Math.max(1, simProbes);
  const task: Task = ctx.task('traceroute');
  const lab = ctx.lab;
  const data = new Uint8Array(packetLen - 28).map((_, i) => 0x40 + (i % 0x40));
  const header = `traceroute to ${host} (${ipv4ToString(target)}), ${maxHops} hops max, ${packetLen} byte packets`;
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
        const c = task.connect(fd, target, (port + n) & 0xffff);
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
        p.final = e.type === 3 || e.offender === target;
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
