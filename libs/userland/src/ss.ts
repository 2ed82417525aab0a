/**
 * ss(8) from iproute2 6.1 (Debian 12) for TCP and Unix sockets: -t -x -a -l -n -i -o -e -m -p -H, with ss's own
 * rendering. Every cell goes into a column (Netid, State, Recv-Q, Send-Q, Local Address:, Port, Peer
 * Address:, Port, Process and a last, unnamed one); when standard output is not a terminal (always here)
 * each column is as wide as its longest cell plus its delimiter, addresses right-aligned, the rest
 * left-aligned, and the last socket's Process cell is left out of the measure, as ss's buffer leaves it
 * unflushed. -o, -e, -p, -m and -i text goes into the Process column, -i and -m after a "\n\t".
 *
 * The sockets come from the namespace's TCP tables in the order inet_diag dumps them: listeners, then the
 * established hash (connections, SYN-RECV request socks, TIME-WAIT buckets). -x lists the namespace's
 * AF_UNIX sockets as unix_diag dumps them (unix_show_sock): Netid u_str or u_dgr, the name (a path, "@"
 * for an abstract name's NUL, "*" unbound) with the socket's inode as its port, and the peer as "*" and
 * its inode (ss does not look the peer's name up); a listener's Recv-Q and Send-Q are its queue and
 * backlog, other sockets' the unread bytes and the memory their unread writes hold. Unix sockets come
 * first, as unix_show runs before tcp_show. Without -t or -x both are listed (UDP and raw are not listed
 * by the model), with the Netid column ss shows whenever more than one kind is asked for. -s prints
 * print_summary's counts from /proc/net/sockstat and /proc/net/snmp (the model has no IPv6: no
 * sockstat6, whose counts are then 0), alone unless a protocol (-t) is asked for too. Not modelled:
 * -u/-w, -r; filters on unix sockets' names; -m, -i and -e's ino/dev of unix sockets.
 */
import type { RequestSock, TcpSock, TimewaitSock } from '@skblab/kernel/include/linux/tcp';
import {
  HZ,
  ICSK_TIME_LOSS_PROBE,
  ICSK_TIME_PROBE0,
  ICSK_TIME_REO_TIMEOUT,
  ICSK_TIME_RETRANS,
} from '@skblab/kernel/include/net/tcp';
import { jiffies_at, timer_expires_jiffies } from '@skblab/kernel/kernel/time/timer';
import { TCP_LISTEN, TCP_SYN_RECV, TCP_CLOSE, TCP_TIME_WAIT } from '@skblab/kernel/include/net/tcp_states';
import { sock_gen_cookie, sock_i_ino, tcp_seq_entries } from '@skblab/kernel/net/ipv4/proc';
import { tcp_get_info } from '@skblab/kernel/net/ipv4/tcp';
import { Task } from '@skblab/runtime';
import { ipv4ToString } from '@skblab/wire/address';
import type { Command, CommandContext } from './command';
import { printfG } from './libc';
import { readProcFile } from './procfs';
import { tcpServiceByName, tcpServiceByPort } from './nc';
import { parseSsFilter, SsFilterError, type SsFilter, type SsTuple } from './ssfilter';
import { unix_diag_dump, type UnixDiagMsg } from '@skblab/kernel/net/unix/diag';
import { unix_addr_text } from '@skblab/kernel/include/net/af_unix';
import {
  TCPI_OPT_ECN,
  TCPI_OPT_ECN_SEEN,
  TCPI_OPT_SACK,
  TCPI_OPT_SYN_DATA,
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_WSCALE,
  tcpInfoField,
} from './tcp-info';

/** enum: the sstate_name table (SS_* are the TCP states). */
const SSTATE_NAME = [
  'UNKNOWN',
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'UNCONN',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
];
const SS_MAX = 12;
const SS_ALL = (1 << SS_MAX) - 1;
const SS_CONN = SS_ALL & ~((1 << TCP_LISTEN) | (1 << TCP_CLOSE) | (1 << TCP_TIME_WAIT) | (1 << TCP_SYN_RECV));

// ---- columns and rendering (ss.c's field/buffer/render machinery) ------------------------------------

interface Column {
  align: 'left' | 'right';
  header: string;
  ldelim: string;
  disabled: boolean;
  width: number;
  maxLen: number;
}

const COL_NETID = 0;
const COL_STATE = 1;
const COL_PROC = 9;

function newColumns(): Column[] {
  const c = (align: 'left' | 'right', header: string, ldelim: string): Column => ({
    align,
    header,
    ldelim,
    disabled: false,
    width: 0,
    maxLen: 0,
  });
  return [
    c('left', 'Netid', ''),
    c('left', 'State', ' '),
    c('left', 'Recv-Q', ' '),
    c('left', 'Send-Q', ' '),
    c('right', 'Local Address:', ' '),
    c('left', 'Port', ''),
    c('right', 'Peer Address:', ' '),
    c('left', 'Port', ''),
    c('left', 'Process', ''),
    c('left', '', ''),
  ];
}

/**
 * render(): the header's and the rows' cells as ss stores and prints them. `rows` hold the cells of
 * columns NETID..EXT (disabled ones ignored).
 */
export function renderColumns(columns: Column[], rows: string[][], header: boolean): string {
  // The token stream: the header (up to EXT), then each row after an empty PROC token; the last token is
  // never flushed, so it does not count toward its column's width.
  const tokens: Array<[number, string]> = [];
  if (header)
    for (let i = 0; i < COL_PROC; i++) if (!columns[i].disabled) tokens.push([i, columns[i].header]);
  rows.forEach((r) => {
    if (header || tokens.length) tokens.push([COL_PROC, '']);
    for (let i = 0; i < COL_PROC; i++) if (!columns[i].disabled) tokens.push([i, r[i] ?? '']);
  });
  if (!rows.length && header) tokens.push([COL_PROC, '']);
  if (!tokens.length) return '';
  tokens.forEach(([c, t], i) => {
    if (i < tokens.length - 1 && t.length > columns[c].maxLen) columns[c].maxLen = t.length;
  });
  // render_calc_width(), compact output (not a tty): each column as wide as its content.
  let first = true;
  for (const c of columns) {
    if (c.disabled) continue;
    c.width = !first && c.maxLen ? c.maxLen + c.ldelim.length : c.maxLen;
    if (c.width) first = false;
  }
  let out = '';
  let lineStarted = false;
  // The tokens start at the first enabled column.
  let f = columns.findIndex((c) => !c.disabled);
  for (const [, text] of tokens) {
    const col = columns[f];
    let printed = 0;
    if (lineStarted) {
      out += col.ldelim;
      printed = col.ldelim.length;
    }
    lineStarted = true;
    if (col.width && col.align === 'right') {
      const s = col.width - text.length - printed;
      if (s > 0) {
        out += ' '.repeat(s);
        printed += s;
      }
    }
    out += text;
    printed += text.length;
    if (col.width && col.align === 'left') {
      const s = col.width - printed;
      if (s > 0) out += ' '.repeat(s);
    }
    do {
      if (f === COL_PROC) {
        out += '\n';
        f = 0;
        lineStarted = false;
      } else f++;
    } while (columns[f].disabled);
  }
  if (lineStarted) out += '\n';
  return out;
}

// ---- what ss prints about a socket --------------------------------------------------------------------

/** print_ms_timer */
export function printMsTimer(timeout: number): string {
  let secs = Math.floor(timeout / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = timeout % 1000;
  let buf = '';
  if (minutes) {
    msecs = 0;
    buf = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    buf += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) buf += `${String(msecs).padStart(3, '0')}ms`;
  return buf;
}

/** sprint_bw */
function sprintBw(bw: number, numeric: boolean): string {
  if (numeric) return bw.toFixed(0);
  if (bw >= 1e12) return `${printfG(bw / 1e12, 3)}T`;
  if (bw >= 1e9) return `${printfG(bw / 1e9, 3)}G`;
  if (bw >= 1e6) return `${printfG(bw / 1e6, 3)}M`;
  if (bw >= 1e3) return `${printfG(bw / 1e3, 3)}k`;
  return printfG(bw);
}

const g = (x: number) => printfG(x);

/** jiffies_delta_to_msecs */
const deltaMs = (deltaJiffies: number) => Math.max(0, deltaJiffies) * (1000 / HZ);
const timerJiffies = (t: { expires: number }) => timer_expires_jiffies(t);

type Entry = TcpSock | RequestSock | TimewaitSock;
const kindOf = (e: Entry) => (e as { kind?: string }).kind;

/** inet_diag's idiag_timer / idiag_expires / idiag_retrans. */
function diagTimer(e: Entry, now: number): { timer: number; expires: number; retrans: number } {
  const k = kindOf(e);
  if (k === 'timewait') {
    const tw = e as TimewaitSock;
    const exp = tw.expires || (tw.timer?.pending ? timerJiffies(tw.timer) : now);
    return { timer: 3, expires: deltaMs(exp - now), retrans: 0 };
  }
  if (k === 'request') {
    const req = e as RequestSock;
    const exp = req.timer?.pending ? timerJiffies(req.timer) : now;
    return { timer: 1, expires: deltaMs(exp - now), retrans: req.numRetrans };
  }
  const sk = e as TcpSock;
  const p = sk.icskPending;
  if (p === ICSK_TIME_RETRANS || p === ICSK_TIME_REO_TIMEOUT || p === ICSK_TIME_LOSS_PROBE)
    return { timer: 1, expires: deltaMs(sk.icskTimeout - now), retrans: sk.icskRetransmits };
  if (p === ICSK_TIME_PROBE0)
    return { timer: 4, expires: deltaMs(sk.icskTimeout - now), retrans: sk.icskProbesOut };
  if (sk.keepaliveTimer?.pending)
    return { timer: 2, expires: deltaMs(timerJiffies(sk.keepaliveTimer) - now), retrans: sk.icskProbesOut };
  return { timer: 0, expires: 0, retrans: 0 };
}

const TMR_NAME = ['off', 'on', 'keepalive', 'timewait', 'persist', 'unknown'];

interface Flags {
  numeric: boolean;
  info: boolean;
  options: boolean;
  details: boolean;
  mem: boolean;
  processes: boolean;
}

/** tcp_show_info's tcp_stats_print, from tcp_get_info's struct tcp_info. */
function tcpStats(ctx: CommandContext, sk: TcpSock, fl: Flags): string {
  const info = tcp_get_info(ctx.lab, sk);
  const f = (n: string) => tcpInfoField(info, n);
  let s = '';
  const opts = f('tcpi_options');
  if (fl.options) {
    if (opts & TCPI_OPT_TIMESTAMPS) s += ' ts';
    if (opts & TCPI_OPT_SACK) s += ' sack';
    if (opts & TCPI_OPT_ECN) s += ' ecn';
    if (opts & TCPI_OPT_ECN_SEEN) s += ' ecnseen';
    if (opts & TCPI_OPT_SYN_DATA) s += ' fastopen';
  }
  const cong = sk.icskCaOps?.name;
  if (cong) s += ` ${cong}`;
  if (opts & TCPI_OPT_WSCALE) s += ` wscale:${f('tcpi_snd_wscale')},${f('tcpi_rcv_wscale')}`;
  const rtoUs = f('tcpi_rto');
  if (rtoUs && rtoUs !== 3000000) s += ` rto:${g(rtoUs / 1000)}`;
  if (f('tcpi_backoff')) s += ` backoff:${f('tcpi_backoff')}`;
  const rtt = f('tcpi_rtt');
  if (rtt) s += ` rtt:${g(rtt / 1000)}/${g(f('tcpi_rttvar') / 1000)}`;
  if (f('tcpi_ato')) s += ` ato:${g(f('tcpi_ato') / 1000)}`;
  const mss = f('tcpi_snd_mss');
  if (mss) s += ` mss:${mss}`;
  if (f('tcpi_pmtu')) s += ` pmtu:${f('tcpi_pmtu')}`;
  if (f('tcpi_rcv_mss')) s += ` rcvmss:${f('tcpi_rcv_mss')}`;
  if (f('tcpi_advmss')) s += ` advmss:${f('tcpi_advmss')}`;
  const cwnd = f('tcpi_snd_cwnd');
  if (cwnd) s += ` cwnd:${cwnd}`;
  const ssthresh = f('tcpi_snd_ssthresh');
  if (ssthresh && ssthresh < 0xffff) s += ` ssthresh:${ssthresh}`;
  for (const [k, label] of [
    ['tcpi_bytes_sent', 'bytes_sent'],
    ['tcpi_bytes_retrans', 'bytes_retrans'],
    ['tcpi_bytes_acked', 'bytes_acked'],
    ['tcpi_bytes_received', 'bytes_received'],
    ['tcpi_segs_out', 'segs_out'],
    ['tcpi_segs_in', 'segs_in'],
    ['tcpi_data_segs_out', 'data_segs_out'],
    ['tcpi_data_segs_in', 'data_segs_in'],
  ])
    if (f(k)) s += ` ${label}:${f(k)}`;
  if (rtt > 0 && mss && cwnd) s += ` send ${sprintBw((cwnd * mss * 8000000) / rtt, fl.numeric)}bps`;
  if (f('tcpi_last_data_sent')) s += ` lastsnd:${f('tcpi_last_data_sent')}`;
  if (f('tcpi_last_data_recv')) s += ` lastrcv:${f('tcpi_last_data_recv')}`;
  if (f('tcpi_last_ack_recv')) s += ` lastack:${f('tcpi_last_ack_recv')}`;
  const U64_MAX = 2 ** 64 - 1;
  const pacing = f('tcpi_pacing_rate');
  if (pacing && pacing < U64_MAX) {
    s += ` pacing_rate ${sprintBw(pacing * 8, fl.numeric)}bps`;
    const max = f('tcpi_max_pacing_rate');
    if (max && max < U64_MAX) s += `/${sprintBw(max * 8, fl.numeric)}bps`;
  }
  if (f('tcpi_delivery_rate')) s += ` delivery_rate ${sprintBw(f('tcpi_delivery_rate') * 8, fl.numeric)}bps`;
  if (f('tcpi_delivered')) s += ` delivered:${f('tcpi_delivered')}`;
  if (f('tcpi_delivered_ce')) s += ` delivered_ce:${f('tcpi_delivered_ce')}`;
  if (f('tcpi_delivery_rate_app_limited')) s += ' app_limited';
  const busy = f('tcpi_busy_time');
  if (busy) {
    s += ` busy:${Math.floor(busy / 1000)}ms`;
    const rw = f('tcpi_rwnd_limited');
    if (rw) s += ` rwnd_limited:${Math.floor(rw / 1000)}ms(${((100 * rw) / busy).toFixed(1)}%)`;
    const sb = f('tcpi_sndbuf_limited');
    if (sb) s += ` sndbuf_limited:${Math.floor(sb / 1000)}ms(${((100 * sb) / busy).toFixed(1)}%)`;
  }
  if (f('tcpi_unacked')) s += ` unacked:${f('tcpi_unacked')}`;
  if (f('tcpi_retrans') || f('tcpi_total_retrans'))
    s += ` retrans:${f('tcpi_retrans')}/${f('tcpi_total_retrans')}`;
  if (f('tcpi_lost')) s += ` lost:${f('tcpi_lost')}`;
  if (f('tcpi_sacked') && sk.state !== TCP_LISTEN) s += ` sacked:${f('tcpi_sacked')}`;
  if (f('tcpi_dsack_dups')) s += ` dsack_dups:${f('tcpi_dsack_dups')}`;
  if (f('tcpi_fackets')) s += ` fackets:${f('tcpi_fackets')}`;
  if (f('tcpi_reordering') !== 3) s += ` reordering:${f('tcpi_reordering')}`;
  if (f('tcpi_reord_seen')) s += ` reord_seen:${f('tcpi_reord_seen')}`;
  if (f('tcpi_rcv_rtt')) s += ` rcv_rtt:${g(f('tcpi_rcv_rtt') / 1000)}`;
  if (f('tcpi_rcv_space')) s += ` rcv_space:${f('tcpi_rcv_space')}`;
  if (f('tcpi_rcv_ssthresh')) s += ` rcv_ssthresh:${f('tcpi_rcv_ssthresh')}`;
  if (f('tcpi_notsent_bytes')) s += ` notsent:${f('tcpi_notsent_bytes')}`;
  const minRtt = f('tcpi_min_rtt');
  if (minRtt && minRtt !== 0xffffffff) s += ` minrtt:${g(minRtt / 1000)}`;
  if (f('tcpi_rcv_ooopack')) s += ` rcv_ooopack:${f('tcpi_rcv_ooopack')}`;
  if (f('tcpi_snd_wnd')) s += ` snd_wnd:${f('tcpi_snd_wnd')}`;
  return s;
}

/** The processes that hold a socket (/proc/PID/fd): users:(("nc",pid=1001,fd=3),...). */
function usersOf(ctx: CommandContext, sk: object): string {
  const found: string[] = [];
  for (const t of Task.all(ctx.lab)) {
    if (t.host !== ctx.host) continue;
    for (const [fd, s] of t.fdEntries()) if (s === sk) found.push(`("${t.comm}",pid=${t.pid},fd=${fd})`);
  }
  return found.length ? ` users:(${found.join(',')})` : '';
}

/** The ports of ip_local_port_range print as numbers (is_ephemeral). */
function service(ctx: CommandContext, port: number, numeric: boolean): string {
  if (port === 0) return '*';
  if (numeric) return String(port);
  const [lo, hi] = ctx.net.sysctl.ipLocalPortRange;
  if (port >= lo && port <= hi) return String(port);
  return tcpServiceByPort(port) ?? String(port);
}

function rowOf(
  ctx: CommandContext,
  e: Entry,
  fl: Flags,
  now: number,
): { state: number; cells: string[]; tuple: SsTuple } {
  const k = kindOf(e);
  let state: number;
  let rq = 0;
  let wq = 0;
  let laddr: number;
  let lport: number;
  let raddr: number;
  let rport: number;
  if (k === 'timewait') {
    const tw = e as TimewaitSock;
    state = tw.substate;
    [laddr, lport, raddr, rport] = [tw.rcvSaddr, tw.sport || tw.num, tw.daddr, tw.dport];
  } else if (k === 'request') {
    const req = e as RequestSock;
    state = TCP_SYN_RECV;
    [laddr, lport, raddr, rport] = [req.locAddr, req.num, req.rmtAddr, req.rmtPort];
  } else {
    const sk = e as TcpSock;
    state = sk.state;
    if (state === TCP_LISTEN) {
      rq = sk.ackBacklog;
      wq = sk.maxAckBacklog;
    } else {
      rq = Math.max((sk.rcvNxt - sk.copiedSeq) | 0, 0);
      wq = (sk.writeSeq - sk.sndUna) >>> 0;
    }
    [laddr, lport, raddr, rport] = [sk.rcvSaddr, sk.sport || sk.num, sk.daddr, sk.dport];
  }
  let ext = '';
  if (fl.processes && k === undefined) ext += usersOf(ctx, e);
  if (fl.options) {
    const t = diagTimer(e, now);
    if (t.timer) ext += ` timer:(${TMR_NAME[Math.min(t.timer, 5)]},${printMsTimer(t.expires)},${t.retrans})`;
  }
  if (fl.details) {
    ext += ` ino:${k === undefined ? sock_i_ino(e) : 0} sk:${sock_gen_cookie(e).toString(16)}`;
    if (k === undefined) {
      const sk = e as TcpSock;
      ext += ' cgroup:/';
      ext += ` ${sk.shutdown & 1 ? '-' : '<'}-${sk.shutdown & 2 ? '-' : '>'}`;
    }
  }
  if (fl.mem || fl.info) {
    ext += '\n\t';
    if (k === undefined) {
      const sk = e as TcpSock;
      if (fl.mem)
        ext +=
          ` skmem:(r${sk.rmemAlloc},rb${sk.rcvbuf},t${sk.wmemAlloc},tb${sk.sndbuf},f0,` +
          `w${sk.wmemQueued},o0,bl${sk.backlogLen ?? 0},d${sk.drops})`;
      if (fl.info) ext += tcpStats(ctx, sk, fl);
    }
  }
  const cells = [
    'tcp',
    SSTATE_NAME[state] ?? 'UNKNOWN',
    String(rq).padEnd(6),
    String(wq).padEnd(6),
    `${ipv4ToString(laddr)}:`,
    service(ctx, lport, fl.numeric),
    `${ipv4ToString(raddr)}:`,
    service(ctx, rport, fl.numeric),
    ext,
  ];
  return { state, cells, tuple: { saddr: laddr, sport: lport, daddr: raddr, dport: rport } };
}

/** unix_stats_print: a unix socket's cells (and, for -e, unix_show_sock's shutdown mask and peers). */
function unixRow(ctx: CommandContext, m: UnixDiagMsg, fl: Flags): string[] {
  let ext = '';
  if (fl.processes) ext += usersOf(ctx, m.sk);
  if (fl.details) {
    ext += ` ${m.shutdown & 1 ? '-' : '<'}-${m.shutdown & 2 ? '-' : '>'}`;
    if (m.icons) ext += ' peers:' + m.icons.map((i) => ` ${i}`).join('');
  }
  return [
    m.type === 2 ? 'u_dgr' : 'u_str',
    SSTATE_NAME[m.state] ?? 'UNKNOWN',
    String(m.rqueue).padEnd(6),
    String(m.wqueue).padEnd(6),
    `${m.name !== undefined ? unix_addr_text({ name: m.name, len: 0 }) : '*'} `,
    String(m.ino),
    '* ',
    String(m.peer ?? 0),
    ext,
  ];
}

/**
 * print_summary (ss.c): get_sockstat's counts from /proc/net/sockstat (get_sockstat_line's sscanf of each
 * line; a missing field stays 0) and Tcp's CurrEstab from /proc/net/snmp (get_snmp_int).
 */
function summary(ctx: CommandContext): string {
  const text = readProcFile(ctx.host, ctx.net, '/proc/net/sockstat') ?? '';
  const field = (prefix: string, name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(prefix + ':'));
    const m = line && new RegExp(`\\b${name} (-?\\d+)`).exec(line);
    return m ? Number(m[1]) : 0;
  };
  const socks = field('sockets', 'used');
  const tcpHashed = field('TCP', 'inuse');
  const tcpOrphans = field('TCP', 'orphan');
  const tcpTws = field('TCP', 'tw');
  const tcpTotal = field('TCP', 'alloc');
  const udp = field('UDP', 'inuse');
  const raw = field('RAW', 'inuse');
  const frag = field('FRAG', 'inuse');
  const snmp = (readProcFile(ctx.host, ctx.net, '/proc/net/snmp') ?? '')
    .split('\n')
    .filter((l) => l.startsWith('Tcp:'));
  const names = snmp[0]?.split(/\s+/) ?? [];
  const estab = Number(snmp[1]?.split(/\s+/)[names.indexOf('CurrEstab')] ?? 0);
  // %-9d
  const c = (n: number | string) => String(n).padEnd(9);
  const row = (name: string, v4: number) => `${name}\t  ${c(v4)} ${c(v4)} ${c(0)}\n`;
  return (
    `Total: ${socks}\n` +
    `TCP:   ${tcpTotal + tcpTws} (estab ${estab}, closed ${tcpTotal - (tcpHashed - tcpTws)}, orphaned ${tcpOrphans}, timewait ${tcpTws})\n` +
    '\n' +
    'Transport Total     IP        IPv6\n' +
    row('RAW', raw) +
    row('UDP', udp) +
    row('TCP', tcpHashed) +
    row('INET', raw + udp + tcpHashed) +
    row('FRAG', frag) +
    '\n'
  );
}

const USAGE = `Usage: ss [ OPTIONS ]
       ss [ OPTIONS ] [ FILTER ]
`;

const LONG: Record<string, string> = {
  '--tcp': 't',
  '--unix': 'x',
  '--all': 'a',
  '--listening': 'l',
  '--numeric': 'n',
  '--info': 'i',
  '--options': 'o',
  '--extended': 'e',
  '--memory': 'm',
  '--processes': 'p',
  '--no-header': 'H',
  '--ipv4': '4',
  '--summary': 's',
};

export const ss: Command = async (ctx) => {
  const fl: Flags = {
    numeric: false,
    info: false,
    options: false,
    details: false,
    mem: false,
    processes: false,
  };
  let stateFilter = 0;
  let header = true;
  let doSummary = false;
  // do_default: no protocol was named (-t and -x clear it), so -s prints the summary alone.
  let doDefault = true;
  let wantTcp = false;
  let wantUnix = false;
  // getopt_long permutes: the words that are not options are the filter, in their order.
  const filterArgs: string[] = [];
  for (const a of ctx.argv.slice(1)) {
    const letters = a.startsWith('--')
      ? (LONG[a] ?? null)
      : a.startsWith('-') && a !== '-'
        ? a.slice(1)
        : null;
    if (letters === null) {
      if (a.startsWith('--')) {
        ctx.err(`ss: unrecognized option '${a}'\n${USAGE}`);
        return 255;
      }
      filterArgs.push(a);
      continue;
    }
    for (const ch of letters) {
      switch (ch) {
        case 't':
          doDefault = false;
          wantTcp = true;
          break;
        case 'x':
          doDefault = false;
          wantUnix = true;
          break;
        case '4':
          break;
        case 's':
          doSummary = true;
          break;
        case 'a':
          stateFilter = SS_ALL;
          break;
        case 'l':
          stateFilter = (1 << TCP_LISTEN) | (1 << TCP_CLOSE);
          break;
        case 'n':
          fl.numeric = true;
          break;
        case 'i':
          fl.info = true;
          break;
        case 'o':
          fl.options = true;
          break;
        case 'e':
          fl.options = true;
          fl.details = true;
          break;
        case 'm':
          fl.mem = true;
          break;
        case 'p':
          fl.processes = true;
          break;
        case 'H':
          header = false;
          break;
        default:
          if ('uwdSM60f'.includes(ch)) {
            ctx.err(`ss: -${ch} is not modelled in skblab (TCP and Unix sockets only)\n`);
            return 1;
          }
          ctx.err(`ss: invalid option -- '${ch}'\n${USAGE}`);
          return 255;
      }
    }
  }
  if (doSummary) {
    ctx.out(summary(ctx));
    if (doDefault) return 0;
  }
  let filter: SsFilter;
  try {
    filter = parseSsFilter(filterArgs, (name) => tcpServiceByName(name));
  } catch (e) {
    if (!(e instanceof SsFilterError)) throw e;
    ctx.err(e.usage ? e.message + USAGE : e.message);
    return e.status;
  }
  if (doDefault) wantTcp = wantUnix = true;
  if (wantUnix && filter.match) {
    ctx.err('ss: filters on unix sockets are not modelled in skblab\n');
    return 1;
  }
  const states = filter.states ?? (stateFilter || SS_CONN);
  const columns = newColumns();
  // One kind of socket (-t alone): no Netid column; -x asks for three (u_str, u_dgr, u_seq). One state: no
  // State column.
  columns[COL_NETID].disabled = !wantUnix;
  if (!(states & (states - 1))) columns[COL_STATE].disabled = true;
  const now = jiffies_at(ctx.lab.now());
  const rows: string[][] = [];
  if (wantUnix) for (const m of unix_diag_dump(ctx.net, states)) rows.push(unixRow(ctx, m, fl));
  for (const e of wantTcp ? tcp_seq_entries(ctx.net) : []) {
    const r = rowOf(ctx, e, fl, now);
    if (states & (1 << r.state) && (!filter.match || filter.match(r.tuple))) rows.push(r.cells);
  }
  ctx.out(renderColumns(columns, rows, header));
  return 0;
};
