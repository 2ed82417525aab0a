/**
 * Running a packetdrill script against a fresh lab host, as packetdrill runs one against a kernel
 * (run.c, run_packet.c, run_system_call.c, run_command.c, code.c): the host has the local address on a
 * tun device whose far side (the remote address, through a gateway) is the script; script times drive the
 * lab's simulated clock; `<` packets are written to the tun device, `>` packets are read from it and
 * checked field by field after mapping live sequence numbers, ports and timestamps into script space;
 * system calls run in a Task, a blocking one (`start...end`) while later lines go on. The first failure
 * ends the run with packetdrill's message.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import {
  STRERROR,
  register_tun,
  dev_open,
  tun_get_user,
  tun_set_offload,
  TUN_F_CSUM,
  TUN_F_TSO4,
  TUN_F_TSO6,
  TUN_F_TSO_ECN,
  type Host,
  type NetDevice,
  type TunFrame,
  tun_file,
} from '@skblab/kernel';
import * as ERRNO from '@skblab/kernel/include/linux/errno';
import * as KERNEL from '@skblab/kernel';
import * as TCP from '@skblab/kernel/include/net/tcp';
import { TCP_CA_STATES, TCP_STATES_FOR_PACKETDRILL, TCPI_OPT_NAMES } from './symbols';
import { Lab, Task } from '@skblab/runtime';
import * as TASK from '@skblab/runtime/task';
import { transportChecksum, internetChecksum } from '@skblab/wire/checksum';
import { Shell } from '@skblab/shell';
import { defaultCommands } from '@skblab/userland';
import {
  parseScript,
  ScriptError,
  type EventTime,
  type Expr,
  type PacketSpec,
  type Script,
  type ScriptEvent,
  type SyscallSpec,
  type TcpOption,
} from './script';
import { AssertionFailed, CodeError, Python } from './python';

export interface RunOptions {
  toleranceUsecs?: number;
  /** -D NAME=VALUE definitions (default: none, as packetdrill). */
  defines?: Readonly<Record<string, string>>;
  verbose?: boolean;
  out: (s: string) => void;
  err: (s: string) => void;
}

/** A failure that ends the script (packetdrill's die()): the message as packetdrill prints it. */
export class ScriptFailure extends Error {}

const SYMBOLS: Record<string, number> = {
  AF_INET: 2,
  PF_INET: 2,
  SOCK_STREAM: 1,
  SOCK_DGRAM: 2,
  SOCK_NONBLOCK: TASK.SOCK_NONBLOCK,
  IPPROTO_TCP: 6,
  IPPROTO_UDP: 17,
  IPPROTO_IP: 0,
  SOL_SOCKET: TASK.SOL_SOCKET,
  SOL_TCP: 6,
  SOL_IP: 0,
  SO_REUSEADDR: TASK.SO_REUSEADDR,
  SO_REUSEPORT: TASK.SO_REUSEPORT,
  SO_ERROR: TASK.SO_ERROR,
  SO_SNDBUF: TASK.SO_SNDBUF,
  SO_RCVBUF: TASK.SO_RCVBUF,
  SO_KEEPALIVE: TASK.SO_KEEPALIVE,
  SO_LINGER: TASK.SO_LINGER,
  SO_RCVLOWAT: TASK.SO_RCVLOWAT,
  SO_RCVTIMEO: TASK.SO_RCVTIMEO,
  SO_SNDTIMEO: TASK.SO_SNDTIMEO,
  SO_MARK: KERNEL.SO_MARK,
  SO_ZEROCOPY: KERNEL.SO_ZEROCOPY,
  SO_TIMESTAMPING: KERNEL.SO_TIMESTAMPING,
  SO_TIMESTAMPING_OLD: KERNEL.SO_TIMESTAMPING_OLD,
  SO_TIMESTAMPING_NEW: KERNEL.SO_TIMESTAMPING_NEW,
  SCM_TIMESTAMPING: KERNEL.SO_TIMESTAMPING,
  SCM_TSTAMP_SND: KERNEL.SCM_TSTAMP_SND,
  SCM_TSTAMP_SCHED: KERNEL.SCM_TSTAMP_SCHED,
  SCM_TSTAMP_ACK: KERNEL.SCM_TSTAMP_ACK,
  ...Object.fromEntries(
    Object.entries(KERNEL).filter(([k, v]) => k.startsWith('SOF_TIMESTAMPING_') && typeof v === 'number'),
  ),
  IP_RECVERR: KERNEL.IP_RECVERR,
  SO_EE_ORIGIN_NONE: KERNEL.SO_EE_ORIGIN_NONE,
  SO_EE_ORIGIN_LOCAL: KERNEL.SO_EE_ORIGIN_LOCAL,
  SO_EE_ORIGIN_ICMP: KERNEL.SO_EE_ORIGIN_ICMP,
  SO_EE_ORIGIN_ICMP6: KERNEL.SO_EE_ORIGIN_ICMP6,
  SO_EE_ORIGIN_TXSTATUS: KERNEL.SO_EE_ORIGIN_TXSTATUS,
  SO_EE_ORIGIN_ZEROCOPY: KERNEL.SO_EE_ORIGIN_ZEROCOPY,
  SO_EE_ORIGIN_TXTIME: KERNEL.SO_EE_ORIGIN_TXTIME,
  SO_EE_ORIGIN_TIMESTAMPING: KERNEL.SO_EE_ORIGIN_TIMESTAMPING,
  SO_EE_CODE_ZEROCOPY_COPIED: KERNEL.SO_EE_CODE_ZEROCOPY_COPIED,
  IP_TOS: TASK.IP_TOS,
  IP_TTL: TASK.IP_TTL,
  IP_MTU_DISCOVER: TASK.IP_MTU_DISCOVER,
  IP_PMTUDISC_DONT: 0,
  IP_PMTUDISC_WANT: 1,
  IP_PMTUDISC_DO: 2,
  IP_PMTUDISC_PROBE: 3,
  TCP_NODELAY: TASK.TCP_NODELAY,
  TCP_MAXSEG: TASK.TCP_MAXSEG,
  TCP_CORK: TASK.TCP_CORK,
  TCP_KEEPIDLE: TASK.TCP_KEEPIDLE,
  TCP_KEEPINTVL: TASK.TCP_KEEPINTVL,
  TCP_KEEPCNT: TASK.TCP_KEEPCNT,
  TCP_SYNCNT: TASK.TCP_SYNCNT,
  TCP_LINGER2: TASK.TCP_LINGER2,
  TCP_DEFER_ACCEPT: TASK.TCP_DEFER_ACCEPT,
  TCP_WINDOW_CLAMP: TASK.TCP_WINDOW_CLAMP,
  TCP_INFO: TASK.TCP_INFO,
  TCP_QUICKACK: TASK.TCP_QUICKACK,
  TCP_CONGESTION: TASK.TCP_CONGESTION,
  TCP_USER_TIMEOUT: TASK.TCP_USER_TIMEOUT,
  TCP_NOTSENT_LOWAT: TASK.TCP_NOTSENT_LOWAT,
  TCP_FASTOPEN: 23,
  TCP_FASTOPEN_CONNECT: 30,
  TCP_FASTOPEN_KEY: 33,
  TCP_FASTOPEN_NO_COOKIE: 34,
  TCP_INQ: 36,
  TCP_CM_INQ: 36,
  EPOLL_CTL_ADD: TASK.EPOLL_CTL_ADD,
  EPOLL_CTL_DEL: TASK.EPOLL_CTL_DEL,
  EPOLL_CTL_MOD: TASK.EPOLL_CTL_MOD,
  EPOLLIN: TASK.EPOLLIN,
  EPOLLPRI: TASK.EPOLLPRI,
  EPOLLOUT: TASK.EPOLLOUT,
  EPOLLERR: TASK.EPOLLERR,
  EPOLLHUP: TASK.EPOLLHUP,
  EPOLLRDNORM: TASK.EPOLLRDNORM,
  EPOLLRDBAND: TASK.EPOLLRDBAND,
  EPOLLWRNORM: TASK.EPOLLWRNORM,
  EPOLLWRBAND: TASK.EPOLLWRBAND,
  EPOLLMSG: TASK.EPOLLMSG,
  EPOLLRDHUP: TASK.EPOLLRDHUP,
  EPOLLEXCLUSIVE: TASK.EPOLLEXCLUSIVE,
  EPOLLWAKEUP: TASK.EPOLLWAKEUP,
  EPOLLONESHOT: TASK.EPOLLONESHOT,
  EPOLLET: TASK.EPOLLET >>> 0,
  F_GETFL: TASK.F_GETFL,
  F_SETFL: TASK.F_SETFL,
  O_RDWR: 2,
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_NONBLOCK: TASK.O_NONBLOCK,
  SHUT_RD: TASK.SHUT_RD,
  SHUT_WR: TASK.SHUT_WR,
  SHUT_RDWR: TASK.SHUT_RDWR,
  POLLIN: TASK.POLLIN,
  POLLPRI: TASK.POLLPRI,
  POLLOUT: TASK.POLLOUT,
  POLLERR: TASK.POLLERR,
  POLLHUP: TASK.POLLHUP,
  POLLNVAL: TASK.POLLNVAL,
  POLLRDNORM: TASK.POLLRDNORM,
  POLLRDBAND: TASK.POLLRDBAND,
  POLLWRNORM: TASK.POLLWRNORM,
  POLLWRBAND: TASK.POLLWRBAND,
  POLLRDHUP: TASK.POLLRDHUP,
  MSG_OOB: TCP.MSG_OOB,
  MSG_PEEK: TCP.MSG_PEEK,
  MSG_DONTWAIT: TCP.MSG_DONTWAIT,
  MSG_EOR: TCP.MSG_EOR,
  MSG_WAITALL: TCP.MSG_WAITALL,
  MSG_NOSIGNAL: TCP.MSG_NOSIGNAL,
  MSG_MORE: TCP.MSG_MORE,
  MSG_FASTOPEN: TCP.MSG_FASTOPEN,
  MSG_ZEROCOPY: TCP.MSG_ZEROCOPY,
  MSG_TRUNC: TCP.MSG_TRUNC,
  MSG_ERRQUEUE: TCP.MSG_ERRQUEUE,
  SIOCINQ: TASK.SIOCINQ,
  SIOCOUTQ: TASK.SIOCOUTQ,
  SIOCOUTQNSD: TASK.SIOCOUTQNSD,
  FIONREAD: TASK.SIOCINQ,
  ...TCP_STATES_FOR_PACKETDRILL,
  ...TCP_CA_STATES,
  ...TCPI_OPT_NAMES,
};

const ERRNO_BY_NAME: Record<string, number> = {};
for (const [k, v] of Object.entries(ERRNO))
  if (typeof v === 'number' && /^E[A-Z0-9]+$/.test(k)) ERRNO_BY_NAME[k] = v;
ERRNO_BY_NAME.EWOULDBLOCK = ERRNO.EAGAIN;
ERRNO_BY_NAME.ENOTSUP = ERRNO.EOPNOTSUPP;

function strerror(e: number): string {
  return STRERROR[e] ?? `Unknown error ${e}`;
}

const ip4 = (s: string): number => s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
const ipStr = (a: number): string => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
const rd32 = (b: Uint8Array, o: number): number =>
  ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const wr32 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
};
const rd16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

/** A decoded IPv4/TCP packet (packet.h's struct packet, reduced). */
interface Pkt {
  bytes: Uint8Array;
  ihl: number;
  tos: number;
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  doff: number;
  flags: number;
  win: number;
  urg: number;
  options: TcpOption[];
  payload: number;
  proto: number;
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
const URG = 0x20;
const ECE = 0x40;
const CWR = 0x80;

function decode(bytes: Uint8Array): Pkt {
  const ihl = (bytes[0] & 15) * 4;
  const t = ihl;
  const proto = bytes[9];
  const tot = rd16(bytes, 2);
  const doff = proto === 6 ? (bytes[t + 12] >> 4) * 4 : 0;
  const options: TcpOption[] = [];
  if (proto === 6)
    for (let o = t + 20; o < t + doff; ) {
      const kind = bytes[o];
      if (kind === 0 || kind === 1) {
        options.push({ kind, data: new Uint8Array(0), text: '' });
        o++;
        continue;
      }
      const len = bytes[o + 1];
      if (len < 2) break;
      options.push({ kind, data: bytes.slice(o + 2, o + len), text: '' });
      o += len;
    }
  return {
    bytes,
    ihl,
    tos: bytes[1],
    saddr: rd32(bytes, 12),
    daddr: rd32(bytes, 16),
    sport: proto === 6 ? rd16(bytes, t) : 0,
    dport: proto === 6 ? rd16(bytes, t + 2) : 0,
    seq: proto === 6 ? rd32(bytes, t + 4) : 0,
    ack: proto === 6 ? rd32(bytes, t + 8) : 0,
    doff,
    flags: proto === 6 ? bytes[t + 13] : 0,
    win: proto === 6 ? rd16(bytes, t + 14) : 0,
    urg: proto === 6 ? rd16(bytes, t + 18) : 0,
    options,
    payload: tot - ihl - doff,
    proto,
  };
}

function flagBits(f: string): number {
  let b = 0;
  for (const ch of f) {
    if (ch === 'F') b |= FIN;
    else if (ch === 'S') b |= SYN;
    else if (ch === 'R') b |= RST;
    else if (ch === 'P') b |= PSH;
    else if (ch === '.') b |= ACK;
    else if (ch === 'E') b |= ECE;
    else if (ch === 'W') b |= CWR;
    else if (ch === 'U') b |= URG;
  }
  return b;
}

function flagString(b: number): string {
  let s = '';
  if (b & FIN) s += 'F';
  if (b & SYN) s += 'S';
  if (b & RST) s += 'R';
  if (b & PSH) s += 'P';
  if (b & ACK) s += '.';
  if (b & URG) s += 'U';
  if (b & ECE) s += 'E';
  if (b & CWR) s += 'W';
  return s || '-';
}

function optionString(o: TcpOption): string {
  const d = o.data;
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  switch (o.kind) {
    case 0:
      return 'eol';
    case 1:
      return 'nop';
    case 2:
      return `mss ${rd16(d, 0)}`;
    case 3:
      return `wscale ${d[0]}`;
    case 4:
      return 'sackOK';
    case 5: {
      const blocks: string[] = [];
      for (let k = 0; k + 8 <= d.length; k += 8) blocks.push(`${rd32(d, k)}:${rd32(d, k + 4)}`);
      return `sack ${blocks.join(' ')}`;
    }
    case 8:
      return `TS val ${rd32(d, 0)} ecr ${rd32(d, 4)}`;
    case 34:
      return d.length ? `FO ${hex(d)}` : 'FO';
    case 254:
      return d.length > 2 ? `FOEXP ${hex(d.subarray(2))}` : 'FOEXP';
    case 19:
      return `md5 ${hex(d)}`;
  }
  return `kind ${o.kind}`;
}

function optionsBytes(opts: TcpOption[]): number[] {
  const out: number[] = [];
  for (const o of opts) {
    if (o.kind === 0 || o.kind === 1) out.push(o.kind);
    else out.push(o.kind, o.data.length + 2, ...o.data);
  }
  return out;
}

/** packet_to_string, short form: `S. 0:0(0) ack 1 win 65535 <mss 1460,...>`. */
function pktString(p: {
  flags: number;
  seq: number;
  payload: number;
  ack: number;
  win: number;
  options: TcpOption[] | null;
}): string {
  let s = `${flagString(p.flags)} ${p.seq}:${(p.seq + p.payload) >>> 0}(${p.payload})`;
  if (p.flags & ACK) s += ` ack ${p.ack}`;
  s += ` win ${p.win}`;
  if (p.options === null) s += ' <...>';
  else if (p.options.length) s += ` <${p.options.map(optionString).join(',')}>`;
  return s;
}

const usecsStr = (u: number): string => (u / 1e6).toFixed(6);

type SockState =
  | 'new'
  | 'passive_listening'
  | 'passive_packet_received'
  | 'passive_synack_sent'
  | 'passive_synack_acked'
  | 'active_connecting'
  | 'active_syn_sent'
  | 'active_syn_acked';

/** packetdrill's struct socket: the connection under test, its script and live 4-tuples and ISNs. */
interface SockUnderTest {
  state: SockState;
  scriptFd: number;
  liveFd: number;
  liveLocal: number;
  livePort: number;
  liveRemote: number;
  liveRemotePort: number;
  scriptLocalIsn: number;
  liveLocalIsn: number;
  remoteIsn: number;
  tsMap: Map<number, number>;
  firstTs: { script: number; live: number } | null;
}

interface Blocking {
  ev: ScriptEvent;
  done: boolean;
  endUsecs: number;
}

export class PacketdrillRun {
  readonly lab = new Lab({ traceLevel: 'off' });
  readonly host: Host;
  readonly tun: NetDevice;
  readonly task: Task;
  private shell: Shell;
  private readonly tolerance: number;
  private readonly tolerancePercent = 12.5;
  private tsTick = 0;
  private localIp = ip4('192.168.0.1');
  private remoteIp = ip4('192.0.2.1');
  private startNs = 0;
  private sut: SockUnderTest | null = null;
  private fds = new Map<number, number>();
  private lastEvent: ScriptEvent | null = null;
  private blocking: Blocking | null = null;
  private failure: string | null = null;
  private code: Array<{ code: string; env: Record<string, number> | null; line: number }> = [];
  private ephemeral = 48372;
  /** --mss: inbound TCP packets are written with a virtio_net_hdr of this gso_size (linux_tun_write). */
  private mss = 0;
  /** --strict_segments: each outbound script packet is one sniffed packet (no aggregation). */
  private strictSegments = false;
  private readonly dir: string;
  private readonly python: Python;

  constructor(
    readonly script: Script,
    private readonly opts: RunOptions,
  ) {
    this.dir = path.dirname(script.path);
    let tol = opts.toleranceUsecs ?? 4000;
    for (const o of script.options) {
      if (o.name === 'tolerance_usecs') tol = Number(o.value);
      else if (o.name === 'local_ip' && o.value) this.localIp = ip4(o.value);
      else if (o.name === 'remote_ip' && o.value) this.remoteIp = ip4(o.value.split('/')[0]);
      else if (o.name === 'tcp_ts_tick_usecs') this.tsTick = Number(o.value);
      else if (o.name === 'mss') this.mss = Number(o.value);
      else if (o.name === 'strict_segments') this.strictSegments = true;
    }
    // A --tolerance_usecs on the command line wins over the script's (the command line is parsed last).
    if (opts.toleranceUsecs !== undefined) tol = opts.toleranceUsecs;
    this.tolerance = tol;
    this.host = this.lab.addHost('packetdrill');
    const dev = register_tun(this.host.initNet, 'tun0');
    if (!('name' in dev)) throw new Error('tun0 exists');
    // netdev.c's set_device_offload_flags: the script sees TSO packets whole, as a NIC would send them.
    tun_set_offload(dev, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN);
    this.tun = dev;
    this.task = new Task(this.lab, this.host, this.host.initNet, 'packetdrill', 0);
    this.shell = this.newShell();
    this.python = new Python((s) => opts.out(s));
  }

  private newShell(): Shell {
    return new Shell({
      lab: this.lab,
      host: this.host,
      commands: defaultCommands(),
      out: (s) => this.opts.verbose && this.opts.out(s),
      err: (s) => this.opts.verbose && this.opts.err(s),
    });
  }

  private fail(msg: string): never {
    throw new ScriptFailure(msg);
  }

  private where(ev: ScriptEvent): string {
    return `${this.script.path}:${ev.line}`;
  }

  // ---- time --------------------------------------------------------------------------------------------

  private nowUsecs(): number {
    return Math.round((this.lab.clock - this.startNs) / 1000);
  }

  /** Let the tasks run (their promises), then fire timers up to `ns` or until `stop()` holds. */
  private async advance(ns: number, stop: () => boolean = () => false): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      this.checkBlockingFailure();
      if (stop()) return;
      const t = this.lab.timers.peek();
      if (!t || t.expires > ns) break;
      this.lab.runTimersUntil(t.expires);
    }
    if (ns > this.lab.clock) this.lab.runTimersUntil(ns);
    await new Promise<void>((r) => setImmediate(r));
    this.checkBlockingFailure();
  }

  private checkBlockingFailure(): void {
    if (this.failure) this.fail(this.failure);
  }

  /** verify_time (run.c) */
  private verifyTime(
    ev: ScriptEvent,
    type: EventTime['type'],
    scriptUsecs: number,
    scriptEnd: number,
    liveUsecs: number,
    lastEventUsecs: number | null,
    what: string,
  ): string | null {
    if (type === 'any') return null;
    let tol = this.tolerance;
    if (lastEventUsecs !== null) {
      const dyn = Math.trunc((this.tolerancePercent / 100) * (scriptUsecs - lastEventUsecs));
      if (dyn > tol) tol = dyn;
    }
    if (type === 'absolute_range' || type === 'relative_range') {
      if (liveUsecs < scriptUsecs - tol || liveUsecs > scriptEnd + tol) {
        if (type === 'absolute_range')
          return `timing error: expected ${what} in time range ${usecsStr(scriptUsecs)}~${usecsStr(scriptEnd)} sec but happened at ${usecsStr(liveUsecs)} sec`;
        const off = (ev as ScriptEvent & { offset?: number }).offset ?? 0;
        return `timing error: expected ${what} in relative time range +${usecsStr(scriptUsecs - off)}~+${usecsStr(scriptEnd - off)} sec but happened at ${liveUsecs - off >= 0 ? '+' : ''}${usecsStr(liveUsecs - off)} sec`;
      }
      return null;
    }
    if (liveUsecs < scriptUsecs - tol || liveUsecs > scriptUsecs + tol)
      return `timing error: expected ${what} at ${usecsStr(scriptUsecs)} sec but happened at ${usecsStr(liveUsecs)} sec; tolerance ${usecsStr(tol)} sec`;
    return null;
  }

  /** The event's times in script space after adjust_relative_event_times. */
  private times = new Map<ScriptEvent, { usecs: number; end: number; sysEnd: number | null }>();

  private adjust(ev: ScriptEvent): void {
    const t = ev.time;
    let usecs = t.usecs;
    let end = t.endUsecs ?? usecs;
    let sysEnd = ev.body.kind === 'syscall' ? ev.body.syscall.endUsecs : null;
    if (t.type === 'any' || t.type === 'relative' || t.type === 'relative_range') {
      const anchored = (e: ScriptEvent | null) => e?.body.kind === 'packet' && e.body.packet.dir === '<';
      const offset =
        anchored(this.lastEvent) && anchored(ev) ? this.times.get(this.lastEvent!)!.usecs : this.nowUsecs();
      (ev as ScriptEvent & { offset?: number }).offset = offset;
      usecs += offset;
      end += offset;
      if (t.type === 'relative' && sysEnd !== null) sysEnd += offset;
    }
    this.times.set(ev, { usecs, end, sysEnd });
  }

  private evUsecs(ev: ScriptEvent): number {
    return this.times.get(ev)!.usecs;
  }

  private lastEventUsecs(): number | null {
    return this.lastEvent ? this.evUsecs(this.lastEvent) : null;
  }

  /** wait_for_event: sleep until the event's time, then check_event_time. */
  private async waitForEvent(ev: ScriptEvent, what: string): Promise<void> {
    const at = this.startNs + this.evUsecs(ev) * 1000;
    if (at > this.lab.clock) await this.advance(at);
    const err = this.verifyTime(
      ev,
      ev.time.type,
      this.evUsecs(ev),
      this.times.get(ev)!.end,
      this.nowUsecs(),
      this.lastEventUsecs(),
      what,
    );
    if (err) this.fail(`${this.where(ev)}: ${err}`);
  }

  // ---- the run -----------------------------------------------------------------------------------------

  async run(): Promise<void> {
    // netdev.c: the tun device up, the local address on it, the remote's prefix through the gateway.
    dev_open(this.lab, this.tun);
    const net = this.host.initNet;
    const gw =
      ((this.localIp & 0xffff0000) | 2) >>> 0 === this.localIp
        ? ((this.localIp & 0xffff0000) | 1) >>> 0
        : ((this.localIp & 0xffff0000) | 2) >>> 0;
    // The remote's prefix: the kernel selftests' ksft_runner.sh passes --remote_ip=192.0.2.1, a /32 (ip_prefix
    // parse without a length), which scripts' own `ip route change 192.0.2.1 ...` then finds; a script's
    // --remote_ip=A/N says N.
    const remotePlen = this.script.options.find((o) => o.name === 'remote_ip')?.value?.split('/')[1] ?? '32';
    for (const line of [
      `ip addr add ${ipStr(this.localIp)}/16 dev tun0`,
      `ip route add ${ipStr((this.remoteIp & (Number(remotePlen) ? ~0 << (32 - Number(remotePlen)) : 0)) >>> 0)}/${remotePlen} via ${ipStr(gw)} dev tun0`,
    ]) {
      const st = await this.shellLine(line);
      if (st !== 0) this.fail(`${this.script.path}: error setting up the tun device: '${line}' failed`);
    }
    void net;
    this.startNs = this.lab.clock;
    if (this.script.initCommand !== null) {
      const st = await this.command(this.script.initCommand);
      if (st !== 0) this.fail(`${this.script.path}: error executing init command: non-zero status ${st}`);
    }
    this.startNs = this.lab.clock;
    const events = this.script.events;
    if (events.length && events[0].time.usecs !== 0 && events[0].time.type !== 'any')
      this.fail(`${this.script.path}:${events[0].line}: first event should be at time 0`);
    for (const ev of events) {
      this.adjust(ev);
      switch (ev.body.kind) {
        case 'packet':
          await this.packetEvent(ev, ev.body.packet);
          break;
        case 'syscall':
          await this.syscallEvent(ev, ev.body.syscall);
          break;
        case 'command': {
          await this.awaitIdle();
          await this.waitForEvent(ev, 'command');
          const st = await this.command(ev.body.command);
          if (st !== 0)
            this.fail(
              `${this.where(ev)}: error executing \`${ev.body.command.trim()}\` command: non-zero status ${st}`,
            );
          break;
        }
        case 'code':
          await this.waitForEvent(ev, 'data collection for code');
          this.code.push({ code: ev.body.code, env: this.snapshot(), line: ev.line });
          break;
      }
      this.lastEvent = ev;
      this.checkBlockingFailure();
    }
    // The script's end: a blocking call still running is left (packetdrill exits), code runs now.
    if (this.script.cleanupCommand !== null) await this.command(this.script.cleanupCommand);
    for (const c of this.code) {
      if (!c.env) this.fail(`${this.script.path}: error executing code: no socket to use for code`);
      try {
        this.python.run(dedent(c.code), c.env);
      } catch (e) {
        if (e instanceof AssertionFailed) {
          this.opts.err(`AssertionError: ${e.message}\n`);
          this.fail(
            `${this.script.path}: error executing code: 'python3 /tmp/code_${process.pid}' returned non-zero status 1`,
          );
        }
        if (e instanceof CodeError)
          this.fail(`${this.script.path}: error executing code: line ${c.line}: ${e.message}`);
        throw e;
      }
    }
  }

  /** struct tcp_info of the socket under test, as code.c's snapshot gives python its variables. */
  private snapshot(): Record<string, number> | null {
    const fd = this.sut?.liveFd ?? -1;
    if (fd < 0) return null;
    const info = this.task.getsockopt(fd, 6, TASK.TCP_INFO);
    if (!info || typeof info !== 'object') return null;
    const env: Record<string, number> = { ...SYMBOLS };
    for (const [k, v] of Object.entries(info as Record<string, unknown>))
      if (typeof v === 'number') env[k] = v;
      else if (typeof v === 'bigint') env[k] = Number(v);
    return env;
  }

  // ---- commands ----------------------------------------------------------------------------------------

  private async shellLine(line: string): Promise<number> {
    return this.shell.runLine(line);
  }

  /**
   * A backtick command: /bin/sh -c on the host. Lines run in the lab's shell; a script file
   * (defaults.sh) runs its own lines; packetdrill's set_sysctls.py writes /proc/sys files; the
   * sysctl_restore script it writes is not needed (each script gets a fresh host). The status is the
   * last command's.
   */
  private async command(text: string, dir = this.dir): Promise<number> {
    let status = 0;
    const lines = text.replace(/\\\n/g, ' ').split('\n');
    for (let raw of lines) {
      raw = raw.replace(/^\s+|\s+$/g, '');
      if (!raw || raw.startsWith('#')) continue;
      for (const cmd of raw.split(/\s*;\s*/)) {
        if (cmd) status = await this.simpleCommand(cmd, dir);
      }
    }
    return status;
  }

  private async simpleCommand(cmd: string, dir: string): Promise<number> {
    const st = await this.simpleCommand1(cmd, dir);
    if (this.opts.verbose) this.opts.err(`[${st}] ${cmd}\n`);
    return st;
  }

  private async simpleCommand1(cmd: string, dir: string): Promise<number> {
    cmd = cmd.replace(/\$\(\(([0-9*+\-/ ()]+)\)\)/g, (_m, e: string) => String(arith(e)));
    const words = cmd.split(/\s+/);
    const prog = words[0];
    if (/sysctl_restore_/.test(prog)) return 0;
    if (prog.endsWith('set_sysctls.py')) {
      const args = cmd.slice(prog.length).match(/\S+="[^"]*"|\S+/g) ?? [];
      for (const a of args) {
        const m = /^\/proc\/sys\/(.+?)=(.*)$/.exec(a);
        if (!m) return 1;
        const key = m[1].replace(/\//g, '.');
        const st = await this.shellLine(`sysctl -q ${key}=${m[2]}`);
        if (st !== 0) return st;
      }
      return 0;
    }
    if (prog.endsWith('.sh')) {
      let file = path.resolve(dir, prog);
      // The test data keeps defaults.sh in one common/ folder: a `../../common/defaults.sh` that points past
      // it finds the nearest common/ above the script (see the scripts' README).
      for (let d = path.resolve(dir); !fs.existsSync(file) && path.dirname(d) !== d; d = path.dirname(d)) {
        const alt = path.join(d, 'common', path.basename(prog));
        if (path.basename(path.dirname(prog)) === 'common' && fs.existsSync(alt)) file = alt;
      }
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        return 127;
      }
      return this.command(text, path.dirname(file));
    }
    return this.shellLine(cmd);
  }

  // ---- packets -----------------------------------------------------------------------------------------

  private async packetEvent(ev: ScriptEvent, p: PacketSpec): Promise<void> {
    if (p.icmp && p.dir === '>')
      this.fail(`${this.where(ev)}: error handling packet: outbound ICMP packets are not supported yet`);
    if (p.icmp) await this.inboundIcmp(ev, p);
    else if (p.dir === '>') await this.outbound(ev, p);
    else await this.inbound(ev, p);
  }

  private packetError(ev: ScriptEvent, msg: string): never {
    this.fail(`${this.where(ev)}: error handling packet: ${msg}`);
  }

  private async inbound(ev: ScriptEvent, p: PacketSpec): Promise<void> {
    const flags = flagBits(p.flags);
    let s = this.sut;
    // handle_listen_for_script_packet: a SYN to a listener (or to nothing) makes the new socket under test.
    if (flags & SYN && !(flags & ACK) && (!s || s.state === 'passive_listening')) {
      s = {
        state: 'passive_packet_received',
        scriptFd: -1,
        liveFd: -1,
        liveLocal: this.localIp,
        livePort: 8080,
        liveRemote: this.remoteIp,
        liveRemotePort: this.ephemeral++,
        scriptLocalIsn: 0,
        liveLocalIsn: 0,
        remoteIsn: p.seq,
        tsMap: new Map(),
        firstTs: null,
      };
      this.sut = s;
    }
    if (!s) this.packetError(ev, 'no matching socket for script packet');
    if (s.state === 'passive_synack_sent' && flags & ACK) s.state = 'passive_synack_acked';
    else if (s.state === 'active_syn_sent' && flags & SYN && flags & ACK) {
      s.state = 'active_syn_acked';
      s.remoteIsn = p.seq;
    }
    await this.waitForEvent(ev, 'inbound packet');
    const isSyn = (flags & SYN) !== 0;
    const seq = (p.seq + (isSyn ? 0 : s.remoteIsn)) >>> 0;
    const ackOff = isSyn ? (s.liveLocalIsn - s.scriptLocalIsn) >>> 0 : s.liveLocalIsn;
    // map_inbound_packet: an ACK's number (0 when the script gives none) moves into live space.
    const ack = flags & ACK ? ((p.ack ?? 0) + ackOff) >>> 0 : (p.ack ?? 0);
    const opts: TcpOption[] = [];
    for (const o of p.options ?? []) {
      const data = o.data.slice();
      if (o.kind === 5)
        for (let k = 0; k + 8 <= data.length; k += 8) {
          wr32(data, k, (rd32(data, k) + ackOff) >>> 0);
          wr32(data, k + 4, (rd32(data, k + 4) + ackOff) >>> 0);
        }
      if (o.kind === 8 && flags & ACK) {
        const ecr = rd32(data, 4);
        const live = s.tsMap.get(ecr);
        if (live === undefined)
          this.packetError(
            ev,
            `unable to infer live TS ecr for script TS ecr ${ecr};  no matching or preceding outbound TS val`,
          );
        wr32(data, 4, live);
      }
      opts.push({ ...o, data });
    }
    const ob = optionsBytes(opts);
    if (ob.length % 4) this.packetError(ev, 'TCP options length is not a multiple of 4');
    const doff = 20 + ob.length;
    const tot = 20 + doff + p.len;
    const b = new Uint8Array(tot);
    b[0] = 0x45;
    b[1] = ecnBits(p.ecn);
    b[2] = tot >> 8;
    b[3] = tot & 255;
    b[6] = 0x40;
    b[8] = 64;
    b[9] = 6;
    wr32(b, 12, s.liveRemote);
    wr32(b, 16, s.liveLocal);
    const c = internetChecksum(b, 0, 20);
    b[10] = c >> 8;
    b[11] = c & 255;
    b[20] = s.liveRemotePort >> 8;
    b[21] = s.liveRemotePort & 255;
    b[22] = s.livePort >> 8;
    b[23] = s.livePort & 255;
    wr32(b, 24, seq);
    wr32(b, 28, ack);
    b[32] = (doff / 4) << 4;
    b[33] = flags;
    const win = p.win ?? 0;
    b[34] = win >> 8;
    b[35] = win & 255;
    b.set(ob, 40);
    const tc = transportChecksum(b, 20, tot - 20, 16, s.liveRemote, s.liveLocal, 6);
    b[36] = tc >> 8;
    b[37] = tc & 255;
    if (this.opts.verbose)
      this.opts.out(
        `inbound injected packet: ${usecsStr(this.nowUsecs())} ${pktString({ ...decode(b), options: decode(b).options })}\n`,
      );
    this.lab.inProcess('packetdrill', () => {
      const skb = tun_get_user(this.lab, this.tun, b, this.mss);
      this.lab.run('__netif_rx', skb);
    });
  }

  /**
   * An inbound ICMP message about the socket under test (new_icmp_packet, then map_inbound_packet's
   * set_icmp_echoed_tuple and map_inbound_icmp_tcp_packet): an IPv4 header from the remote end, the ICMP
   * header (type, code, frag-needed's next-hop MTU, echo id), and the quote of a segment the kernel sent: an
   * IPv4 header from the local address to the remote one whose length counts a 20-byte TCP header and the
   * bracket's payload, then the first 8 bytes of TCP: the ports and the bracket's sequence number, made live
   * by adding the kernel's ISN.
   */
  private async inboundIcmp(ev: ScriptEvent, p: PacketSpec): Promise<void> {
    const icmp = p.icmp!;
    const s = this.sut;
    if (!s) this.packetError(ev, 'no matching socket for script packet');
    await this.waitForEvent(ev, 'inbound packet');
    const ICMP_HLEN = 8;
    const QUOTE = 20 + 8; // ip_header_min_len + ICMP_ECHO_BYTES
    const tot = 20 + ICMP_HLEN + QUOTE;
    const b = new Uint8Array(tot);
    // set_ipv4_header: a ttl of 0 in the script is TTL_CHECK_NONE (255).
    b[0] = 0x45;
    b[1] = ecnBits(p.ecn);
    b[2] = tot >> 8;
    b[3] = tot & 255;
    b[8] = 255;
    b[9] = 1; // IPPROTO_ICMP
    wr32(b, 12, s.liveRemote);
    wr32(b, 16, s.liveLocal);
    const c = internetChecksum(b, 0, 20);
    b[10] = c >> 8;
    b[11] = c & 255;
    const h = 20;
    b[h] = icmp.typeByte;
    b[h + 1] = icmp.codeByte;
    // set_icmpv4_header: message.frag.mtu (the second 16 bits of the rest of the header), message.echo.id.
    if (icmp.mtu !== null) {
      b[h + 6] = icmp.mtu >> 8;
      b[h + 7] = icmp.mtu & 255;
    }
    if (icmp.id > 0) {
      b[h + 4] = icmp.id >> 8;
      b[h + 5] = icmp.id & 255;
    }
    const q = h + ICMP_HLEN;
    const quotedLen = 20 + 20 + p.len;
    b[q] = 0x45;
    b[q + 2] = (quotedLen >> 8) & 255;
    b[q + 3] = quotedLen & 255;
    b[q + 8] = 255;
    b[q + 9] = 6; // IPPROTO_TCP
    wr32(b, q + 12, s.liveLocal);
    wr32(b, q + 16, s.liveRemote);
    const t = q + 20;
    b[t] = s.livePort >> 8;
    b[t + 1] = s.livePort & 255;
    b[t + 2] = s.liveRemotePort >> 8;
    b[t + 3] = s.liveRemotePort & 255;
    wr32(b, t + 4, (p.seq + s.liveLocalIsn) >>> 0);
    const ic = internetChecksum(b, h, tot - h);
    b[h + 2] = ic >> 8;
    b[h + 3] = ic & 255;
    if (this.opts.verbose) {
      const code = icmp.code ? ` ${icmp.code}` : '';
      const mtu = icmp.mtu !== null ? ` mtu ${icmp.mtu}` : '';
      this.opts.out(
        `inbound injected packet: ${usecsStr(this.nowUsecs())} icmp ${icmp.type}${code}${mtu} [${p.seq}:${p.end}(${p.len})]\n`,
      );
    }
    this.lab.inProcess('packetdrill', () => {
      const skb = tun_get_user(this.lab, this.tun, b);
      this.lab.run('__netif_rx', skb);
    });
  }

  /** The next frame the stack sent on the tun device for the socket under test (sniff_outbound_live_packet). */
  private async sniff(ev: ScriptEvent, s: SockUnderTest): Promise<TunFrame | null> {
    const q = tun_file(this.tun)!.queue;
    const expected = this.evUsecs(ev);
    const timeout =
      ev.time.type === 'any'
        ? Infinity
        : this.startNs + (Math.max(expected, this.times.get(ev)!.end) + 2e6) * 1000;
    for (;;) {
      while (q.length) {
        const f = q.shift()!;
        const p = decode(f.bytes);
        if (p.proto !== 6) continue;
        if (
          p.saddr === s.liveLocal &&
          p.sport === s.livePort &&
          p.daddr === s.liveRemote &&
          p.dport === s.liveRemotePort
        )
          return f;
        // find_connect_for_live_packet: the SYN of a connect() we saw.
        if (s.state === 'active_syn_sent' || s.state === 'active_connecting') {
          if (p.flags & SYN && !(p.flags & ACK) && p.daddr === s.liveRemote && p.dport === s.liveRemotePort) {
            s.liveLocal = p.saddr;
            s.livePort = p.sport;
            s.liveLocalIsn = p.seq;
            return f;
          }
        }
      }
      if (this.lab.clock >= timeout) return null;
      const nextTimer = this.lab.timers.peek();
      if (!nextTimer && !this.blocking) return null;
      await this.advance(nextTimer ? Math.min(nextTimer.expires, timeout) : timeout, () => q.length > 0);
      if (!nextTimer && !q.length) return null;
    }
  }

  private async outbound(ev: ScriptEvent, p: PacketSpec): Promise<void> {
    const s = this.sut;
    const flags = flagBits(p.flags);
    if (!s) this.packetError(ev, 'no matching socket for script packet');
    // find_connect_for_script_packet: a SYN is a connect()'s; else (a retransmitted SYN) it must be the socket
    // under test's, already in SYN_SENT.
    if (flags & SYN && !(flags & ACK) && s.state !== 'active_syn_sent') {
      if (s.state !== 'active_connecting') this.packetError(ev, 'no matching socket for script packet');
      s.state = 'active_syn_sent';
      s.scriptLocalIsn = p.seq;
    }
    if (s.state === 'passive_packet_received' && flags & SYN && flags & ACK) s.scriptLocalIsn = p.seq;
    const f = await this.sniff(ev, s);
    if (!f) this.packetError(ev, `timed out waiting for packet`);
    if (s.state === 'passive_packet_received' && flags & SYN && flags & ACK) {
      s.state = 'passive_synack_sent';
      s.liveLocalIsn = rd32(f.bytes, 24);
    }
    // do_outbound_script_packet: sniff until the payload reaches the script's, then aggregate_packets
    // (the last packet's headers, the first's sequence number and CWR); --strict_segments: one packet only.
    // A packet of another 4-tuple (an old socket's retransmitted SYN, taken for the connect's) discards what
    // was gathered so far: the aggregate starts anew from it.
    let first = decode(f.bytes);
    let last = first;
    let lastT = f.t;
    let total = first.payload;
    while (total < p.len && !this.strictSegments) {
      const g = await this.sniff(ev, s);
      if (!g) break;
      const next = decode(g.bytes);
      if (
        next.saddr !== last.saddr ||
        next.sport !== last.sport ||
        next.daddr !== last.daddr ||
        next.dport !== last.dport
      ) {
        first = next;
        total = 0;
      }
      last = next;
      lastT = g.t;
      total += last.payload;
    }
    if (total !== p.len)
      this.packetError(ev, `live packet payload: expected ${p.len} bytes vs actual ${total} bytes`);
    const live: Pkt = {
      ...last,
      seq: first.seq,
      payload: total,
      flags: (last.flags & ~CWR) | (first.flags & CWR),
    };
    const liveUsecs = Math.round((lastT - this.startNs) / 1000);
    if (this.opts.verbose)
      this.opts.out(`outbound sniffed packet: ${usecsStr(liveUsecs)} ${pktString(live)}\n`);
    // tcp_convert_seq_number: live → script space.
    const isSyn = (live.flags & SYN) !== 0;
    const actual = { ...live };
    actual.seq = (live.seq - (isSyn ? (s.liveLocalIsn - s.scriptLocalIsn) >>> 0 : s.liveLocalIsn)) >>> 0;
    const ackOff = isSyn ? 0 : s.remoteIsn;
    if (live.flags & ACK) actual.ack = (live.ack - ackOff) >>> 0;
    actual.options = live.options.map((o) => {
      const data = o.data.slice();
      if (o.kind === 5)
        for (let k = 0; k + 8 <= data.length; k += 8) {
          wr32(data, k, (rd32(data, k) - ackOff) >>> 0);
          wr32(data, k + 4, (rd32(data, k + 4) - ackOff) >>> 0);
        }
      return { ...o, data };
    });
    // map_outbound_live_packet: TS val mapping.
    const sTs = p.options?.find((o) => o.kind === 8);
    const aTs = actual.options.find((o) => o.kind === 8);
    if (sTs && aTs) {
      const sv = rd32(sTs.data, 0);
      const av = rd32(aTs.data, 0);
      s.tsMap.set(sv, av);
      if (!s.firstTs) s.firstTs = { script: sv, live: av };
      wr32(aTs.data, 0, (s.firstTs.script + (av - s.firstTs.live)) >>> 0);
    }
    const scriptPkt = {
      flags,
      seq: p.seq,
      payload: p.len,
      ack: p.ack ?? 0,
      win: p.win ?? 0,
      options: p.options,
    };
    const dump = () =>
      `\nscript packet: ${usecsStr(this.evUsecs(ev))} ${pktString(scriptPkt)}\nactual packet: ${usecsStr(liveUsecs)} ${pktString(actual)}`;
    const err = this.verifyOutbound(ev, p, flags, actual, liveUsecs);
    if (err) this.packetError(ev, err + dump());
  }

  private verifyOutbound(
    ev: ScriptEvent,
    p: PacketSpec,
    flags: number,
    a: Pkt,
    liveUsecs: number,
  ): string | null {
    const field = (name: string, e: number, v: number): string | null =>
      e === v
        ? null
        : `live packet field ${name}: expected: ${e} (0x${e.toString(16)}) vs actual: ${v} (0x${v.toString(16)})`;
    const sOptLen = p.options === null ? a.doff - 20 : optionsBytes(p.options).length;
    const sDoff = 20 + sOptLen;
    const checks: Array<() => string | null> = [
      () => field('ipv4_total_length', 20 + sDoff + p.len, 20 + a.doff + a.payload),
      () => {
        if (!p.ecn) return null;
        const want = p.ecn;
        const bits = a.tos & 3;
        if (want === 'ect01')
          return bits === 1 || bits === 2
            ? null
            : `live packet field ip_ecn: expected: 0x1 or 0x2 vs actual: 0x${bits.toString(16)}`;
        return field('ip_ecn', ecnBits(want), bits);
      },
      () => field('tcp_data_offset', sDoff / 4, a.doff / 4),
      () => field('tcp_fin', flags & FIN ? 1 : 0, a.flags & FIN ? 1 : 0),
      () => field('tcp_syn', flags & SYN ? 1 : 0, a.flags & SYN ? 1 : 0),
      () => field('tcp_rst', flags & RST ? 1 : 0, a.flags & RST ? 1 : 0),
      () => field('tcp_psh', flags & PSH ? 1 : 0, a.flags & PSH ? 1 : 0),
      () => field('tcp_ack', flags & ACK ? 1 : 0, a.flags & ACK ? 1 : 0),
      () => field('tcp_urg', flags & URG ? 1 : 0, a.flags & URG ? 1 : 0),
      () => field('tcp_ece', flags & ECE ? 1 : 0, a.flags & ECE ? 1 : 0),
      () => field('tcp_cwr', flags & CWR ? 1 : 0, a.flags & CWR ? 1 : 0),
      () => field('tcp_seq', p.seq, a.seq),
      () => field('tcp_ack_seq', p.ack ?? 0, a.flags & ACK || p.ack !== null ? a.ack : 0),
      () => (p.win === null ? null : field('tcp_window', p.win, a.win)),
      () => field('tcp_urg_ptr', 0, a.urg),
      () => this.verifyOptions(ev, p, a),
      () =>
        this.verifyTime(
          ev,
          ev.time.type,
          this.evUsecs(ev),
          this.times.get(ev)!.end,
          liveUsecs,
          this.lastEventUsecs(),
          'outbound packet',
        ),
    ];
    for (const c of checks) {
      const e = c();
      if (e) return e;
    }
    return null;
  }

  private verifyOptions(ev: ScriptEvent, p: PacketSpec, a: Pkt): string | null {
    if (p.options === null) return null;
    const s = p.options;
    for (let k = 0; k < Math.max(s.length, a.options.length); k++) {
      const so = s[k];
      const ao = a.options[k];
      if (!so || !ao || so.kind !== ao.kind) return 'bad outbound TCP options';
      if (ao.kind === 8) {
        if (this.tsTick) {
          let tol = this.tolerance;
          const dyn = (this.tolerancePercent / 100) * this.evUsecs(ev);
          if (dyn > tol) tol = dyn;
          const d = Math.abs((rd32(ao.data, 0) - rd32(so.data, 0)) | 0);
          if (d * this.tsTick > tol) return `bad outbound TCP timestamp value, tolerance ${Math.trunc(tol)}`;
        }
        continue;
      }
      if (ao.kind === 0 || ao.kind === 1) continue;
      let why: string | null = null;
      if (so.data.length !== ao.data.length) why = 'bad length';
      else if (so.data.some((x, i) => x !== ao.data[i])) why = 'bad value';
      if (why)
        return `${why} in outbound TCP option (kind=${so.kind}): expected: ${optionString(so)} actual: ${optionString(ao)}`;
    }
    return null;
  }

  // ---- system calls -----------------------------------------------------------------------------------

  /** await_idle_thread: wait (up to a second) for a blocking call still running. */
  private async awaitIdle(): Promise<void> {
    if (!this.blocking || this.blocking.done) return;
    const until = this.lab.clock + 1e9;
    await this.advance(until, () => !this.blocking || this.blocking.done);
  }

  private async syscallEvent(ev: ScriptEvent, sc: SyscallSpec): Promise<void> {
    const blocking = sc.endUsecs !== null;
    if (blocking) {
      if (this.blocking && !this.blocking.done) {
        await this.awaitIdle();
        if (this.blocking && !this.blocking.done)
          this.fail(
            `${this.where(ev)}: runtime error in ${sc.name} call: blocking system call while another blocking system call is already in progress`,
          );
      }
      await this.waitForEvent(ev, 'system call start');
      const b: Blocking = { ev, done: false, endUsecs: this.times.get(ev)!.sysEnd! };
      this.blocking = b;
      const p = this.invoke(ev, sc);
      p.then(
        (r) => {
          b.done = true;
          const end = this.nowUsecs();
          const err = this.checkResult(sc, r);
          if (err) this.failure ??= `${this.where(ev)}: runtime error in ${sc.name} call: ${err}`;
          else {
            const terr = this.verifyTime(
              ev,
              ev.time.type,
              b.endUsecs,
              0,
              end,
              this.evUsecs(ev),
              'system call return',
            );
            if (terr) this.failure ??= `${this.where(ev)}: ${terr}`;
          }
        },
        (e) => {
          b.done = true;
          this.failure ??= e instanceof ScriptFailure ? e.message : String(e);
        },
      );
      // The main thread goes on once the call has blocked (or finished).
      await new Promise<void>((r) => setImmediate(r));
      this.checkBlockingFailure();
      return;
    }
    await this.awaitIdle();
    await this.waitForEvent(ev, 'system call start');
    let settled = false;
    let out: { ret: number; errno: number; fdCheck: boolean } | null = null;
    let thrown: unknown = null;
    this.invoke(ev, sc).then(
      (r) => ((out = r), (settled = true)),
      (e) => ((thrown = e), (settled = true)),
    );
    await this.advance(this.lab.clock + 10e9, () => settled);
    if (thrown) throw thrown;
    if (!settled || !out)
      this.fail(
        `${this.where(ev)}: runtime error in ${sc.name} call: the call blocked; a blocking call needs a time range (start...end)`,
      );
    const err = this.checkResult(sc, out);
    if (err) this.fail(`${this.where(ev)}: runtime error in ${sc.name} call: ${err}`);
  }

  /**
   * cmsg_expect_eq (run_system_call.c): the control messages recvmsg returned against the script's, in
   * order: level, type, length (CMSG_LEN of an int, or of IP_RECVERR's sock_extended_err and sockaddr_in),
   * then the data (sock_ee_expect_eq field by field for IP_RECVERR). Null when they match.
   */
  private checkCmsgs(expected: Expr[], r: TASK.RecvmsgResult): string | null {
    interface Cmsg {
      level: number;
      type: number;
      len: number;
      int?: number;
      ee?: Record<string, number>;
      /** struct scm_timestamping's ts[0..2] (µs; the script's in script time). */
      ts?: number[];
    }
    const TSS_LEN = 3 * 16; // struct scm_timestamping: three struct timespec
    const CMSG_HDR = 16;
    const EE_LEN = 16 + 16; // struct sock_extended_err + struct sockaddr_in
    const actual: Cmsg[] = [];
    if (r.timestamping)
      actual.push({
        level: SYMBOLS.SOL_SOCKET,
        type: SYMBOLS.SCM_TIMESTAMPING,
        len: CMSG_HDR + TSS_LEN,
        ts: r.timestamping.map((ns) => Math.trunc(ns / 1000)),
      });
    if (r.inq !== undefined)
      actual.push({ level: SYMBOLS.SOL_TCP, type: SYMBOLS.TCP_CM_INQ, len: CMSG_HDR + 4, int: r.inq });
    if (r.recverr)
      actual.push({
        level: SYMBOLS.SOL_IP,
        type: SYMBOLS.IP_RECVERR,
        len: CMSG_HDR + EE_LEN,
        ee: { ...r.recverr.ee },
      });
    const want: Cmsg[] = expected.map((c) => {
      if (c.t !== 'struct') throw new ScriptFailure('bad struct cmsghdr');
      const get = (n: string) => c.fields.find((f) => f.name === n)?.value;
      const level = this.evalInt(get('cmsg_level')!, 'cmsg_level');
      const type = this.evalInt(get('cmsg_type')!, 'cmsg_type');
      const data = get('cmsg_data')!;
      if (data.t === 'struct' && data.fields.some((f) => f.name === 'scm_sec' || f.name === 'scm_nsec')) {
        const f = (n: string) => data.fields.find((x) => x.name === n)?.value;
        const sec = f('scm_sec') ? this.evalInt(f('scm_sec')!, 'scm_sec') : 0;
        const nsec = f('scm_nsec') ? this.evalInt(f('scm_nsec')!, 'scm_nsec') : 0;
        return { level, type, len: CMSG_HDR + TSS_LEN, ts: [sec * 1e6 + Math.trunc(nsec / 1000), 0, 0] };
      }
      if (data.t === 'struct') {
        const ee: Record<string, number> = {};
        for (const f of data.fields) if (f.name) ee[f.name] = this.evalInt(f.value, f.name);
        return { level, type, len: CMSG_HDR + EE_LEN, ee };
      }
      return { level, type, len: CMSG_HDR + 4, int: this.evalInt(data, 'cmsg_data') };
    });
    let i = 0;
    for (; i < actual.length && i < want.length; i++) {
      const ac = actual[i];
      const ec = want[i];
      if (ac.level !== ec.level) return `Bad level in cmsg ${i}: expected=${ec.level} actual=${ac.level}`;
      if (ac.type !== ec.type) return `Bad type in cmsg ${i}: expected=${ec.type} actual=${ac.type}`;
      if (ac.len !== ec.len) return `Bad len in cmsg ${i}: expected=${ec.len} actual=${ac.len}`;
      if (ac.ts) {
        // scm_timestamping_expect_eq: script times made live, within the tolerance; 0 is not checked.
        for (let k = 0; k < 3; k++) {
          const e = ec.ts?.[k] ?? 0;
          if (!e) continue;
          const start = Math.trunc(this.startNs / 1000);
          const expUsecs = start + e;
          const got = ac.ts[k];
          if (Math.abs(expUsecs - got) > this.tolerance)
            return `Bad timestamp ${k} in scm_timestamping ${i}: expected=${expUsecs} (${expUsecs - start}) actual=${got} (${got - start}) start=${start}`;
        }
      } else if (ac.ee) {
        // sock_ee_expect_eq; a field the script leaves out is 0 (calloc).
        const words: Array<[string, string]> = [
          ['ee_errno', 'errno'],
          ['ee_origin', 'origin'],
          ['ee_type', 'type'],
          ['ee_code', 'code'],
          ['ee_info', 'info'],
          ['ee_data', 'data'],
        ];
        for (const [k, w] of words) {
          const e = (ec.ee?.[k] ?? 0) >>> 0;
          const got = ac.ee[k] >>> 0;
          if (e !== got) return `Bad ${w} in extended err ${i}: expected=${e} actual=${got}`;
        }
      } else if (ac.int !== ec.int) {
        return `Bad data in cmsg ${i}: expected=${ec.int} actual=${ac.int}`;
      }
    }
    if (i < actual.length) return `received more than ${i} cmsgs`;
    if (i < want.length) return `received only ${i} cmsgs`;
    return null;
  }

  /** end_syscall: the result (CHECK_FD for calls that make an fd) and errno. */
  private checkResult(sc: SyscallSpec, r: { ret: number; errno: number; fdCheck: boolean }): string | null {
    const expected = this.evalInt(sc.result, 'result');
    const actualErr = r.errno;
    if (r.fdCheck && expected >= 0) {
      if (r.ret < 0)
        return `Expected non-negative result but got ${r.ret} with errno ${actualErr} (${strerror(actualErr)})`;
    } else if (r.ret !== expected)
      return `Expected result ${expected} but got ${r.ret} with errno ${actualErr} (${strerror(actualErr)})`;
    if (sc.errno) {
      const want = ERRNO_BY_NAME[sc.errno];
      if (want === undefined) return `unknown errno symbol '${sc.errno}'`;
      if (actualErr !== want)
        return `Expected errno ${want} (${strerror(want)}) but got ${actualErr} (${strerror(actualErr)})`;
    }
    return null;
  }

  private evalInt(e: Expr, what: string): number {
    switch (e.t) {
      case 'ellipsis':
        if (what === 'domain') return 2;
        break;
      case 'int':
        return e.v;
      case 'sym': {
        // symbols_linux.c's table has the errno names too.
        const v = SYMBOLS[e.v] ?? ERRNO_BY_NAME[e.v];
        if (v === undefined) throw new ScriptFailure(`bad ${what}: unknown symbol '${e.v}'`);
        return v;
      }
      case 'or':
        return e.v.reduce((a, x) => a | this.evalInt(x, what), 0);
      case 'list':
        if (e.v.length === 1) return this.evalInt(e.v[0], what);
        break;
    }
    throw new ScriptFailure(`bad ${what}: expected an integer`);
  }

  private liveFd(e: Expr): number {
    const s = this.evalInt(e, 'fd');
    return this.fds.get(s) ?? 1000 + s;
  }

  private sockFor(scriptFd: number): SockUnderTest | null {
    return this.sut && this.sut.scriptFd === scriptFd ? this.sut : null;
  }

  private result(ret: number, fdCheck = false): { ret: number; errno: number; fdCheck: boolean } {
    return ret < 0 ? { ret: -1, errno: -ret, fdCheck } : { ret, errno: 0, fdCheck };
  }

  /** One system call (invoke_system_call): arguments evaluated, the call made in the Task. */
  private async invoke(
    ev: ScriptEvent,
    sc: SyscallSpec,
  ): Promise<{ ret: number; errno: number; fdCheck: boolean }> {
    const a = sc.args;
    const t = this.task;
    const err = (m: string): never => this.fail(`${this.where(ev)}: runtime error in ${sc.name} call: ${m}`);
    const need = (n: number) => {
      if (a.length !== n) err(`Expected ${n} args but got ${a.length}`);
    };
    const bufLen = (e: Expr): number => this.evalInt(e, 'length');
    const isNull = (e: Expr) => e.t === 'null';
    try {
      switch (sc.name) {
        case 'socket': {
          need(3);
          const fd = t.socket(
            this.evalInt(a[0], 'domain') || 2,
            this.evalInt(a[1], 'type'),
            this.evalInt(a[2], 'protocol'),
          );
          if (fd >= 0) {
            const sfd = this.evalInt(sc.result, 'result');
            this.fds.set(sfd, fd);
            this.sut = {
              state: 'new',
              scriptFd: sfd,
              liveFd: fd,
              liveLocal: this.localIp,
              livePort: 0,
              liveRemote: this.remoteIp,
              liveRemotePort: 8080,
              scriptLocalIsn: 0,
              liveLocalIsn: 0,
              remoteIsn: 0,
              tsMap: new Map(),
              firstTs: null,
            };
          }
          return this.result(fd, true);
        }
        case 'bind': {
          need(3);
          const sfd = this.evalInt(a[0], 'fd');
          const r = t.bind(this.liveFd(a[0]), this.localIp, 8080);
          const s = this.sockFor(sfd);
          if (s && r === 0) {
            s.liveLocal = this.localIp;
            s.livePort = 8080;
          }
          return this.result(r);
        }
        case 'listen': {
          need(2);
          const r = t.listen(this.liveFd(a[0]), this.evalInt(a[1], 'backlog'));
          const s = this.sockFor(this.evalInt(a[0], 'fd'));
          if (s && r === 0) s.state = 'passive_listening';
          return this.result(r);
        }
        case 'accept':
        case 'accept4': {
          const r = await t.accept(this.liveFd(a[0]), a[3] ? this.evalInt(a[3], 'flags') : 0);
          if (typeof r === 'number') return this.result(r, true);
          const sfd = this.evalInt(sc.result, 'result');
          this.fds.set(sfd, r.fd);
          if (this.sut && this.sut.state.startsWith('passive') && this.sut.liveFd < 0) {
            this.sut.liveFd = r.fd;
            this.sut.scriptFd = sfd;
          }
          return this.result(r.fd, true);
        }
        case 'connect': {
          need(3);
          const sfd = this.evalInt(a[0], 'fd');
          const s = this.sockFor(sfd);
          if (s && s.state === 'new') {
            s.state = 'active_connecting';
            s.liveRemote = this.remoteIp;
            s.liveRemotePort = 8080;
          }
          return this.result(await t.connectWait(this.liveFd(a[0]), this.remoteIp, 8080));
        }
        case 'write':
        case 'send':
        case 'sendto':
        case 'sendmsg': {
          let len: number;
          let flags = 0;
          let withAddr = false;
          let iovLens: number[] | null = null;
          if (sc.name === 'sendmsg') {
            const msg = a[1];
            if (msg.t !== 'struct') return err('sendmsg needs a struct msghdr');
            const iov = msg.fields.find((f) => f.name === 'msg_iov')?.value;
            len = 0;
            iovLens = [];
            if (iov?.t === 'list')
              for (const v of iov.v)
                if (v.t === 'struct' && v.fields[1]) {
                  const l = this.evalInt(v.fields[1].value, 'iov_len');
                  iovLens.push(l);
                  len += l;
                }
            flags = this.evalInt(a[2], 'flags');
          } else {
            if (isNull(a[1])) return this.result(-ERRNO.EFAULT);
            len = bufLen(a[2]);
            if (sc.name !== 'write') flags = this.evalInt(a[3], 'flags');
            withAddr = sc.name === 'sendto' && a[4]?.t === 'ellipsis';
          }
          const fd = this.liveFd(a[0]);
          const data = new Uint8Array(len);
          if (withAddr) {
            const s = this.sockFor(this.evalInt(a[0], 'fd'));
            if (s && s.state === 'new' && flags & TCP.MSG_FASTOPEN) {
              s.state = 'active_connecting';
              s.liveRemote = this.remoteIp;
              s.liveRemotePort = 8080;
            }
            return this.result(await t.sendtoStream(fd, data, this.remoteIp, 8080, flags));
          }
          return this.result(await t.send(fd, data, flags, iovLens));
        }
        case 'recvmsg': {
          // syscall_recvmsg: the iovec's length; the expected control messages are checked (TCP_CM_INQ).
          const msg = a[1];
          if (msg?.t !== 'struct') return err('recvmsg needs a struct msghdr');
          const field = (n: string) => msg.fields.find((f) => f.name === n)?.value;
          const iov = field('msg_iov');
          let len = 0;
          if (iov?.t === 'list')
            for (const v of iov.v)
              if (v.t === 'struct' && v.fields[1]) len += this.evalInt(v.fields[1].value, 'iov_len');
          const r = await t.recvmsg(this.liveFd(a[0]), len, this.evalInt(a[2], 'flags'));
          // A failed call leaves the msghdr as packetdrill filled it: equal to the expected one.
          if (typeof r === 'number') return this.result(r);
          const res = this.result(r.data.length);
          // end_syscall's result check comes before the msghdr's.
          const rerr = this.checkResult(sc, res);
          if (rerr) return err(rerr);
          const flagsExpr = field('msg_flags');
          const wantFlags = flagsExpr ? this.evalInt(flagsExpr, 'msg_flags') >>> 0 : 0;
          if (r.msgFlags >>> 0 !== wantFlags)
            return err(`Expected msg_flags 0x${hex8(wantFlags)} but got 0x${hex8(r.msgFlags >>> 0)}`);
          const control = field('msg_control');
          if (control?.t === 'list') {
            const cerr = this.checkCmsgs(control.v, r);
            if (cerr) return err(cerr);
          }
          return res;
        }
        case 'open': {
          // syscall_open: a path string and flags; the fd made is the script's.
          need(2);
          if (a[0].t !== 'str') return err('bad type; expected string but got ' + a[0].t);
          const fd = t.open(a[0].v, this.evalInt(a[1], 'flags'));
          if (fd >= 0) this.fds.set(this.evalInt(sc.result, 'result'), fd);
          return this.result(fd, true);
        }
        case 'sendfile': {
          // syscall_sendfile: out fd, in fd, [offset] (bracketed), count; the result is exact.
          need(4);
          const offset = a[2].t === 'null' ? null : { v: this.evalInt(a[2], 'offset') };
          return this.result(
            await t.sendfile(this.liveFd(a[0]), this.liveFd(a[1]), offset, this.evalInt(a[3], 'count')),
          );
        }
        case 'read':
        case 'recv':
        case 'recvfrom': {
          if (isNull(a[1])) return this.result(-ERRNO.EFAULT);
          const len = bufLen(a[2]);
          if (sc.name === 'read' && t.isFile(this.liveFd(a[0]))) {
            const r = t.readFile(this.liveFd(a[0]), len);
            return this.result(typeof r === 'number' ? r : r.length);
          }
          const flags = sc.name === 'read' ? 0 : this.evalInt(a[3], 'flags');
          const r = await t.recv(this.liveFd(a[0]), len, flags);
          return this.result(typeof r === 'number' ? r : r.length);
        }
        case 'close': {
          need(1);
          const sfd = this.evalInt(a[0], 'fd');
          const r = t.close(this.liveFd(a[0]));
          if (r === 0) this.fds.delete(sfd);
          return this.result(r);
        }
        case 'shutdown':
          need(2);
          return this.result(t.shutdown(this.liveFd(a[0]), this.evalInt(a[1], 'how')));
        case 'fcntl': {
          const cmd = this.evalInt(a[1], 'cmd');
          return this.result(t.fcntl(this.liveFd(a[0]), cmd, a[2] ? this.evalInt(a[2], 'arg') : 0));
        }
        case 'ioctl': {
          const fd = this.liveFd(a[0]);
          const r = t.ioctl(fd, this.evalInt(a[1], 'request'));
          if (r < 0) return this.result(r);
          if (a[2] && a[2].t === 'list') {
            const want = this.evalInt(a[2], 'ioctl value');
            if (want !== r) err(`Bad ioctl value: expected: ${want} actual: ${r}`);
          }
          return this.result(0);
        }
        case 'setsockopt': {
          need(5);
          const level = this.evalInt(a[1], 'level');
          const name = this.evalInt(a[2], 'optname');
          let v: number | string | [number, number];
          const e = a[3];
          if (e.t === 'str') v = e.v;
          else if (e.t === 'struct' && name === TASK.SO_LINGER)
            v = [this.evalInt(e.fields[0].value, 'l_onoff'), this.evalInt(e.fields[1].value, 'l_linger')];
          else if (e.t === 'struct' && (name === TASK.SO_RCVTIMEO || name === TASK.SO_SNDTIMEO))
            v =
              this.evalInt(e.fields[0].value, 'tv_sec') * 1e9 +
              this.evalInt(e.fields[1].value, 'tv_usec') * 1e3;
          else v = this.evalInt(e, 'optval');
          return this.result(t.setsockoptLevel(this.liveFd(a[0]), level, name, v));
        }
        case 'getsockopt': {
          need(5);
          const level = this.evalInt(a[1], 'level');
          const name = this.evalInt(a[2], 'optname');
          const v = t.getsockopt(this.liveFd(a[0]), level, name);
          if (typeof v === 'number' && v < 0) return this.result(v);
          const e = a[3];
          if (e.t === 'list' && typeof v === 'number') {
            const want = this.evalInt(e, 'optval') >>> 0;
            if (want !== v >>> 0) err(`Bad getsockopt optval: expected: ${want} actual: ${v >>> 0}`);
          } else if (e.t === 'str' && typeof v === 'string') {
            if (e.v !== v) err(`Bad getsockopt optval: expected: '${e.v}' actual: '${v}'`);
          } else if (e.t === 'struct' && v && typeof v === 'object') {
            for (const f of e.fields) {
              if (!f.name) continue;
              const want = this.evalInt(f.value, f.name);
              const got = (v as Record<string, unknown>)[f.name];
              if (Number(got) !== want)
                err(`Bad getsockopt ${f.name}: expected: ${want} actual: ${String(got)}`);
            }
          }
          return this.result(0);
        }
        case 'epoll_create': {
          need(1);
          const fd = t.epollCreate(this.evalInt(a[0], 'size'));
          if (fd >= 0) this.fds.set(this.evalInt(sc.result, 'result'), fd);
          return this.result(fd, true);
        }
        case 'epoll_ctl': {
          need(4);
          const ev = a[3];
          let events = 0;
          let data = 0;
          if (ev.t === 'struct') {
            for (const f of ev.fields) {
              if (f.name === 'events') events = this.evalInt(f.value, 'events');
              else data = this.evalInt(f.value, f.name ?? 'data');
            }
          }
          const op = this.evalInt(a[1], 'op');
          return this.result(t.epollCtl(this.liveFd(a[0]), op, this.liveFd(a[2]), events, data));
        }
        case 'epoll_wait': {
          // syscall_epoll_wait: the first event returned must be the script's (events and data).
          need(4);
          const timeoutMs = this.evalInt(a[3], 'timeout');
          const deadline = timeoutMs < 0 ? Infinity : this.lab.clock + timeoutMs * 1e6;
          const r = await t.epollWait(this.liveFd(a[0]), this.evalInt(a[2], 'maxevents'), deadline);
          if (typeof r === 'number') return this.result(r);
          const ev = a[1];
          if (r.length && ev.t === 'struct') {
            for (const f of ev.fields) {
              const want = this.evalInt(f.value, f.name ?? 'data') >>> 0;
              const got = f.name === 'events' ? r[0].events >>> 0 : r[0].data >>> 0;
              if (want !== got)
                err(`epoll_event->${f.name}: expected: 0x${want.toString(16)} actual: 0x${got.toString(16)}`);
            }
          }
          return this.result(r.length);
        }
        case 'poll': {
          const list = a[0];
          if (list.t !== 'list') return err('poll needs a list of struct pollfd');
          const entries = list.v.map((x) => {
            if (x.t !== 'struct') return err('bad struct pollfd');
            const get = (n: string) => x.fields.find((f) => f.name === n)?.value;
            return {
              fd: this.liveFd(get('fd')!),
              events: this.evalInt(get('events')!, 'events'),
              revents: get('revents') ? this.evalInt(get('revents')!, 'revents') : 0,
            };
          });
          const timeoutMs = this.evalInt(a[2], 'timeout');
          const deadline = timeoutMs < 0 ? Infinity : this.lab.clock + timeoutMs * 1e6;
          const r = await t.poll(
            entries.map((x) => ({ fd: x.fd, events: x.events })),
            deadline,
          );
          if (typeof r === 'number') return this.result(r);
          const n = r.filter((x) => x !== 0).length;
          for (let i = 0; i < entries.length; i++)
            if (r[i] !== entries[i].revents)
              err(
                `Expected revents of ${pollFlags(entries[i].revents)} but got ${pollFlags(r[i])} for pollfd ${i}`,
              );
          return this.result(n);
        }
      }
      return err(`Unknown system call: '${sc.name}'`);
    } catch (e) {
      if (e instanceof ScriptFailure && !e.message.startsWith(this.script.path))
        throw new ScriptFailure(`${this.where(ev)}: runtime error in ${sc.name} call: ${e.message}`);
      throw e;
    }
  }
}

const hex8 = (v: number): string => v.toString(16).toUpperCase().padStart(8, '0');

function pollFlags(v: number): string {
  const names: Array<[string, number]> = [
    ['POLLIN', TASK.POLLIN],
    ['POLLPRI', TASK.POLLPRI],
    ['POLLOUT', TASK.POLLOUT],
    ['POLLERR', TASK.POLLERR],
    ['POLLHUP', TASK.POLLHUP],
    ['POLLNVAL', TASK.POLLNVAL],
    ['POLLRDNORM', TASK.POLLRDNORM],
    ['POLLRDBAND', TASK.POLLRDBAND],
    ['POLLWRNORM', TASK.POLLWRNORM],
    ['POLLWRBAND', TASK.POLLWRBAND],
    ['POLLRDHUP', TASK.POLLRDHUP],
  ];
  const s = names.filter(([, b]) => v & b).map(([n]) => n);
  return s.length ? s.join('|') : '0';
}

function ecnBits(e: string | null): number {
  switch (e) {
    case 'ect0':
      return 2;
    case 'ect1':
      return 1;
    case 'ce':
      return 3;
    default:
      return 0;
  }
}

function arith(e: string): number {
  // Only digits, spaces, parentheses and + - * / reach here (the caller's pattern).
  const toks = e.match(/\d+|[-+*/()]/g) ?? [];
  let i = 0;
  const atom = (): number => {
    const t = toks[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    if (t === '-') return -atom();
    return Number(t);
  };
  const prod = (): number => {
    let v = atom();
    while (toks[i] === '*' || toks[i] === '/') v = toks[i++] === '*' ? v * atom() : Math.trunc(v / atom());
    return v;
  };
  const sum = (): number => {
    let v = prod();
    while (toks[i] === '+' || toks[i] === '-') v = toks[i++] === '+' ? v + prod() : v - prod();
    return v;
  };
  return sum();
}

/** Strip the indentation the block's lines share (packetdrill hands python the block as written). */
function dedent(code: string): string {
  const lines = code.split('\n');
  const ind = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length));
  return lines.map((l) => l.slice(Number.isFinite(ind) ? ind : 0)).join('\n');
}

/** Run one script file: null when it passed, else packetdrill's error message. */
export async function runScriptFile(file: string, opts: RunOptions): Promise<string | null> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return `${file}: ${(e as Error).message}`;
  }
  let script: Script;
  try {
    script = parseScript(file, text, opts.defines);
  } catch (e) {
    if (e instanceof ScriptError)
      return e.semantic
        ? `${file}:${e.line}: semantic error: ${e.message}`
        : `${file}:${e.line}:${e.col}: ${e.message}`;
    throw e;
  }
  const run = new PacketdrillRun(script, opts);
  try {
    await run.run();
    return null;
  } catch (e) {
    if (e instanceof ScriptFailure) return e.message;
    return `${file}: internal error: ${(e as Error).message}`;
  }
}
