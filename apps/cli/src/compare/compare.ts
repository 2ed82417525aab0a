/**
 * `skblab compare [--requests N] [--json]`: the seed's discussion question ("is 127.0.0.1 faster than the
 * host's own IP?") answered by running it. The same Redis request/response (redis-cli PING against
 * redis-server) goes four ways, each in a fresh embedded default lab: TCP to 127.0.0.1, TCP to the host's
 * own address, AF_UNIX, and TCP with the sockmap bypass attached with bpftool. For each way the command
 * reads what the kernel model did: the steps in the trace ring (so the kernel functions that ran), the skbs
 * and sk_msgs made, /proc/net/snmp, `ip -s link` and softnet_stat counters, and the simulated clock.
 *
 * Per request means the steady state of one connection: each way runs `redis-cli -r 1 ping` (connect, one
 * request, close) and then `redis-cli -r 1+N ping`; the difference over N is what each further request
 * costs, with the handshake and the close cancelled out. What the first run cost beyond one request is
 * reported as the connection's own cost. A warm-up connection before both keeps what happens once per lab
 * (lo's neighbour entry caching its header) out of either.
 */
import { IP_MIB_NAMES, TCP_MIB_NAMES, dev_get_stats, type Host, type NetDevice } from '@skblab/kernel';
import { Lab, buildHardware } from '@skblab/runtime';
import { defaultTopology } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';
import { bootTopology, newShell, type Shell } from '@skblab/shell';

export const COMPARE_USAGE = `Usage: skblab compare [--requests N] [--json]

  The same Redis request/response (redis-cli PING to redis-server) four ways,
  each in a fresh embedded default lab, on host1:
    127.0.0.1        TCP to 127.0.0.1:6379
    own address      TCP to host1's own address on eth0 (192.168.1.1:6379)
    AF_UNIX          a unix stream socket (redis-server --unixsocket)
    sockmap bypass   TCP to 127.0.0.1:6379 with the sock_ops and sk_msg programs
                     attached with bpftool (docs/sockmap.md)
  and a table of what one request costs in each: kernel steps and distinct kernel
  functions (from the trace ring), skbs made, Tcp segments (/proc/net/snmp), lo
  and eth0 packets (ip -s link), softnet_stat's processed, and the lab's simulated
  time. Per request is the steady state: (a run of 1+N requests - a run of 1) / N,
  so the handshake and the close cancel out; they are shown once per connection.

  --requests N   requests per connection beyond the first (1-2000, default 200)
  --json         print the figures as JSON instead of the table
`;

/** One way of talking: how its server is started and how its client is asked. */
export interface Way {
  id: 'loopback' | 'own-address' | 'unix' | 'sockmap';
  name: string;
  /** Lines run before the server starts (the bypass's bpftool lines). */
  setup: string[];
  server: string;
  client: string;
}

/** The sockmap bypass as docs/sockmap.md attaches it. */
export const BYPASS_LINES = [
  'bpftool map create /sys/fs/bpf/sock_ops_map type sockhash key 16 value 4 entries 65535 name sock_ops_map',
  'bpftool prog load /usr/lib/skblab/bpf/sockops.o /sys/fs/bpf/bpf_sockops map name sock_ops_map pinned /sys/fs/bpf/sock_ops_map',
  'bpftool prog load /usr/lib/skblab/bpf/redir.o /sys/fs/bpf/bpf_redir map name sock_ops_map pinned /sys/fs/bpf/sock_ops_map',
  'bpftool cgroup attach /sys/fs/cgroup/ sock_ops pinned /sys/fs/bpf/bpf_sockops',
  'bpftool prog attach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned /sys/fs/bpf/sock_ops_map',
];

const UNIX_PATH = '/tmp/redis.sock';
// Protected mode (Redis's default) answers DENIED to a client whose address is not loopback, which the
// client on the host's own address is: every way runs the server with it off, so all four are alike.
const SERVER = "redis-server --save '' --protected-mode no --loglevel warning";

/** The four ways; `ownAddress` is host1's address on its first non-loopback device. */
export function ways(ownAddress: string): Way[] {
  return [
    {
      id: 'loopback',
      name: '127.0.0.1',
      setup: [],
      server: `${SERVER} --port 6379 &`,
      client: 'redis-cli -h 127.0.0.1 -p 6379',
    },
    {
      id: 'own-address',
      name: ownAddress,
      setup: [],
      server: `${SERVER} --port 6379 &`,
      client: `redis-cli -h ${ownAddress} -p 6379`,
    },
    {
      id: 'unix',
      name: 'AF_UNIX',
      setup: [],
      server: `${SERVER} --port 0 --unixsocket ${UNIX_PATH} &`,
      client: `redis-cli -s ${UNIX_PATH}`,
    },
    {
      id: 'sockmap',
      name: 'sockmap bypass',
      setup: BYPASS_LINES,
      server: `${SERVER} --port 6379 &`,
      client: 'redis-cli -h 127.0.0.1 -p 6379',
    },
  ];
}

/** The counters a run moves, and the simulated clock. */
interface Moved {
  tcpOutSegs: number;
  tcpInSegs: number;
  ipOutRequests: number;
  ipInReceives: number;
  loPackets: number;
  eth0Packets: number;
  softnetProcessed: number;
  /** Simulated nanoseconds. */
  ns: number;
}

/** What a stretch of the lab's life moved: raw totals. */
export interface Totals extends Moved {
  /** Kernel steps recorded (each one call of a modelled kernel function). */
  steps: number;
  /** Calls of each kernel function, by name. */
  calls: Record<string, number>;
  /** skbs made (journeys begun, sk_msgs not counted). */
  skbs: number;
  /** sk_msgs made: the bypass's skb-less sendmsgs (skbtrace shows them under ids of their own). */
  skMsgs: number;
}

/** One way's figures: per request (steady state) and once per connection. */
export interface WayResult {
  id: Way['id'];
  name: string;
  /** The lines run in the lab, as a user would type them: setup, the server, the measured client. */
  setup: string[];
  server: string;
  /** `ip route get` of the server's address (null for AF_UNIX). */
  route: string | null;
  client: string;
  perRequest: Omit<Totals, 'calls'> & {
    /** Distinct kernel functions that run for every further request. */
    functions: number;
  };
  /** The functions each request runs, with their calls per request, most called first. */
  functions: Array<{ fn: string; calls: number }>;
  /** What one connection costs beyond its requests: handshake, close, the first request's extras. */
  perConnection: Omit<Totals, 'calls'>;
  /** The two runs as measured: 1 request, and 1+N. */
  runs: { one: Omit<Totals, 'calls'>; many: Omit<Totals, 'calls'> };
}

export interface Comparison {
  requests: number;
  /** ns of simulated time each kernel step costs (the lab's stepCostNs). */
  stepCostNs: number;
  request: string;
  ways: WayResult[];
  why: string[];
}

const TCP_OUT = TCP_MIB_NAMES.indexOf('OutSegs');
const TCP_IN = TCP_MIB_NAMES.indexOf('InSegs');
const IP_OUT = IP_MIB_NAMES.indexOf('OutRequests');
const IP_IN = IP_MIB_NAMES.indexOf('InReceives');

/** A snapshot of the counters a run moves and where the trace ring and the clock stand. */
interface Mark extends Moved {
  seq: number;
  journeys: number;
}

function devPackets(dev: NetDevice | undefined): number {
  if (!dev) return 0;
  const s = dev_get_stats(dev);
  return s.txPackets + s.rxPackets;
}

function mark(lab: Lab, host: Host): Mark {
  const net = host.initNet;
  const j = lab.journeys;
  return {
    seq: lab.trace.written,
    journeys: j.length ? j[j.length - 1].traced : 0,
    tcpOutSegs: net.mib.tcp[TCP_OUT],
    tcpInSegs: net.mib.tcp[TCP_IN],
    ipOutRequests: net.mib.ip[IP_OUT],
    ipInReceives: net.mib.ip[IP_IN],
    // A packet on lo is sent and received by lo: count it once (tx), as `ip -s link show lo` TX shows it.
    loPackets: dev_get_stats(net.loopbackDev).txPackets,
    eth0Packets: devPackets(net.devices.find((d) => d.name === 'eth0')),
    softnetProcessed: host.softnet.reduce((n, sd) => n + sd.processed, 0),
    ns: lab.now(),
  };
}

/** What moved between two marks, with the functions of every step in between. */
function totals(lab: Lab, a: Mark, b: Mark): Totals {
  if (b.seq - a.seq > lab.trace.capacity)
    throw new Error(`the trace ring (${lab.trace.capacity} steps) overflowed: use fewer --requests`);
  const calls: Record<string, number> = {};
  // A journey is an sk_msg when tcp_bpf_sendmsg made it (sk_msg_alloc's trace handle): no skb.
  const msgs = new Set<number>();
  for (const s of lab.trace.exportSince(a.seq)) {
    calls[s.fn] = (calls[s.fn] ?? 0) + 1;
    if (s.fn === 'tcp_bpf_sendmsg') msgs.add(s.skbId);
  }
  const skMsgs = msgs.size;
  return {
    steps: b.seq - a.seq,
    calls,
    skbs: b.journeys - a.journeys - skMsgs,
    skMsgs,
    tcpOutSegs: b.tcpOutSegs - a.tcpOutSegs,
    tcpInSegs: b.tcpInSegs - a.tcpInSegs,
    ipOutRequests: b.ipOutRequests - a.ipOutRequests,
    ipInReceives: b.ipInReceives - a.ipInReceives,
    loPackets: b.loPackets - a.loPackets,
    eth0Packets: b.eth0Packets - a.eth0Packets,
    softnetProcessed: b.softnetProcessed - a.softnetProcessed,
    ns: b.ns - a.ns,
  };
}

const NUMERIC = [
  'steps',
  'skbs',
  'skMsgs',
  'tcpOutSegs',
  'tcpInSegs',
  'ipOutRequests',
  'ipInReceives',
  'loPackets',
  'eth0Packets',
  'softnetProcessed',
  'ns',
] as const;

type Numbers = Omit<Totals, 'calls'>;

function combine(f: (k: (typeof NUMERIC)[number]) => number): Numbers {
  return Object.fromEntries(NUMERIC.map((k) => [k, f(k)])) as unknown as Numbers;
}

/** Rounded to 1/1000: per-request figures are ratios of integers. */
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** A lab's shell whose output is kept per line. */
class Runner {
  out = '';
  readonly shell: Shell;
  constructor(
    readonly lab: Lab,
    readonly host: Host,
  ) {
    const keep = (s: string) => void (this.out += s);
    this.shell = newShell(lab, host, defaultCommands(), { out: keep, err: keep, tty: false });
  }

  /** Run a line; a failure is an error naming the line and what it printed. */
  async run(line: string): Promise<string> {
    this.out = '';
    const status = await this.shell.runLine(line);
    if (status !== 0) throw new Error(`'${line}' exited ${status}: ${this.out.trim()}`);
    return this.out;
  }
}

/** A fresh default lab, booted, with room in the trace ring for a run of `requests`. */
async function freshLab(requests: number): Promise<Runner> {
  let capacity = 1 << 16;
  // A TCP request/response is ~80 steps; the room is checked after each run all the same.
  while (capacity < requests * 200 + 8192) capacity <<= 1;
  const lab = new Lab({ traceCapacity: capacity });
  const spec = defaultTopology();
  buildHardware(lab, spec);
  const err = await bootTopology(lab, spec, defaultCommands());
  if (err) throw new Error(err);
  const host = lab.hosts.get('host1');
  if (!host) throw new Error('the default topology has no host1');
  return new Runner(lab, host);
}

/** host1's own address: the first global IPv4 address `ip` shows (192.168.1.1 on eth0 by default). */
async function ownAddress(): Promise<string> {
  const r = await freshLab(0);
  const out = await r.run('ip -o -4 addr show scope global');
  const m = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(out);
  if (!m) throw new Error(`host1 has no global IPv4 address: ${out.trim()}`);
  return m[1];
}

/** Run `client -r n ping`, checking every request got its PONG; what it moved. */
async function measure(r: Runner, way: Way, n: number): Promise<Totals> {
  const a = mark(r.lab, r.host);
  const out = await r.run(`${way.client} -r ${n} ping`);
  const b = mark(r.lab, r.host);
  const pongs = out.split('\n').filter((l) => l === 'PONG').length;
  if (pongs !== n) throw new Error(`${way.name}: ${n} requests, ${pongs} PONG: ${out.trim()}`);
  return totals(r.lab, a, b);
}

async function runWay(way: Way, requests: number): Promise<WayResult> {
  const r = await freshLab(requests + 1);
  try {
    for (const l of way.setup) await r.run(l);
    await r.run(way.server);
    const dst = /-h (\S+)/.exec(way.client)?.[1];
    const route = dst ? (await r.run(`ip route get ${dst}`)).split('\n')[0].trim() : null;
    // A first connection warms the lab (lo's neighbour gets its cached header, the listener its first
    // child): what happens once per lab is not what one connection costs.
    await measure(r, way, 1);
    const one = await measure(r, way, 1);
    const many = await measure(r, way, requests + 1);
    const per = combine((k) => r3((many[k] - one[k]) / requests));
    const functions = Object.keys(many.calls)
      .map((fn) => ({ fn, calls: r3((many.calls[fn] - (one.calls[fn] ?? 0)) / requests) }))
      .filter((f) => f.calls > 0)
      .sort((x, y) => y.calls - x.calls || x.fn.localeCompare(y.fn));
    return {
      id: way.id,
      name: way.name,
      setup: way.setup,
      server: way.server,
      route,
      client: `${way.client} -r ${requests + 1} ping`,
      perRequest: { ...per, functions: functions.length },
      functions,
      perConnection: combine((k) => r3(one[k] - per[k])),
      runs: { one: combine((k) => one[k]), many: combine((k) => many[k]) },
    };
  } finally {
    await r.shell.stopBackground();
  }
}

export async function runComparison(requests: number): Promise<Comparison> {
  const own = await ownAddress();
  const results: WayResult[] = [];
  for (const w of ways(own)) results.push(await runWay(w, requests));
  const c: Comparison = {
    requests,
    stepCostNs: new Lab().stepCostNs,
    request: 'PING (14 bytes) -> +PONG (7 bytes)',
    ways: results,
    why: [],
  };
  c.why = explain(c);
  return c;
}

// ---- the table and the why ----------------------------------------------------------------------

const COLUMNS: Array<{ head: string; cell: (w: WayResult) => string }> = [
  { head: 'steps/req', cell: (w) => fmt(w.perRequest.steps) },
  { head: 'functions', cell: (w) => String(w.perRequest.functions) },
  { head: 'skbs/req', cell: (w) => fmt(w.perRequest.skbs) },
  { head: 'sk_msgs/req', cell: (w) => fmt(w.perRequest.skMsgs) },
  { head: 'Tcp seg/req', cell: (w) => fmt(w.perRequest.tcpOutSegs) },
  { head: 'lo pkts/req', cell: (w) => fmt(w.perRequest.loPackets) },
  { head: 'eth0 pkts/req', cell: (w) => fmt(w.perRequest.eth0Packets) },
  { head: 'softnet/req', cell: (w) => fmt(w.perRequest.softnetProcessed) },
  { head: 'latency/req', cell: (w) => usec(w.perRequest.ns) },
];

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function usec(ns: number): string {
  return `${(ns / 1000).toFixed(2)} us`;
}

/** The table, aligned: the way left, the figures right. */
export function formatTable(c: Comparison): string {
  const rows = [
    ['way', ...COLUMNS.map((k) => k.head)],
    ...c.ways.map((w) => [w.name, ...COLUMNS.map((k) => k.cell(w))]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    .join('\n');
}

/** Once per connection: what the handshake and the close cost on each way. */
export function formatConnections(c: Comparison): string {
  return c.ways
    .map(
      (w) =>
        `  ${w.name.padEnd(Math.max(...c.ways.map((x) => x.name.length)))}  ${fmt(w.perConnection.steps)} steps, ` +
        `${fmt(w.perConnection.skbs)} skb${w.perConnection.skbs === 1 ? '' : 's'}, ${fmt(w.perConnection.tcpOutSegs)} Tcp segments, ` +
        `${fmt(w.perConnection.loPackets)} lo packets, ${usec(w.perConnection.ns)}`,
    )
    .join('\n');
}

function byId(c: Comparison, id: Way['id']): WayResult | undefined {
  return c.ways.find((w) => w.id === id);
}

function has(w: WayResult, fn: string): boolean {
  return w.functions.some((f) => f.fn === fn);
}

/** The answer, sentence by sentence, from the figures (nothing here is assumed about them). */
export function explain(c: Comparison): string[] {
  const out: string[] = [];
  const lo = byId(c, 'loopback');
  const own = byId(c, 'own-address');
  const unix = byId(c, 'unix');
  const bypass = byId(c, 'sockmap');
  if (lo && own) {
    const a = new Set(lo.functions.map((f) => f.fn));
    const b = new Set(own.functions.map((f) => f.fn));
    const onlyLo = [...a].filter((f) => !b.has(f));
    const onlyOwn = [...b].filter((f) => !a.has(f));
    const same = !onlyLo.length && !onlyOwn.length && lo.perRequest.steps === own.perRequest.steps;
    const viaLo =
      has(own, 'loopback_xmit') && own.perRequest.loPackets > 0 && own.perRequest.eth0Packets === 0;
    out.push(
      `${own.name} vs 127.0.0.1: ` +
        (viaLo
          ? `the host's own address is a local route (ip route get ${own.name}: "${own.route ?? '?'}"), so its ` +
            `packets go through lo (${fmt(own.perRequest.loPackets)} lo packets and ${fmt(own.perRequest.eth0Packets)} ` +
            `on eth0 per request), not through the NIC. `
          : `its packets do not all go through lo (${fmt(own.perRequest.loPackets)} lo, ` +
            `${fmt(own.perRequest.eth0Packets)} eth0 per request). `) +
        (same
          ? `Both run the same ${lo.perRequest.functions} kernel functions and ${fmt(lo.perRequest.steps)} steps per ` +
            `request, so neither is faster (${usec(lo.perRequest.ns)} each).`
          : `They differ: ${fmt(lo.perRequest.steps)} vs ${fmt(own.perRequest.steps)} steps per request` +
            (onlyLo.length ? `; only 127.0.0.1 runs ${onlyLo.join(', ')}` : '') +
            (onlyOwn.length ? `; only ${own.name} runs ${onlyOwn.join(', ')}` : '') +
            '.'),
    );
  }
  if (lo && unix) {
    const skipsIp =
      has(unix, 'unix_stream_sendmsg') &&
      !has(unix, 'ip_rcv') &&
      !has(unix, 'tcp_v4_rcv') &&
      unix.perRequest.tcpOutSegs === 0 &&
      unix.perRequest.loPackets === 0 &&
      unix.perRequest.softnetProcessed === 0;
    out.push(
      `AF_UNIX: ` +
        (skipsIp
          ? `unix_stream_sendmsg queues the skb straight on the peer's receive queue: no TCP, no IP, no lo, no softirq ` +
            `(${fmt(unix.perRequest.tcpOutSegs)} Tcp segments, ${fmt(unix.perRequest.loPackets)} lo packets, ` +
            `${fmt(unix.perRequest.softnetProcessed)} softnet per request). `
          : `it moved ${fmt(unix.perRequest.tcpOutSegs)} Tcp segments per request. `) +
        `${fmt(unix.perRequest.steps)} steps against 127.0.0.1's ${fmt(lo.perRequest.steps)} ` +
        `(${ratio(unix.perRequest.steps, lo.perRequest.steps)}).`,
    );
  }
  if (lo && bypass) {
    const redirected =
      has(bypass, 'tcp_bpf_sendmsg') &&
      has(bypass, 'bpf_msg_redirect_hash') &&
      !has(bypass, 'tcp_write_xmit') &&
      !has(bypass, 'ip_rcv') &&
      bypass.perRequest.skbs === 0 &&
      bypass.perRequest.tcpOutSegs === 0 &&
      bypass.perRequest.loPackets === 0 &&
      bypass.perRequest.softnetProcessed === 0;
    out.push(
      `sockmap bypass: ` +
        (redirected
          ? `after the handshake each sendmsg is an sk_msg that tcp_bpf_sendmsg hands, by the sk_msg program's ` +
            `bpf_msg_redirect_hash, to the peer's ingress queue: no skb, no TCP segment, no IP, no lo, no softirq ` +
            `(${fmt(bypass.perRequest.skbs)} skbs, ${fmt(bypass.perRequest.tcpOutSegs)} Tcp segments, ` +
            `${fmt(bypass.perRequest.loPackets)} lo packets per request). `
          : `the requests did not take the redirect (tcp_bpf_sendmsg ${has(bypass, 'tcp_bpf_sendmsg') ? 'ran' : 'did not run'}, ` +
            `tcp_write_xmit ${has(bypass, 'tcp_write_xmit') ? 'ran' : 'did not run'}). `) +
        `${fmt(bypass.perRequest.steps)} steps against 127.0.0.1's ${fmt(lo.perRequest.steps)} ` +
        `(${ratio(bypass.perRequest.steps, lo.perRequest.steps)}); the handshake and the close still go through ` +
        `TCP/IP and lo (${fmt(bypass.perConnection.tcpOutSegs)} segments per connection).`,
    );
  }
  out.push(
    `The lab's latency is simulated time: each kernel step costs ${c.stepCostNs} ns on one clock, and a request ` +
      `that waits on no timer takes its steps' time, so it ranks the ways by how much kernel work they do. It ` +
      `does not model copies by size, caches, context switches or scheduler wake-ups.`,
  );
  return out;
}

function ratio(x: number, y: number): string {
  return y ? `${Math.round((x / y) * 100)}%` : 'n/a';
}

/** Wrap a paragraph at `width` columns. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export function formatText(c: Comparison): string {
  return (
    `skblab compare: ${c.request}, ${c.requests} requests per connection beyond the first, on host1 of the ` +
    `default lab\n\n` +
    formatTable(c) +
    `\n\nonce per connection (handshake, close, first request's extras):\n` +
    formatConnections(c) +
    '\n\nwhy:\n' +
    c.why.map((p) => wrap(`- ${p}`).replace(/\n/g, '\n  ')).join('\n') +
    '\n'
  );
}

export function parseArgs(argv: string[]): { requests: number; json: boolean } | string {
  let requests = 200;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = /^--requests=(.*)$/.exec(a);
    if (a === '--json') json = true;
    else if (a === '--requests' || a === '-n' || eq) {
      const v = eq ? eq[1] : argv[++i];
      if (v === undefined || !/^\d+$/.test(v) || +v < 1 || +v > 2000)
        return `option --requests needs a number from 1 to 2000${v !== undefined ? `, got '${v}'` : ''}`;
      requests = +v;
    } else return `unknown ${a.startsWith('-') ? 'option' : 'argument'} '${a}'`;
  }
  return { requests, json };
}

export async function compareMain(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(COMPARE_USAGE);
    return 0;
  }
  const o = parseArgs(argv);
  if (typeof o === 'string') {
    process.stderr.write(`skblab compare: ${o}\n\n${COMPARE_USAGE}`);
    return 2;
  }
  let c: Comparison;
  try {
    c = await runComparison(o.requests);
  } catch (e) {
    process.stderr.write(`skblab compare: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  process.stdout.write(o.json ? JSON.stringify(c, null, 2) + '\n' : formatText(c));
  return 0;
}
