/**
 * Parsers for the text the real tools print, shared by the real-kernel side and the skblab side of the
 * differential suite: /proc/net/snmp, `ip -s link show dev X`, and the normalisation of text outputs
 * (MAC addresses, ping timings, trailing blanks) so that two runs can be compared as strings.
 */

/** Counters keyed "Group.Name", e.g. "Ip.InReceives", "IcmpMsg.InType8", "RX.bytes". */
export type Counters = Record<string, number>;

/**
 * Parses /proc/net/snmp: pairs of lines `Group: Name Name ...` / `Group: 1 2 ...`.
 * IcmpMsg only appears once some ICMP type was counted, and its columns vary (InType8, OutType0, ...).
 */
export function parseSnmp(text: string): Counters {
  const out = parseProcPairs(text);
  if (!('Ip.InReceives' in out))
    throw new Error(`not /proc/net/snmp output: ${JSON.stringify(text.slice(0, 300))}`);
  return out;
}

/**
 * Parses /proc/net/netstat, which has the layout of /proc/net/snmp (TcpExt, IpExt, MPTcpExt pairs). The
 * real 6.18 kernel prints fields 6.12 lacks; only nonzero deltas are compared, so they matter only if
 * they move.
 */
export function parseNetstat(text: string): Counters {
  const out = parseProcPairs(text);
  if (!('TcpExt.SyncookiesSent' in out) || !('IpExt.InOctets' in out))
    throw new Error(`not /proc/net/netstat output: ${JSON.stringify(text.slice(0, 300))}`);
  return out;
}

/** Pairs of lines `Group: Name Name ...` / `Group: 1 2 ...` into "Group.Name" counters. */
function parseProcPairs(text: string): Counters {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: Counters = {};
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = /^(\w+):\s+(.*)$/.exec(lines[i]);
    const vals = /^(\w+):\s+(.*)$/.exec(lines[i + 1]);
    if (!head || !vals || head[1] !== vals[1]) continue;
    const names = head[2].trim().split(/\s+/);
    const nums = vals[2].trim().split(/\s+/);
    if (!nums.every((n) => /^-?\d+$/.test(n)) || names.some((n) => /^-?\d+$/.test(n))) continue;
    if (names.length !== nums.length) {
      throw new Error(`snmp: ${head[1]} has ${names.length} names but ${nums.length} values`);
    }
    names.forEach((n, k) => (out[`${head[1]}.${n}`] = Number(nums[k])));
    i++;
  }
  return out;
}

/**
 * Parses the statistics block of `ip -s link show dev X` (iproute2 6.x):
 *     RX:  bytes packets errors dropped  missed   mcast
 *            168       2      0       0       0       0
 *     TX:  bytes packets errors dropped carrier collsns
 *            168       2      0       0       0       0
 * into { "RX.bytes": 168, "RX.packets": 2, ... }. Also accepts the older `RX: bytes  packets  errors ...`
 * layout (same names, other spacing). `-s -s` adds `RX errors:` lines, which are read the same way.
 */
export function parseIpLinkStats(text: string): Counters {
  const lines = text.split('\n');
  const out: Counters = {};
  for (let i = 0; i + 1 < lines.length; i++) {
    const m = /^\s+(RX|TX)(?: errors)?:\s+(.*)$/.exec(lines[i]);
    if (!m) continue;
    const names = m[2].trim().split(/\s+/);
    const nums = lines[i + 1].trim().split(/\s+/);
    if (!nums.every((n) => /^\d+$/.test(n))) continue;
    const prefix = /errors:/.test(lines[i]) ? `${m[1]}err` : m[1];
    names.forEach((n, k) => {
      if (k < nums.length) out[`${prefix}.${n}`] = Number(nums[k]);
    });
    i++;
  }
  if (!('RX.packets' in out) || !('TX.packets' in out)) {
    throw new Error(`no RX/TX statistics in \`ip -s link\` output: ${JSON.stringify(text.slice(0, 300))}`);
  }
  return out;
}

/** after - before for every key present on either side, dropping the zero deltas. */
export function delta(before: Counters, after: Counters): Counters {
  const out: Counters = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** Keeps only the keys whose group (the part before the dot) is listed, or whose full name is listed. */
export function pick(c: Counters, keep: readonly string[]): Counters {
  const out: Counters = {};
  for (const [k, v] of Object.entries(c)) {
    if (keep.includes(k) || keep.includes(k.split('.')[0])) out[k] = v;
  }
  return out;
}

/** Drops the listed keys ("Group.Name"). */
export function omit(c: Counters, drop: readonly string[]): Counters {
  const out: Counters = {};
  for (const [k, v] of Object.entries(c)) if (!drop.includes(k)) out[k] = v;
  return out;
}

const MAC = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/gi;

/** Replaces every MAC address except 00:00:00:00:00:00 and ff:ff:ff:ff:ff:ff by xx:xx:xx:xx:xx:xx. */
export function maskMacs(text: string): string {
  return text.replace(MAC, (m) =>
    /^(00:){5}00$/.test(m) || /^(ff:){5}ff$/i.test(m) ? m : 'xx:xx:xx:xx:xx:xx',
  );
}

/** Drops blanks at line ends: iproute2 versions differ there (6.1 prints `... src 127.0.0.1 `). */
export function trimLineEnds(text: string): string {
  return text.replace(/[ \t]+$/gm, '');
}

/**
 * Masks what varies between two runs of the same ping: round-trip times and the elapsed time, so that
 * `64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.030 ms` and the statistics lines compare exactly.
 */
export function maskPingTimes(text: string): string {
  return (
    text
      .replace(/time[=<]\d+(?:\.\d+)? ms/g, 'time=T ms')
      .replace(/, time \d+ms/g, ', time Tms')
      .replace(/^(rtt|round-trip) min\/avg\/max\/mdev = .*$/gm, 'rtt min/avg/max/mdev = T/T/T/T ms')
      .replace(/, pipe \d+/g, '')
      // traceroute's per-probe times: "  0.260 ms"
      .replace(/ {2}\d+\.\d{3} ms/g, '  T ms')
  );
}

/** Sorts the lines of a text (keeping a final newline): for dumps whose order is a hash order. */
export function sortLines(text: string): string {
  const body = text.replace(/\n$/, '');
  if (body === '') return text;
  return `${body.split('\n').sort().join('\n')}${text.endsWith('\n') ? '\n' : ''}`;
}

/**
 * Whether a command dumps the neighbour table (`ip neigh`, `ip -n ns1 neigh show`, `ip neighbour`...):
 * the kernel lists it in the order of a hash with a random seed, so its lines are compared sorted.
 */
export function isNeighDump(cmd: string): boolean {
  return /^\s*(ip netns exec \S+ )?ip(\s+-\S+(\s+\S+)?)*?\s+n(e(i(g(h(b(o(u(r)?)?)?)?)?)?)?)?\b/.test(cmd);
}

/** net.ipv4.ip_local_port_range's default: the ports connect() picks when none was bound. */
const EPHEMERAL_LOW = 32768;
const EPHEMERAL_HIGH = 60999;

/**
 * Masks the ephemeral ports a connect() picked (random on a real kernel) where ss, nc and iperf print a
 * port: `127.0.0.1:37284` (ss), `port 37284` (iperf), `Connection received on 127.0.0.1 37284` (nc -v -l).
 * The mask keeps the width (ports in the range have 5 digits), so that ss's columns still compare.
 */
export function maskEphemeralPorts(text: string): string {
  const mask = (pre: string, port: string): string =>
    Number(port) >= EPHEMERAL_LOW && Number(port) <= EPHEMERAL_HIGH ? `${pre}PPPPP` : `${pre}${port}`;
  return text
    .replace(/(\d:)(\d{5})\b/g, (_m, pre: string, port: string) => mask(pre, port))
    .replace(/(\bport )(\d{5})\b/g, (_m, pre: string, port: string) => mask(pre, port))
    .replace(/(received on \S+ )(\d{5})\b/g, (_m, pre: string, port: string) => mask(pre, port));
}

/**
 * Masks what iperf measures with the clock: the interval (`0.0000-0.0179 sec`), the rate
 * (`  469 Mbits/sec`, its width varies with the value) and the initial RTT of `(icwnd/mss/irtt=319/32741/62)`.
 * The client's `TCP window size` too: iperf 2.1.8's reporter thread reads SO_SNDBUF either before the
 * connect (16.0 KByte) or after tcp_init_buffer_space grew it (2.50 MByte with reno on lo): six runs of
 * `iperf -c 127.0.0.1 -n 1M` on the real box here printed both. The amount transferred, icwnd and mss are kept.
 */
export function maskIperfTimes(text: string): string {
  return text
    .replace(/(TCP window size: )\d+(?:\.\d+)? [KMG]?Byte \(default\)/g, '$1W (default)')
    .replace(/\d+\.\d+-\s*\d+\.\d+ sec/g, 'T-T sec')
    .replace(/ +\d+(?:\.\d+)? [KMGT]?bits\/sec/g, ' R Xbits/sec')
    .replace(/(\(icwnd\/mss\/irtt=\d+\/\d+\/)\d+\)/g, '$1T)');
}

/**
 * Sorts the socket lines of ss, keeping its header first: ss lists the listening hash, then the
 * established hash, in the order of a hash with a random seed.
 */
export function sortSsLines(text: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const head = /^(State|Netid)\b/.test(lines[0] ?? '') ? lines.shift() : undefined;
  const body = lines.sort();
  return [...(head !== undefined ? [head] : []), ...body].join('\n') + (text.endsWith('\n') ? '\n' : '');
}

/** Whether a command is ss (`ss -tan`, `ip netns exec ns1 ss -tan`). */
export function isSs(cmd: string): boolean {
  return /^\s*(ip netns exec \S+ )?ss\b/.test(cmd);
}

/** Whether the command runs nc or iperf (a pipe into them included). */
function isNcOrIperf(cmd: string): boolean {
  return /(^|\|)\s*(ip netns exec \S+ )?(nc|iperf)\b/.test(cmd);
}

/** Whether a command is tc (`tc -s qdisc show dev veth2`, `tc -n ns1 qdisc`, `ip netns exec ns1 tc ...`). */
export function isTc(cmd: string): boolean {
  return /^\s*(ip netns exec \S+ )?tc\b/.test(cmd);
}

/**
 * Masks what `tc qdisc show` prints that depends on the machine rather than on what was sent: the handle
 * qdisc_alloc_handle picked (`8001:`: its `static u32 autohandle` counts across the whole kernel, so every
 * namespace and test run before moves it) and the refcnt of a root over several TX queues (1 plus one per
 * queue, and veth has num_possible_cpus() of them). A handle the user chose (`1:`) is kept.
 */
export function maskTcQdisc(text: string): string {
  return text
    .replace(/^(qdisc \S+ )8[0-9a-f]{3}:/gm, '$18HHH:')
    .replace(/^(qdisc \S+ \S+ .*?) refcnt \d+/gm, '$1 refcnt R');
}

/** Whether an ss command lists unix sockets (`ss -x`, `ss -xa`). */
export function isSsUnix(cmd: string): boolean {
  return isSs(cmd) && /\s-\w*x/.test(cmd);
}

/**
 * The inode numbers of `ss -x` (a unix socket's "port" and its peer's): the kernel's get_next_ino hands them
 * out, so they differ from run to run and in width. Each becomes I1, I2... in order of first appearance
 * once the lines are sorted with them masked, so a peer still names the same socket; 0 (no peer, or one
 * no file holds) stays. The columns they widen are squeezed to one blank.
 */
export function maskUnixInodes(text: string): string {
  const lines = text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => l.replace(/ +/g, ' ').trim());
  const head = /^(State|Netid)\b/.test(lines[0] ?? '') ? lines.shift() : undefined;
  const row = /^(u_\w+ \S+ \S+ \S+ \S+ )(\d+)( \S+ )(\d+)/;
  const keyed = lines.map((l) => ({ l, key: l.replace(row, '$1I$3I') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const names = new Map<string, string>([['0', '0']]);
  const name = (ino: string): string => {
    if (!names.has(ino)) names.set(ino, `I${names.size}`);
    return names.get(ino) as string;
  };
  const body = keyed.map(({ l }) =>
    l.replace(
      row,
      (_m, a: string, ino: string, b: string, peer: string) => `${a}${name(ino)}${b}${name(peer)}`,
    ),
  );
  return [...(head !== undefined ? [head] : []), ...body].join('\n') + (text.endsWith('\n') ? '\n' : '');
}

/**
 * Masks the head of socat's log lines, `2026/12/07 20:10:54 socat[12810] E ...`: the clock and the process
 * id differ from run to run (and from the lab's). The level and the message are kept.
 */
export function maskSocatLog(text: string): string {
  return text.replace(
    /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} socat\[\d+\] /gm,
    'YYYY/MM/DD hh:mm:ss socat[PID] ',
  );
}

/** The normalisation applied to every text that a scenario compares. */
export function normaliseText(text: string, cmd = ''): string {
  let t = maskSocatLog(trimLineEnds(maskPingTimes(maskMacs(text))));
  if (isSsUnix(cmd)) t = maskUnixInodes(t);
  else if (isSs(cmd)) t = sortSsLines(maskEphemeralPorts(t));
  if (isNcOrIperf(cmd)) t = maskIperfTimes(maskEphemeralPorts(t));
  if (isTc(cmd)) t = maskTcQdisc(t);
  return isNeighDump(cmd) ? sortLines(t) : t;
}

const MARKER = /@@skbd (\d+)(?: (\S*))?\n/g;

/** The line each side's script prints after command `i` (the script appends ` $?` to it). */
export function markerLine(i: number): string {
  return `echo @@skbd ${i}`;
}

/** One command's share of a script's output, and the exit status the marker printed (`$?`). */
export interface Part {
  text: string;
  status: string | undefined;
}

/**
 * Cuts the output of a script in which command i was followed by `echo @@skbd i $?` into one part per
 * command. A command whose output did not end with a newline still gets its text (the marker follows it on
 * the same line). Commands whose marker never appeared (the run died) are left undefined.
 */
export function splitByMarkers(output: string, count: number): (Part | undefined)[] {
  const parts: (Part | undefined)[] = new Array<Part | undefined>(count).fill(undefined);
  let last = 0;
  for (const m of output.matchAll(MARKER)) {
    const i = Number(m[1]);
    if (i < count) parts[i] = { text: output.slice(last, m.index), status: m[2] };
    last = (m.index ?? 0) + m[0].length;
  }
  return parts;
}

/** Whatever followed the last marker: output of background jobs or of a run that died mid-way. */
export function tailAfterMarkers(output: string): string {
  let last = 0;
  for (const m of output.matchAll(MARKER)) last = (m.index ?? 0) + m[0].length;
  return output.slice(last);
}
