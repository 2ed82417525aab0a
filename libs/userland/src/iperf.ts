/**
 * iperf(1): iperf 2.1.8 as Debian 12 ships it, over TCP (the default) and UDP (-u), on the simulated clock.
 *
 * TCP: the client prints the socket's SO_SNDBUF as "TCP window size", connects (blocking), reports the
 * connection with its initial cwnd, MSS and RTT from TCP_INFO ("(icwnd/mss/irtt=14/1448/514)"), writes
 * -l bytes (128 KByte) at a time for -t seconds or -n bytes, each write blocking while the send buffer is
 * full, then closes and prints the total: "[  1] 0.0000-10.0014 sec  52.5 GBytes  45.1 Gbits/sec". The
 * server listens on 5001 (its SO_RCVBUF is its "TCP window size"), accepts one connection after another and
 * reads each until the client's FIN, then prints what it received and how fast.
 *
 * UDP: The client paces
 * datagrams at -b (1 Mbit/s = 1048576 bit/s by default) for -t seconds (10) or -n bytes, each carrying
 * iperf 2's UDP header (sequence number, send time, the client test header); the last one has a negative
 * sequence number (the FIN) and the server answers it with its report (bytes, duration, jitter, lost,
 * out-of-order, datagrams), which the client prints as "Server Report". The server computes jitter as
 * RFC 1889 does and loss from sequence gaps, per -i interval and in total. Reports use iperf's formats:
 * KBytes/MBytes in powers of 1024, Kbits/Mbits/sec in powers of 1000, 4-digit fields.
 *
 * The pacing follows iperf 2.1.8's: the first datagram goes out at the start, the next two one
 * inter-packet gap (IPG) later, then one per IPG; a time test keeps sending while the previous datagram
 * left before the end, and the FIN follows one IPG after the last datagram. These reproduce the real
 * counts (e.g. 181 datagrams + FIN for -t 2 at 1 Mbit/s).
 *
 */
import {
  AF_INET,
  EAGAIN,
  ECONNREFUSED,
  EINTR,
  ENOBUFS,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_STREAM,
  STRERROR,
  ipRouteOutputKey,
  isRouteError,
} from '@skblab/kernel';
import {
  SOL_SOCKET,
  SOL_TCP,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  TCP_INFO,
  type Task,
} from '@skblab/runtime';
import { tcpInfoField } from './tcp-info';
import { ipv4ToString, parseIpv4 } from '@skblab/wire/address';
import { waitNet, type Command, type CommandContext } from './command';
import { expandLongOptions, getopt, type LongOption } from './getopt';
import { resolveHost } from './resolve';
import { printfG, strtol } from './libc';

const SEPARATOR = '------------------------------------------------------------\n';
const USAGE_SHORT = "Usage: iperf [-s|-c host] [options]\nTry `iperf --help' for more information.\n";
const VERSION = 'iperf version 2.1.8 (12 August 2022) pthreads\n';
/** kDefault_UDPRate: 1 Mbit/s in iperf's binary mega. */
const DEFAULT_UDP_RATE = 1024 * 1024;
const DEFAULT_UDP_LEN = 1470;
/** SO_SNDBUF of a new socket (net.core.wmem_default). */
const WMEM_DEFAULT = 212992;
/** sizeof(struct UDP_datagram): id, tv_sec, tv_usec, id2. */
const UDP_HDR = 16;
/** The client's FIN wait: select() for 10 ms, 200 times (2 s). */
const RETRY_TIMER_NS = 10_000_000;
const RETRY_COUNT = 200;
/** MAXUDPBUF: what the client reads the server's report into. */
const MAXUDPBUF = 1470;
/** HEADER_VERSION1 | HEADER_SEQNO64B and the rest of what 2.1.8 sets for a plain UDP test. */
const CLIENT_FLAGS = 0x48010098;
const SERVER_FLAGS = 0x88000000;

const HELP_LINES = [
  'Usage: iperf [-s|-c host] [options]',
  '       iperf [-h|--help] [-v|--version]',
  '',
  'Client/Server:',
  '  -b, --bandwidth #[kmgKMG | pps]  bandwidth to read/send at in bits/sec or packets/sec',
  '  -e, --enhanced    use enhanced reporting giving more tcp/udp and traffic information',
  '  -f, --format    [kmgKMG]   format to report: Kbits, Mbits, KBytes, MBytes',
  '      --hide-ips           hide ip addresses and host names within outputs',
  '  -i, --interval  #        seconds between periodic bandwidth reports',
  '  -l, --len       #[kmKM]    length of buffer in bytes to read or write (Defaults: TCP=128K, v4 UDP=1470, v6 UDP=1450)',
  '  -m, --print_mss          print TCP maximum segment size',
  '  -o, --output    <filename> output the report or error message to this specified file',
  '  -p, --port      #        client/server port to listen/send on and to connect',
  '      --permit-key         permit key to be used to verify client and server (TCP only)',
  '      --sum-only           output sum only reports',
  '  -u, --udp                use UDP rather than TCP',
  '  -w, --window    #[KM]    TCP window size (socket buffer size)',
  '  -z, --realtime           request realtime scheduler',
  '  -B, --bind <host>[:<port>][%<dev>] bind to <host>, ip addr (including multicast address) and optional port and device',
  '  -C, --compatibility      for use with older versions does not sent extra msgs',
  '  -M, --mss       #        set TCP maximum segment size using TCP_MAXSEG',
  "  -N, --nodelay            set TCP no delay, disabling Nagle's Algorithm",
  "  -S, --tos       #        set the socket's IP_TOS (byte) field",
  '  -Z, --tcp-congestion <algo>  set TCP congestion control algorithm (Linux only)',
  '',
  'Server specific:',
  '  -p, --port      #[-#]    server port(s) to listen on/connect to',
  '  -s, --server             run in server mode',
  '  -1, --singleclient       run one server at a time',
  '      --histograms         enable latency histograms',
  '      --permit-key-timeout set the timeout for a permit key in seconds',
  '      --tcp-rx-window-clamp set the TCP receive window clamp size in bytes',
  '      --tap-dev   #[<dev>] use TAP device to receive at L2 layer',
  '  -t, --time      #        time in seconds to listen for new connections as well as to receive traffic (default not set)',
  '      --udp-histogram #,#  enable UDP latency histogram(s) with bin width and count, e.g. 1,1000=1(ms),1000(bins)',
  '  -B, --bind <ip>[%<dev>]  bind to multicast address and optional device',
  '  -U, --single_udp         run in single threaded UDP mode',
  '      --sum-dstip          sum traffic threads based upon destination ip address (default is src ip)',
  '  -D, --daemon             run the server as a daemon',
  '  -V, --ipv6_domain        Enable IPv6 reception by setting the domain and socket to AF_INET6 (Can receive on both IPv4 and IPv6)',
  '',
  'Client specific:',
  '      --bounceback         request a bounceback test (use -l for size, defaults to 100 bytes)',
  '      --bounceback-congest request a concurrent full-duplex TCP stream',
  '      --bounceback-hold    request the server to insert a delay of n milliseconds between its read and write',
  '      --bounceback-period  request the client schedule a send every n milliseconds',
  '      --bounceback-no-quickack request the server not set the TCP_QUICKACK socket option (disabling TCP ACK delays) during a bounceback test',
  '  -c, --client    <host>   run in client mode, connecting to <host>',
  '      --connect-only       run a connect only test',
  '      --connect-retries #  number of times to retry tcp connect',
  '  -d, --dualtest           Do a bidirectional test simultaneously (multiple sockets)',
  '      --fq-rate #[kmgKMG]  bandwidth to socket pacing',
  '      --full-duplex        run full duplex test using same socket',
  '      --ipg                set the the interpacket gap (milliseconds) for packets within an isochronous frame',
  '      --isochronous <frames-per-second>:<mean>,<stddev> send traffic in bursts (frames - emulate video traffic)',
  '      --incr-dstip         Increment the destination ip with parallel (-P) traffic threads',
  '      --incr-dstport       Increment the destination port with parallel (-P) traffic threads',
  '      --incr-srcip         Increment the source ip with parallel (-P) traffic threads',
  '      --incr-srcport       Increment the source port with parallel (-P) traffic threads',
  "      --local-only         Set don't route on socket",
  '      --near-congestion=[w] Use a weighted write delay per the sampled TCP RTT (experimental)',
  '      --no-connect-sync    No sychronization after connect when -P or parallel traffic threads',
  '      --no-udp-fin         No final server to client stats at end of UDP test',
  '  -n, --num       #[kmgKMG]    number of bytes to transmit (instead of -t)',
  '  -r, --tradeoff           Do a fullduplexectional test individually',
  "      --tcp-quickack       set the socket's TCP_QUICKACK option (off by default)",
  "      --tcp-write-prefetch set the socket's TCP_NOTSENT_LOWAT value in bytes and use event based writes",
  '      --tcp-write-times    measure the socket write times at the application level',
  '  -t, --time      #        time in seconds to transmit for (default 10 secs)',
  '      --trip-times         enable end to end measurements (requires client and server clock sync)',
  '      --txdelay-time       time in seconds to hold back after connect and before first write',
  '      --txstart-time       unix epoch time to schedule first write and start traffic',
  '  -B, --bind [<ip> | <ip:port>] bind ip (and optional port) from which to source traffic',
  '  -F, --fileinput <name>   input the data to be transmitted from a file',
  '  -H, --ssm-host <ip>      set the SSM source, use with -B for (S,G) ',
  '  -I, --stdin              input the data to be transmitted from stdin',
  '  -L, --listenport #       port to receive fullduplexectional tests back on',
  '  -P, --parallel  #        number of parallel client threads to run',
  '  -R, --reverse            reverse the test (client receives, server sends)',
  '  -S, --tos                IP DSCP or tos settings',
  '  -T, --ttl       #        time-to-live, for multicast (default 1)',
  '  -V, --ipv6_domain        Set the domain to IPv6 (send packets over IPv6)',
  '  -X, --peer-detect        perform server version detection and version exchange',
  '',
  'Miscellaneous:',
  '  -x, --reportexclude [CDMSV]   exclude C(connection) D(data) M(multicast) S(settings) V(server) reports',
  '  -y, --reportstyle C      report as a Comma-Separated Values',
  '  -h, --help               print this message and quit',
  '  -v, --version            print version information and quit',
  '',
  '[kmgKMG] Indicates options that support a k,m,g,K,M or G suffix',
  'Lowercase format characters are 10^3 based and uppercase are 2^n based',
  '(e.g. 1k = 1000, 1K = 1024, 1m = 1,000,000 and 1M = 1,048,576)',
  '',
  'Accepted tos values are: af11, af12, af13, af21, af22, af23, af31, af32, af33, af41, af42, af43,',
  'cs0, cs1, cs2, cs3, cs4, cs5, cs6, cs7, ef, le, nqb, nqb2, ac_be, ac_bk, ac_vi, ac_vo, lowdelay, throughput,',
  'reliability, or a numeric value.',
  '',
  'The TCP window size option can be set by the environment variable',
  'TCP_WINDOW_SIZE. Most other options can be set by an environment variable',
  'IPERF_<long option name>, such as IPERF_BANDWIDTH.',
  '',
  'Source at <http://sourceforge.net/projects/iperf2/>',
  'Report bugs to <iperf-users@lists.sourceforge.net>',
];

// ---- number parsing and formatting, as iperf's stdio.c does it -------------------------------------------

const SUFFIX: Record<string, number> = {
  G: 1024 * 1024 * 1024,
  M: 1024 * 1024,
  K: 1024,
  g: 1e9,
  m: 1e6,
  k: 1e3,
};

/** sscanf("%lf%c"): the leading number (0 when there is none) and the character after it. */
function scanNumber(s: string): { n: number; suffix: string; ok: boolean } {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(.?)/.exec(s);
  if (!m) return { n: 0, suffix: '', ok: false };
  return { n: Number(m[1]), suffix: m[2], ok: true };
}

/** byte_atof / byte_atoi: a number with an optional [kmgKMG] suffix. */
export function byteAtof(s: string): number {
  const { n, suffix } = scanNumber(s);
  return n * (SUFFIX[suffix] ?? 1);
}

/** printf("%4.Nf") */
function f4(x: number, decimals: number): string {
  return x.toFixed(decimals).padStart(4);
}

/** byte_snprintf(): "  261 KByte", "1.06 Mbit" (format 'A' adaptive bytes, 'a' adaptive bits, or a fixed unit). */
export function byteSnprintf(bytes: number, format: string): string {
  const upper = format === format.toUpperCase();
  let num = upper ? bytes : bytes * 8;
  const base = upper ? 1024 : 1000;
  let conv = 0;
  const fixed = 'BKMGTP'.indexOf(format.toUpperCase());
  if (fixed >= 0) conv = fixed;
  else {
    let tmp = Math.abs(num);
    while (tmp >= base && conv < 5) {
      tmp /= base;
      conv++;
    }
  }
  num /= base ** conv;
  const label = upper
    ? ['Byte', 'KByte', 'MByte', 'GByte', 'TByte', 'PByte'][conv]
    : ['bit', 'Kbit', 'Mbit', 'Gbit', 'Tbit', 'Pbit'][conv];
  const a = Math.abs(num);
  const digits = a < 0.9995 ? 3 : a < 9.995 ? 2 : a < 99.95 ? 1 : 0;
  return `${f4(num, digits)} ${label}`;
}

const sec4 = (us: number) => (us / 1e6).toFixed(4);
const idTag = (id: number) => `[${String(id).padStart(3)}] `;
/**
 * The " (icwnd/mss/irtt=319/32741/62)" both ends print after "connected with", from TCP_INFO when the
 * connection is reported: icwnd is the congestion window in KBytes (tcpi_snd_cwnd * tcpi_snd_mss / 1024,
 * so 10 segments of 1448 bytes are 14), then tcpi_snd_mss and tcpi_rtt in microseconds.
 */
function tcpInfoSuffix(task: Task, fd: number): string {
  const info = task.getsockopt(fd, SOL_TCP, TCP_INFO);
  const cwnd = tcpInfoField(info, 'tcpi_snd_cwnd');
  const mss = tcpInfoField(info, 'tcpi_snd_mss');
  const irtt = tcpInfoField(info, 'tcpi_rtt');
  return ` (icwnd/mss/irtt=${Math.floor((cwnd * mss) / 1024)}/${mss}/${irtt})`;
}

/** The "connected with" line's suffix: the client's -S, or the TOS the server's first datagram came with. */
const tosRx = (tos: number) => (tos ? ` (tos rx=0x${tos.toString(16)})` : '');

// ---- the datagrams ------------------------------------------------------------------------------------

/** A client datagram: UDP_datagram (id, tv_sec, tv_usec, id2) and 2.1.8's client test header. */
export function clientDatagram(
  len: number,
  id: number,
  us: number,
  port: number,
  bufLen: number,
  amount: number,
): Uint8Array {
  const buf = new Uint8Array(len);
  const full = new Uint8Array(Math.max(len, 68));
  const v = new DataView(full.buffer);
  v.setInt32(0, id | 0);
  v.setUint32(4, Math.floor(us / 1e6));
  v.setUint32(8, us % 1e6);
  v.setInt32(12, id < 0 ? -1 : 0);
  v.setUint32(16, CLIENT_FLAGS);
  v.setInt32(20, 1); // numThreads
  v.setInt32(24, port);
  v.setInt32(28, bufLen);
  v.setInt32(32, 0); // mWinBand
  v.setInt32(36, amount | 0);
  v.setUint32(52, 0x00020001); // version 2.1
  v.setUint32(56, 0x00080003); // .8, final
  v.setUint32(64, 0x00100000);
  buf.set(full.subarray(0, len));
  return buf;
}

/** The 64-bit sequence number: id (low 32 bits) and id2 (high). */
function packetIdOf(data: Uint8Array): number {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return v.getInt32(12) * 4294967296 + v.getUint32(0);
}

interface ServerStats {
  bytes: number;
  durationUs: number;
  lost: number;
  outOfOrder: number;
  datagrams: number;
  jitterSec: number;
  minTransitUs: number;
  maxTransitUs: number;
  sumTransitUs: number;
  cntTransit: number;
}

/** The FIN ack: a zeroed UDP_datagram, server_hdr (v1) and its extension, 128 bytes. */
function serverAck(s: ServerStats): Uint8Array {
  const buf = new Uint8Array(128);
  const v = new DataView(buf.buffer);
  const split = (off: number, x: number) => {
    v.setInt32(off, Math.floor(x / 4294967296));
    v.setUint32(off + 4, x % 4294967296);
  };
  v.setUint32(16, SERVER_FLAGS);
  split(20, s.bytes);
  v.setInt32(28, Math.floor(s.durationUs / 1e6));
  v.setInt32(32, s.durationUs % 1e6);
  v.setInt32(36, s.lost);
  v.setInt32(40, s.outOfOrder);
  v.setInt32(44, s.datagrams);
  const jitterUs = Math.floor(s.jitterSec * 1e6);
  v.setInt32(48, Math.floor(jitterUs / 1e6));
  v.setInt32(52, jitterUs % 1e6);
  const usPair = (off: number, us: number) => {
    v.setInt32(off, Math.floor(us / 1e6));
    v.setInt32(off + 4, us % 1e6);
  };
  if (s.cntTransit) {
    usPair(56, s.minTransitUs);
    usPair(64, s.maxTransitUs);
    usPair(72, s.sumTransitUs);
    usPair(80, Math.floor(s.sumTransitUs / s.cntTransit));
  }
  v.setInt32(104, s.cntTransit);
  return buf;
}

function parseAck(data: Uint8Array): ServerStats | null {
  if (data.length < 56) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    bytes: v.getInt32(20) * 4294967296 + v.getUint32(24),
    durationUs: v.getInt32(28) * 1e6 + v.getInt32(32),
    lost: v.getInt32(36),
    outOfOrder: v.getInt32(40),
    datagrams: v.getInt32(44),
    jitterSec: v.getInt32(48) + v.getInt32(52) / 1e6,
    minTransitUs: 0,
    maxTransitUs: 0,
    sumTransitUs: 0,
    cntTransit: 0,
  };
}

// ---- settings ---------------------------------------------------------------------------------------

interface Settings {
  server: boolean;
  client: string | null;
  udp: boolean;
  port: number;
  len: number | null;
  amount: number | null;
  rate: number;
  bind: string | null;
  time: number | null;
  interval: number;
  format: string;
  /** -S: the client socket's IP_TOS. */
  tos: number;
}

/** iperf's -S names (parse_ipqos, case-insensitive), with the TOS byte 2.1.8 sets for each. */
const IPQOS: Record<string, number> = {
  ...Object.fromEntries(
    ['11', '12', '13', '21', '22', '23', '31', '32', '33', '41', '42', '43'].map((c) => [
      `af${c}`,
      ((Number(c[0]) << 3) | (Number(c[1]) << 1)) << 2,
    ]),
  ),
  ...Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7].map((n) => [`cs${n}`, n << 5])),
  ef: 0xb8,
  le: 0x01,
  nqb: 0x05,
  nqb2: 0x2d,
  ac_be: 0x00,
  ac_bk: 0x20,
  ac_vi: 0x80,
  ac_vo: 0xb8,
  lowdelay: 0x10,
  throughput: 0x08,
  reliability: 0x04,
};

/** parse_ipqos: a name, or a number as strtol(.., 0) reads it, all of it, 0 to 255; else -1. */
function parseIpqos(v: string): number {
  const named = IPQOS[v.toLowerCase()];
  if (named !== undefined) return named;
  const r = strtol(v, 0);
  return v && r && r.rest === '' && r.v >= 0n && r.v <= 255n ? Number(r.v) : -1;
}

const SHORT_OPTIONS = '1b:c:def:hi:l:mn:o:p:rst:uvw:x:y:zB:CDF:H:IL:M:NP:RS:T:UVXZ:';

const LONG_OPTIONS: Record<string, [string, boolean]> = {
  server: ['s', false],
  client: ['c', true],
  udp: ['u', false],
  port: ['p', true],
  len: ['l', true],
  num: ['n', true],
  bandwidth: ['b', true],
  bind: ['B', true],
  time: ['t', true],
  interval: ['i', true],
  format: ['f', true],
  tos: ['S', true],
  enhanced: ['e', false],
  help: ['h', false],
  version: ['v', false],
};

const NOT_MODELLED: Record<string, string> = {
  '1': '-1 (single client)',
  d: '-d (dual test)',
  e: '-e (enhanced reports)',
  m: '-m (print MSS)',
  o: '-o (output file)',
  r: '-r (trade-off test)',
  w: '-w (socket buffer size)',
  x: '-x (report exclusions)',
  y: '-y (CSV reports)',
  z: '-z (realtime scheduling)',
  C: '-C (compatibility mode)',
  D: '-D (daemon)',
  F: '-F (file input)',
  H: '-H (SSM host)',
  I: '-I (stdin input)',
  L: '-L (listen port)',
  M: '-M (MSS)',
  N: '-N (no delay)',
  P: '-P (parallel streams)',
  R: '-R (reverse test)',
  T: '-T (multicast TTL)',
  U: '-U (single-threaded UDP)',
  V: 'IPv6 (-V)',
  X: '-X (peer detection)',
  Z: '-Z (congestion control)',
};

/** kDefault_TCPBufLen: -l for TCP */
const DEFAULT_TCP_LEN = 128 * 1024;

// ---- shared helpers ---------------------------------------------------------------------------------

/** Sleep until a simulated time; false when the job was stopped. */
async function sleepUntil(ctx: CommandContext, t: number): Promise<boolean> {
  const now = ctx.lab.now();
  if (t <= now) return !ctx.job.stopped;
  return ctx.sleep(t - now);
}

const usNow = (ctx: CommandContext) => Math.floor(ctx.lab.now() / 1000);

/** The bandwidth report line: "[  1] 0.0000-1.0000 sec   131 KBytes  1.07 Mbits/sec". */
function bwLine(id: number, fromUs: number, toUs: number, bytes: number, format: string): string {
  const dur = (toUs - fromUs) / 1e6;
  const bw = dur > 0 ? bytes / dur : 0;
  return `${idTag(id)}${sec4(fromUs)}-${sec4(toUs)} sec  ${byteSnprintf(bytes, format.toUpperCase())}s  ${byteSnprintf(bw, format)}s/sec`;
}

function jitterLine(
  id: number,
  fromUs: number,
  toUs: number,
  bytes: number,
  format: string,
  jitterSec: number,
  lost: number,
  total: number,
): string {
  const pct = total > 0 ? (100 * lost) / total : 0;
  return `${bwLine(id, fromUs, toUs, bytes, format)}  ${(jitterSec * 1000).toFixed(3).padStart(6)} ms ${lost}/${total} (${printfG(pct, 2)}%)`;
}

// ---- the client -------------------------------------------------------------------------------------

async function runClient(ctx: CommandContext, s: Settings): Promise<number> {
  const lab = ctx.lab;
  const host = s.client!;
  const len = s.len ?? DEFAULT_UDP_LEN;
  const daddr = resolveHost(lab, host);
  if (daddr === null) {
    ctx.err(`${host}: Host name lookup failure\n`);
    return 1;
  }
  const ipgNs = (len * 8 * 1e9) / s.rate;
  if (!(ipgNs / 1e9 <= 60)) {
    ctx.err(`ERROR: IPG delay target of ${printfG(ipgNs / 1e9)} secs too large (max value is 60 secs)\n`);
    return 1;
  }
  const task = ctx.task('iperf');
  const fd = task.socket(AF_INET, SOCK_DGRAM, 0);
  if (s.tos) task.setsockopt(fd, 'tos', s.tos);
  if (s.bind !== null) {
    const [a, p] = s.bind.split(':');
    const addr = parseIpv4(a) ?? resolveHost(lab, a);
    const rc = addr === null ? -99 : task.bind(fd, addr, Number(p ?? 0) & 0xffff);
    if (rc < 0) ctx.err(`bind failed: ${STRERROR[-rc]}\n`);
  }
  const dst = ipv4ToString(daddr);
  const crc = task.connect(fd, daddr, s.port);
  if (crc < 0) {
    ctx.err(`udp connect failed: ${STRERROR[-crc]}\n`);
    ctx.out(`${idTag(1)}local 0.0.0.0 port 0 connected with ${dst} port ${s.port}\n`);
    task.closeAll();
    return 0;
  }
  ctx.out(
    SEPARATOR +
      `Client connecting to ${host}, UDP port ${s.port}\n` +
      `Sending ${len} byte datagrams, IPG target: ${(ipgNs / 1000).toFixed(2)} us (kalman adjust)\n` +
      `UDP buffer size: ${byteSnprintf(WMEM_DEFAULT, 'A')} (default)\n` +
      SEPARATOR,
  );
  const sk = task.sockOf(fd)!;
  ctx.out(
    `${idTag(1)}local ${ipv4ToString(sk.saddr)} port ${sk.num} connected with ${dst} port ${s.port}${tosRx(s.tos)}\n`,
  );
  // The reporter prints the table header with the first report.
  let header = false;
  const report = (line: string) => {
    if (!header) ctx.out('[ ID] Interval       Transfer     Bandwidth\n');
    header = true;
    ctx.out(line + '\n');
  };

  const timeMode = s.amount === null;
  let amount = s.amount ?? 0;
  const amountField = timeMode ? -Math.round((s.time ?? 10) * 100) : amount;
  const startNs = lab.now();
  const startUs = Math.floor(startNs / 1000);
  const endUs = startUs + Math.round((s.time ?? 10) * 1e6);
  const intervalUs = Math.round(s.interval * 1e6);
  let nextReportUs = intervalUs > 0 ? startUs + intervalUs : Infinity;
  let intervalBytes = 0;
  let totalBytes = 0;
  let packetId = 1;

  /** ReportPacket(): interval reports for every boundary this packet passed, then count it. */
  const account = (us: number, bytes: number) => {
    while (us >= nextReportUs) {
      const to = nextReportUs - startUs;
      report(bwLine(1, to - intervalUs, to, intervalBytes, s.format));
      intervalBytes = 0;
      nextReportUs += intervalUs;
    }
    intervalBytes += bytes;
    totalBytes += bytes;
  };
  const write = (id: number, n: number) => {
    const us = usNow(ctx);
    const rc = task.sendto(fd, clientDatagram(n, id, us, s.port, len, amountField), null, 0);
    return { rc, us };
  };
  const fatal = (rc: number) => rc !== -EAGAIN && rc !== -ECONNREFUSED && rc !== -ENOBUFS;

  // SendFirstPayload(): the test header, at the start.
  {
    const { rc, us } = write(packetId, len);
    if (rc < 0) ctx.err(`send_hdr failed: ${STRERROR[-rc]}\n`);
    else {
      account(us, rc);
      if (!timeMode) amount = Math.max(0, amount - rc);
      packetId++;
    }
  }
  // RunUDP(): slot k (k >= 1) is (k - 1) IPGs after the start, the first one delayed by an IPG.
  let k = 1;
  const slot = (i: number) => startNs + (i === 1 ? (ipgNs > 100_000 ? ipgNs : 0) : (i - 1) * ipgNs);
  let lastPacketUs = startUs;
  sending: for (;;) {
    if (!(await sleepUntil(ctx, slot(k)))) break;
    // InProgress() looks at the previous write's time. A write that fails on a pending error (a refused
    // port) is retried at once with the same sequence number, but iperf's pacing then checks the time of
    // this slot instead: at the end that leaves the error pending for the FIN, as on Linux.
    let sent = { rc: 0, us: 0 };
    if (!timeMode && amount <= 0) break;
    if (timeMode && lastPacketUs > endUs) break;
    if (timeMode && task.sockOf(fd)!.skErr !== 0 && usNow(ctx) > endUs) break;
    for (let retry = 0; ; retry++) {
      sent = write(packetId, timeMode ? len : Math.min(amount, len));
      lastPacketUs = sent.us;
      if (sent.rc >= 0) break;
      if (fatal(sent.rc)) {
        ctx.err(`write failed: ${STRERROR[-sent.rc]}\n`);
        break sending;
      }
      if (retry >= 1000) break sending;
    }
    account(sent.us, sent.rc);
    if (!timeMode) amount = Math.max(0, amount - sent.rc);
    packetId++;
    k++;
  }

  // FinishTrafficActions(): the FIN (negative sequence number), then the report.
  const fin = write(-packetId, len);
  const endReportUs = fin.us;
  if (fin.rc > 0) {
    account(fin.us, fin.rc);
    packetId++;
  }
  report(bwLine(1, 0, endReportUs - startUs, totalBytes, s.format));
  ctx.out(`${idTag(1)}Sent ${packetId} datagrams\n`);

  // AwaitServerFinPacket(): 10 ms selects; resend the FIN after each quiet one.
  let acked = false;
  if (!ctx.job.stopped) {
    for (let count = RETRY_COUNT; --count >= 0; ) {
      const w = await waitNet(ctx.job, task, fd, lab.now() + RETRY_TIMER_NS);
      if (w === 'stopped') break;
      if (w === 'timeout') {
        const rc = write(-++packetId, len).rc;
        if (rc < 0) ctx.err(`write-fin failed: ${STRERROR[-rc]}\n`);
        continue;
      }
      const r = task.tryRecv(fd);
      if (typeof r === 'number') {
        if (r !== -EAGAIN) ctx.err(`read failed: ${STRERROR[-r]}\n`);
        continue;
      }
      const ack = parseAck(r.data.subarray(0, MAXUDPBUF));
      if (!ack) continue;
      acked = true;
      ctx.out(`${idTag(1)}Server Report:\n`);
      ctx.out('[ ID] Interval       Transfer     Bandwidth        Jitter   Lost/Total Datagrams\n');
      ctx.out(
        jitterLine(1, 0, ack.durationUs, ack.bytes, s.format, ack.jitterSec, ack.lost, ack.datagrams) + '\n',
      );
      if (ack.outOfOrder > 0)
        ctx.out(
          `${idTag(1)}${sec4(0)}-${sec4(ack.durationUs)} sec  ${ack.outOfOrder} datagrams received out-of-order\n`,
        );
      break;
    }
    if (!acked && !ctx.job.stopped)
      ctx.err(
        `${idTag(fd)}WARNING: did not receive ack of last datagram after ${timeMode ? 10 : 1} tries.\n`,
      );
  }
  task.closeAll();
  return 0;
}

// ---- the server -------------------------------------------------------------------------------------

interface Session {
  id: number;
  /** The TOS byte of the test's first datagram. */
  tos: number;
  peer: number;
  port: number;
  startUs: number;
  lastUs: number;
  finished: boolean;
  ack: Uint8Array | null;
  /** The highest sequence number seen (iperf's PacketID). */
  packetId: number;
  bytes: number;
  lost: number;
  outOfOrder: number;
  jitter: number;
  lastTransit: number | null;
  minTransitUs: number;
  maxTransitUs: number;
  sumTransitUs: number;
  cntTransit: number;
  /** Interval accounting (-i). */
  nextReportUs: number;
  iv: { bytes: number; lost: number; outOfOrder: number; packetId: number };
}

async function runServer(ctx: CommandContext, s: Settings): Promise<number> {
  const lab = ctx.lab;
  const task = ctx.task('iperf');
  const fd = task.socket(AF_INET, SOCK_DGRAM, 0);
  let bindAddr = 0;
  if (s.bind !== null) {
    const a = parseIpv4(s.bind.split('%')[0]) ?? resolveHost(lab, s.bind);
    if (a === null) {
      ctx.err(`${s.bind}: Host name lookup failure\n`);
      return 1;
    }
    bindAddr = a;
  }
  const rc = task.bind(fd, bindAddr, s.port);
  if (rc < 0) {
    ctx.err(`bind failed: ${STRERROR[-rc]}\n`);
    task.closeAll();
    return 1;
  }
  const readLen = s.len ?? DEFAULT_UDP_LEN;
  ctx.out(
    SEPARATOR +
      `Server listening on UDP port ${s.port}\n` +
      `UDP buffer size: ${byteSnprintf(task.sockOf(fd)!.rcvbuf, 'A')} (default)\n` +
      SEPARATOR,
  );
  const intervalUs = Math.round(s.interval * 1e6);
  const sessions = new Map<string, Session>();
  let nextId = 1;
  const stopAt = s.time !== null ? lab.now() + s.time * 1e9 : Infinity;

  const printInterval = (ss: Session, fromUs: number, toUs: number) => {
    const datagrams = ss.packetId - ss.iv.packetId;
    const ooo = ss.outOfOrder - ss.iv.outOfOrder;
    const lost = Math.max(0, ss.lost - ss.iv.lost - ooo);
    const [a, b] = [fromUs - ss.startUs, toUs - ss.startUs];
    ctx.out(jitterLine(ss.id, a, b, ss.bytes - ss.iv.bytes, s.format, ss.jitter, lost, datagrams) + '\n');
    if (ooo > 0)
      ctx.out(`${idTag(ss.id)}${sec4(a)}-${sec4(b)} sec  ${ooo} datagrams received out-of-order\n`);
    ss.iv = { bytes: ss.bytes, lost: ss.lost, outOfOrder: ss.outOfOrder, packetId: ss.packetId };
  };

  // The report goes back with the TOS the test came with (iperf reads it with IP_RECVTOS).
  const answer = (ss: Session) => {
    task.setsockopt(fd, 'tos', ss.tos);
    task.sendto(fd, ss.ack!, ss.peer, ss.port);
  };

  const handle = (data: Uint8Array, from: number, port: number, tos: number) => {
    if (data.length < UDP_HDR) return;
    const key = `${from}:${port}`;
    const id = packetIdOf(data);
    let ss = sessions.get(key);
    if (ss?.finished) {
      // A retransmitted FIN: answer it again. A new test from the same port starts a new session.
      if (id < 0) {
        if (ss.ack) answer(ss);
        return;
      }
      ss = undefined;
    }
    const nowUs = usNow(ctx);
    if (!ss) {
      const rt = ipRouteOutputKey(ctx.net, {
        daddr: from,
        saddr: bindAddr,
        oif: 0,
        tos: 0,
        proto: IPPROTO_UDP,
      });
      const local = bindAddr || (isRouteError(rt) ? 0 : rt.src);
      ss = {
        id: nextId++,
        tos,
        peer: from,
        port,
        startUs: nowUs,
        lastUs: nowUs,
        finished: false,
        ack: null,
        packetId: 0,
        bytes: 0,
        lost: 0,
        outOfOrder: 0,
        jitter: 0,
        lastTransit: null,
        minTransitUs: Infinity,
        maxTransitUs: 0,
        sumTransitUs: 0,
        cntTransit: 0,
        nextReportUs: intervalUs > 0 ? nowUs + intervalUs : Infinity,
        iv: { bytes: 0, lost: 0, outOfOrder: 0, packetId: 0 },
      };
      sessions.set(key, ss);
      ctx.out(
        `${idTag(ss.id)}local ${ipv4ToString(local)} port ${s.port} connected with ${ipv4ToString(from)} port ${port}${tosRx(tos)}\n`,
      );
      ctx.out('[ ID] Interval       Transfer     Bandwidth        Jitter   Lost/Total Datagrams\n');
    }
    // Interval reports for the boundaries this datagram passed.
    while (nowUs >= ss.nextReportUs) {
      printInterval(ss, ss.nextReportUs - intervalUs, ss.nextReportUs);
      ss.nextReportUs += intervalUs;
    }
    ss.lastUs = nowUs;
    ss.bytes += Math.min(data.length, readLen);
    const pid = Math.abs(id);
    // packet loss occurred if the datagram numbers aren't sequential
    if (pid !== ss.packetId + 1) {
      if (pid < ss.packetId + 1) ss.outOfOrder++;
      else ss.lost += pid - ss.packetId - 1;
    }
    if (pid > ss.packetId) ss.packetId = pid;
    // RFC 1889 jitter over the one-way transit times (send stamps are in microseconds).
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const sentUs = v.getUint32(4) * 1e6 + v.getUint32(8);
    const transitUs = nowUs - sentUs;
    const transit = transitUs / 1e6;
    if (ss.lastTransit !== null) ss.jitter += (Math.abs(transit - ss.lastTransit) - ss.jitter) / 16;
    ss.lastTransit = transit;
    ss.minTransitUs = Math.min(ss.minTransitUs, transitUs);
    ss.maxTransitUs = Math.max(ss.maxTransitUs, transitUs);
    ss.sumTransitUs += transitUs;
    ss.cntTransit++;
    if (id >= 0) return;

    // The FIN: the last interval (when at least a quarter long), the total, and the report back.
    ss.finished = true;
    const endUs = nowUs;
    const lastStart = ss.nextReportUs - intervalUs;
    if (intervalUs > 0 && endUs - lastStart >= intervalUs / 4) printInterval(ss, lastStart, endUs);
    const lost = Math.max(0, ss.lost - ss.outOfOrder);
    const durationUs = endUs - ss.startUs;
    ctx.out(jitterLine(ss.id, 0, durationUs, ss.bytes, s.format, ss.jitter, lost, ss.packetId) + '\n');
    if (ss.outOfOrder > 0)
      ctx.out(
        `${idTag(ss.id)}${sec4(0)}-${sec4(durationUs)} sec  ${ss.outOfOrder} datagrams received out-of-order\n`,
      );
    ss.ack = serverAck({
      bytes: ss.bytes,
      durationUs,
      lost,
      outOfOrder: ss.outOfOrder,
      datagrams: ss.packetId,
      jitterSec: ss.jitter,
      minTransitUs: ss.minTransitUs,
      maxTransitUs: ss.maxTransitUs,
      sumTransitUs: ss.sumTransitUs,
      cntTransit: ss.cntTransit,
    });
    answer(ss);
  };

  for (;;) {
    const r = task.tryRecv(fd);
    if (typeof r !== 'number') {
      handle(r.data, r.from, r.port, r.tos);
      continue;
    }
    const w = await waitNet(ctx.job, task, fd, stopAt);
    if (w !== 'ready') break;
  }
  task.closeAll();
  return 0;
}

// ---- TCP --------------------------------------------------------------------------------------------

/** SIGINT ends a blocking call with EINTR: tie the task to its job. */
function interruptible(ctx: CommandContext, task: Task): Task {
  ctx.job.onStop.push(() => task.interrupt());
  return task;
}

async function runTcpClient(ctx: CommandContext, s: Settings): Promise<number> {
  const lab = ctx.lab;
  const host = s.client!;
  const len = s.len ?? DEFAULT_TCP_LEN;
  const daddr = resolveHost(lab, host);
  if (daddr === null) {
    ctx.err(`${host}: Host name lookup failure\n`);
    return 1;
  }
  const task = interruptible(ctx, ctx.task('iperf'));
  const fd = task.socket(AF_INET, SOCK_STREAM, 0);
  if (s.tos) task.setsockopt(fd, 'tos', s.tos);
  if (s.bind !== null) {
    const [a, p] = s.bind.split(':');
    const addr = parseIpv4(a) ?? resolveHost(lab, a);
    const rc = addr === null ? -99 : task.bind(fd, addr, Number(p ?? 0) & 0xffff);
    if (rc < 0) ctx.err(`bind failed: ${STRERROR[-rc]}\n`);
  }
  const dst = ipv4ToString(daddr);
  const sndbuf = task.getsockopt(fd, SOL_SOCKET, SO_SNDBUF) as number;
  ctx.out(
    SEPARATOR +
      `Client connecting to ${host}, TCP port ${s.port}\n` +
      `TCP window size: ${byteSnprintf(sndbuf, 'A')} (default)\n` +
      SEPARATOR,
  );
  const crc = await task.connectWait(fd, daddr, s.port);
  if (crc < 0) {
    if (crc !== -EINTR) ctx.err(`tcp connect failed: ${STRERROR[-crc]}\n`);
    ctx.out(`${idTag(1)}local 0.0.0.0 port 0 connected with ${dst} port ${s.port}\n`);
    task.closeAll();
    return crc === -EINTR ? 130 : 0;
  }
  const sk = task.sockOf(fd)!;
  ctx.out(
    `${idTag(1)}local ${ipv4ToString(sk.saddr || sk.rcvSaddr)} port ${sk.num} connected with ${dst} port ${s.port}${tosRx(s.tos)}` +
      `${tcpInfoSuffix(task, fd)}\n`,
  );
  let header = false;
  const report = (line: string) => {
    if (!header) ctx.out('[ ID] Interval       Transfer     Bandwidth\n');
    header = true;
    ctx.out(line + '\n');
  };
  const timeMode = s.amount === null;
  let amount = s.amount ?? 0;
  const startUs = usNow(ctx);
  const endUs = startUs + Math.round((s.time ?? 10) * 1e6);
  const intervalUs = Math.round(s.interval * 1e6);
  let nextReportUs = intervalUs > 0 ? startUs + intervalUs : Infinity;
  let intervalBytes = 0;
  let totalBytes = 0;
  const account = (us: number, bytes: number) => {
    while (us >= nextReportUs) {
      const to = nextReportUs - startUs;
      report(bwLine(1, to - intervalUs, to, intervalBytes, s.format));
      intervalBytes = 0;
      nextReportUs += intervalUs;
    }
    intervalBytes += bytes;
    totalBytes += bytes;
  };
  const buf = new Uint8Array(len);
  for (let i = 0; i < len; i++) buf[i] = 0x30 + (i % 10);
  let stopped = false;
  for (;;) {
    if (ctx.job.stopped) {
      stopped = true;
      break;
    }
    if (timeMode ? usNow(ctx) >= endUs : amount <= 0) break;
    const n = timeMode ? len : Math.min(len, amount);
    const rc = await task.send(fd, buf.subarray(0, n));
    if (rc < 0) {
      if (rc === -EINTR) stopped = true;
      else ctx.err(`write failed: ${STRERROR[-rc]}\n`);
      break;
    }
    account(usNow(ctx), rc);
    if (!timeMode) amount -= rc;
  }
  const endReportUs = usNow(ctx);
  // The last interval, when at least a quarter long, then the total.
  if (intervalUs > 0) {
    const lastStart = nextReportUs - intervalUs;
    if (endReportUs - lastStart >= intervalUs / 4 && intervalBytes > 0)
      report(bwLine(1, lastStart - startUs, endReportUs - startUs, intervalBytes, s.format));
  }
  report(bwLine(1, 0, endReportUs - startUs, totalBytes, s.format));
  task.closeAll();
  return stopped ? 130 : 0;
}

async function runTcpServer(ctx: CommandContext, s: Settings): Promise<number> {
  const lab = ctx.lab;
  const task = interruptible(ctx, ctx.task('iperf'));
  const fd = task.socket(AF_INET, SOCK_STREAM, 0);
  task.setsockoptLevel(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  let bindAddr = 0;
  if (s.bind !== null) {
    const a = parseIpv4(s.bind.split('%')[0]) ?? resolveHost(lab, s.bind);
    if (a === null) {
      ctx.err(`${s.bind}: Host name lookup failure\n`);
      return 1;
    }
    bindAddr = a;
  }
  const rc = task.bind(fd, bindAddr, s.port);
  if (rc < 0) {
    ctx.err(`bind failed: ${STRERROR[-rc]}\n`);
    task.closeAll();
    return 1;
  }
  const lrc = task.listen(fd, 5);
  if (lrc < 0) {
    ctx.err(`listen failed: ${STRERROR[-lrc]}\n`);
    task.closeAll();
    return 1;
  }
  const rcvbuf = task.getsockopt(fd, SOL_SOCKET, SO_RCVBUF) as number;
  ctx.out(
    SEPARATOR +
      `Server listening on TCP port ${s.port}\n` +
      `TCP window size: ${byteSnprintf(rcvbuf, 'A')} (default)\n` +
      SEPARATOR,
  );
  const readLen = s.len ?? DEFAULT_TCP_LEN;
  const intervalUs = Math.round(s.interval * 1e6);
  const stopAt = s.time !== null ? lab.now() + s.time * 1e9 : Infinity;
  let nextId = 1;
  for (;;) {
    const a = await task.accept(fd, 0, stopAt);
    if (typeof a === 'number') break;
    const id = nextId++;
    const sk = task.sockOf(a.fd)!;
    ctx.out(
      `${idTag(id)}local ${ipv4ToString(sk.rcvSaddr)} port ${s.port} connected with ${ipv4ToString(a.addr)} port ${a.port}` +
        `${tcpInfoSuffix(task, a.fd)}\n`,
    );
    const startUs = usNow(ctx);
    let nextReportUs = intervalUs > 0 ? startUs + intervalUs : Infinity;
    let ivBytes = 0;
    let total = 0;
    let header = false;
    const report = (line: string) => {
      if (!header) ctx.out('[ ID] Interval       Transfer     Bandwidth\n');
      header = true;
      ctx.out(line + '\n');
    };
    let stopped = false;
    for (;;) {
      const r = await task.recv(a.fd, readLen);
      if (typeof r === 'number') {
        if (r === -EINTR) stopped = true;
        break;
      }
      const us = usNow(ctx);
      while (us >= nextReportUs) {
        const to = nextReportUs - startUs;
        report(bwLine(id, to - intervalUs, to, ivBytes, s.format));
        ivBytes = 0;
        nextReportUs += intervalUs;
      }
      if (r.length === 0) break;
      ivBytes += r.length;
      total += r.length;
    }
    const endUs = usNow(ctx);
    if (intervalUs > 0) {
      const lastStart = nextReportUs - intervalUs;
      if (endUs - lastStart >= intervalUs / 4 && ivBytes > 0)
        report(bwLine(id, lastStart - startUs, endUs - startUs, ivBytes, s.format));
    }
    report(bwLine(id, 0, endUs - startUs, total, s.format));
    task.close(a.fd);
    if (stopped || ctx.job.stopped) break;
  }
  task.closeAll();
  return 0;
}

// ---- the command ------------------------------------------------------------------------------------

export const iperf: Command = async (ctx) => {
  // iperf 2 carries its own copy of GNU getopt, older than glibc's: its messages quote `--name'.
  const table = Object.entries(LONG_OPTIONS).map(([n, [k, t]]): LongOption => [n, k, t ? 1 : 0]);
  const expanded = expandLongOptions('iperf', ctx.argv.slice(1), table, SHORT_OPTIONS, 'gnu-old');
  if (typeof expanded === 'string') {
    ctx.err(expanded + '\n' + USAGE_SHORT);
    return 0;
  }
  const g = getopt(expanded, SHORT_OPTIONS, 'iperf');
  const s: Settings = {
    server: false,
    client: null,
    udp: false,
    port: 5001,
    len: null,
    amount: null,
    rate: DEFAULT_UDP_RATE,
    bind: null,
    time: null,
    interval: 0,
    format: 'a',
    tos: 0,
  };
  const unsupported: string[] = [];
  for (const [o, v] of g.opts) {
    switch (o) {
      case 'h':
        ctx.err(HELP_LINES.join('\n') + '\n');
        return 1;
      case 'v':
        ctx.err(VERSION);
        return 1;
      case 's':
        s.server = true;
        break;
      case 'c':
        s.client = v;
        break;
      case 'u':
        s.udp = true;
        break;
      case 'p':
        s.port = (scanNumber(v!).ok ? Math.trunc(scanNumber(v!).n) : 0) & 0xffff;
        break;
      case 'l':
        s.len = Math.trunc(byteAtof(v!));
        break;
      case 'n': {
        const sc = scanNumber(v!);
        if (!sc.ok) {
          ctx.err(`Invalid value for -n amount of '${v}'\n`);
          return 1;
        }
        s.amount = Math.trunc(byteAtof(v!));
        break;
      }
      case 'b':
        if (/pps$|[pP]$/.test(v!)) unsupported.push('pps');
        else s.rate = byteAtof(v!);
        break;
      case 'B':
        s.bind = v;
        break;
      case 't': {
        const sc = scanNumber(v!);
        if (!sc.ok) {
          ctx.err(`ERROR: -t value of '${v}' not recognized\n`);
          return 1;
        }
        s.time = sc.n;
        break;
      }
      case 'i': {
        const sc = scanNumber(v!);
        if (!sc.ok) {
          ctx.err(`Invalid value of '${v}' for -i interval\n`);
          return 1;
        }
        s.interval = sc.n;
        break;
      }
      case 'f':
        if ('bkmgaBKMGA'.includes(v![0] ?? '')) s.format = v![0];
        break;
      case 'S': {
        const tos = parseIpqos(v!);
        if (tos < 0) ctx.err(`Invalid --tos value of ${v}\n`);
        s.tos = Math.max(tos, 0);
        break;
      }
      default:
        unsupported.push(o);
    }
  }
  if (g.error) {
    ctx.err(g.error.replace(/'(.)'$/, '$1') + '\n' + USAGE_SHORT);
    return 0;
  }
  if (!s.server && s.client === null) {
    ctx.err(USAGE_SHORT);
    return 0;
  }
  if (unsupported.length) {
    const u = unsupported[0];
    ctx.err(
      `iperf: ${u === 'pps' ? '-b in packets per second' : NOT_MODELLED[u]} is not modelled in skblab\n`,
    );
    return 1;
  }
  if (!s.udp) {
    if (s.server) return runTcpServer(ctx, s);
    if (s.interval > 0 && s.interval < 0.0001) s.interval = 0.0001;
    return runTcpClient(ctx, s);
  }
  if (s.len !== null && s.len < UDP_HDR) {
    ctx.err(`iperf: UDP datagrams shorter than ${UDP_HDR} bytes (-l ${s.len}) are not modelled in skblab\n`);
    return 1;
  }
  if (s.server) return runServer(ctx, s);
  if (s.interval > 0 && s.interval < 0.0001) s.interval = 0.0001;
  return runClient(ctx, s);
};
