/**
 * The packetdrill script language (gtests/net/packetdrill/lexer.l and parser.y), parsed into events:
 * options (`--tolerance_usecs=10000`), an init command in backticks, then timed events, each a packet to
 * inject (`<`) or expect (`>`), a system call with its expected result, a shell command in backticks, or a
 * `%{ python }%` block. A script that does not parse gives packetdrill's "file:line: syntax error" with the
 * column where parsing stopped.
 */

export type TimeType = 'absolute' | 'relative' | 'any' | 'absolute_range' | 'relative_range';

/** Times in microseconds, as parser.y keeps them (event->time_usecs). */
export interface EventTime {
  type: TimeType;
  usecs: number;
  /** Ranges (`0.1~0.2`): the end. */
  endUsecs: number | null;
}

export interface TcpOption {
  kind: number;
  /** The option's bytes after kind and length (NOP and EOL: none, and no length byte). */
  data: Uint8Array;
  /** For the messages: the option as the script wrote it. */
  text: string;
}

export interface PacketSpec {
  dir: '<' | '>';
  /**
   * An ICMP message (`< icmp unreachable frag_needed mtu 1200 [0:10(10)]`), not a TCP segment: its type and
   * code as written and as bytes (icmp_packet.c's tables), the MTU of a frag-needed, and the echo id. The
   * quoted TCP segment's sequence number is `seq` (0 without brackets).
   */
  icmp: {
    type: string;
    code: string;
    typeByte: number;
    codeByte: number;
    mtu: number | null;
    id: number;
  } | null;
  flags: string;
  seq: number;
  end: number;
  len: number;
  ack: number | null;
  win: number | null;
  /** null: `<...>`, options not checked (FLAG_OPTIONS_NOCHECK). */
  options: TcpOption[] | null;
  /** `[ect0]`, `[noecn]`, ...: the ECN bits to check or send. */
  ecn: string | null;
}

/** A syscall argument or result expression (packetdrill's struct expression, reduced). */
export type Expr =
  | { t: 'ellipsis' }
  | { t: 'int'; v: number }
  | { t: 'sym'; v: string }
  | { t: 'or'; v: Expr[] }
  | { t: 'str'; v: string }
  | { t: 'null' }
  | { t: 'list'; v: Expr[] }
  | { t: 'struct'; fields: Array<{ name: string | null; value: Expr }> }
  | { t: 'binop'; op: string; a: Expr; b: Expr };

export interface SyscallSpec {
  name: string;
  args: Expr[];
  result: Expr;
  errno: string | null;
  note: string | null;
  /** `start...end`: a blocking call expected to return at `end` (µs; relative like its start). */
  endUsecs: number | null;
}

export type EventBody =
  | { kind: 'packet'; packet: PacketSpec }
  | { kind: 'syscall'; syscall: SyscallSpec }
  | { kind: 'command'; command: string }
  | { kind: 'code'; code: string };

export interface ScriptEvent {
  line: number;
  col: number;
  time: EventTime;
  body: EventBody;
}

export interface Script {
  path: string;
  /** `--name=value` lines of the script, in order. */
  options: Array<{ name: string; value: string | null; line: number }>;
  initCommand: string | null;
  /** A command in backticks after the last event, without a time: run at the end. */
  cleanupCommand: string | null;
  events: ScriptEvent[];
}

export class ScriptError extends Error {
  constructor(
    readonly line: number,
    readonly col: number,
    message: string,
    /** parser.y's semantic_error: reported as `file:line: semantic error: ...`, without a column. */
    readonly semantic = false,
  ) {
    super(message);
  }
}

/** icmp_packet.c's icmpv4_unreachable_codes: the code byte of an ICMP_DEST_UNREACH by name (RFC 1700). */
const ICMPV4_UNREACHABLE_CODES: Readonly<Record<string, number>> = {
  net_unreachable: 0,
  host_unreachable: 1,
  protocol_unreachable: 2,
  port_unreachable: 3,
  frag_needed: 4,
  source_route_failed: 5,
  net_unknown: 6,
  host_unknown: 7,
  source_host_isolated: 8,
  net_prohibited: 9,
  host_prohibited: 10,
  net_unreachable_for_tos: 11,
  host_unreachable_for_tos: 12,
  packet_filtered: 13,
  precedence_violation: 14,
  precedence_cutoff: 15,
};

/** icmp_packet.c's icmpv4_types: the type byte by name, and the type's code table if it has one. */
const ICMPV4_TYPES: Readonly<Record<string, [number, Readonly<Record<string, number>> | null]>> = {
  echo_reply: [0, null],
  unreachable: [3, ICMPV4_UNREACHABLE_CODES],
  source_quench: [4, null],
  redirect: [5, null],
  echo_request: [8, null],
  time_exceeded: [11, null],
  parameter_problem: [12, null],
  timestamp_request: [13, null],
  timestamp_reply: [14, null],
  information_request: [15, null],
  information_reply: [16, null],
  address_mask_request: [17, null],
  address_mask_reply: [18, null],
};

/**
 * parse_icmp_type_and_code and set_icmpv4_header (icmp_packet.c), for the IPv4 wire protocol this runner
 * speaks: names from the tables (or tcpdump's `type_N` / `code_N`), a missing code is 0; an MTU only with
 * unreachable frag_needed. The messages are new_icmp_packet's, which parser.y reports as semantic errors.
 */
export function icmpv4TypeAndCode(
  type: string,
  code: string | null,
  mtu: number | null,
): { typeByte: number; codeByte: number } | string {
  let t = -1;
  let table: Readonly<Record<string, number>> | null = null;
  const tm = /^type_(-?\d+)/.exec(type);
  if (tm) t = parseInt(tm[1], 10);
  else if (Object.prototype.hasOwnProperty.call(ICMPV4_TYPES, type)) [t, table] = ICMPV4_TYPES[type];
  if (!(t >= 0 && t <= 255)) return `bad ICMP type ${type}`;
  let c = -1;
  const cm = code === null ? null : /^code_(-?\d+)/.exec(code);
  if (code === null) c = 0;
  else if (cm) c = parseInt(cm[1], 10);
  else if (table && Object.prototype.hasOwnProperty.call(table, code)) c = table[code];
  if (!(c >= 0 && c <= 255)) return `bad ICMP code ${code}`;
  if (mtu !== null) {
    if (t !== 3 || c !== 4) return 'ICMPv4 MTU is only valid for unreachable-frag_needed';
    if (mtu > 0xffff) return 'ICMPv4 MTU out of 16-bit range';
  }
  return { typeByte: t, codeByte: c };
}

const TCPOPT = { EOL: 0, NOP: 1, MSS: 2, WSCALE: 3, SACKOK: 4, SACK: 5, TS: 8, MD5: 19, FO: 34, EXP: 254 };
const TCPOPT_FASTOPEN_MAGIC = 0xf989;

/** A cursor over the text that knows its line and column, and skips blanks and comments. */
class Cursor {
  i = 0;
  constructor(readonly s: string) {}

  pos(i = this.i): { line: number; col: number } {
    let line = 1;
    let col = 1;
    for (let k = 0; k < i; k++) {
      if (this.s[k] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
    return { line, col };
  }

  fail(msg = 'syntax error'): never {
    const { line, col } = this.pos();
    throw new ScriptError(line, col, msg);
  }

  /** Skip white space and comments (`//`, `/* *\/`); `newlines` false stops at the end of the line. */
  skip(newlines = true): void {
    const s = this.s;
    for (;;) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.i++;
      else if (c === '/' && s[this.i + 1] === '/') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
      } else if (c === '/' && s[this.i + 1] === '*') {
        const e = s.indexOf('*/', this.i + 2);
        if (e < 0) this.fail('unterminated comment');
        this.i = e + 2;
      } else return;
    }
  }

  eof(): boolean {
    this.skip();
    return this.i >= this.s.length;
  }

  peek(str: string): boolean {
    this.skip();
    return this.s.startsWith(str, this.i);
  }

  eat(str: string): boolean {
    if (!this.peek(str)) return false;
    this.i += str.length;
    return true;
  }

  expect(str: string): void {
    if (!this.eat(str)) this.fail();
  }

  /** A run of characters matching `re` (one character at a time). */
  take(re: RegExp): string {
    this.skip();
    const start = this.i;
    while (this.i < this.s.length && re.test(this.s[this.i])) this.i++;
    return this.s.slice(start, this.i);
  }

  word(): string {
    return this.take(/[A-Za-z0-9_]/);
  }
}

/** A time as the lexer reads it: `1`, `.1`, `2.005`, in seconds → microseconds. */
function readSeconds(c: Cursor): number {
  c.skip(false);
  const m = /^(\d+(\.(?!\.)\d*)?|\.\d+)/.exec(c.s.slice(c.i, c.i + 40));
  if (!m) c.fail();
  c.i += m[0].length;
  return Math.round(parseFloat(m[0]) * 1e6);
}

function readTime(c: Cursor): { time: EventTime; endUsecs: number | null } {
  c.skip();
  if (c.eat('*')) return { time: { type: 'any', usecs: 0, endUsecs: null }, endUsecs: null };
  const rel = c.eat('+');
  const usecs = readSeconds(c);
  if (c.s.startsWith('~', c.i)) {
    c.i++;
    const rel2 = c.eat('+');
    if (rel2 !== rel) c.fail();
    const end = readSeconds(c);
    return {
      time: { type: rel ? 'relative_range' : 'absolute_range', usecs, endUsecs: end },
      endUsecs: null,
    };
  }
  let endUsecs: number | null = null;
  if (c.peek('...')) {
    c.i += 3;
    endUsecs = readSeconds(c);
  }
  return { time: { type: rel ? 'relative' : 'absolute', usecs, endUsecs: null }, endUsecs };
}

function hexBytes(c: Cursor, hex: string): Uint8Array {
  if (hex.length % 2) c.fail('TCP option cookie has odd number of hex digits');
  const b = new Uint8Array(hex.length / 2);
  for (let k = 0; k < b.length; k++) b[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return b;
}

function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function int(c: Cursor): number {
  const w = c.take(/[0-9xXa-fA-F]/);
  const v = /^0[xX][0-9a-fA-F]+$/.test(w) ? parseInt(w, 16) : /^\d+$/.test(w) ? parseInt(w, 10) : NaN;
  if (Number.isNaN(v)) c.fail();
  return v;
}

function readOption(c: Cursor): TcpOption {
  c.skip();
  const start = c.i;
  const name = c.word();
  const opt = (kind: number, data: number[] | Uint8Array): TcpOption => ({
    kind,
    data: Uint8Array.from(data),
    text: c.s.slice(start, c.i).trim(),
  });
  switch (name) {
    case 'nop':
      return opt(TCPOPT.NOP, []);
    case 'eol':
      return opt(TCPOPT.EOL, []);
    case 'mss':
      return opt(TCPOPT.MSS, u16(int(c)));
    case 'wscale':
      return opt(TCPOPT.WSCALE, [int(c)]);
    case 'sackOK':
      return opt(TCPOPT.SACKOK, []);
    case 'sack': {
      const d: number[] = [];
      while (!c.peek(',') && !c.peek('>')) {
        const l = int(c);
        c.expect(':');
        d.push(...u32(l), ...u32(int(c)));
      }
      return opt(TCPOPT.SACK, d);
    }
    case 'TS': {
      if (c.word() !== 'val') c.fail();
      const val = int(c);
      if (c.word() !== 'ecr') c.fail();
      return opt(TCPOPT.TS, [...u32(val), ...u32(int(c))]);
    }
    case 'FO':
    case 'FOEXP': {
      c.skip(false);
      const hex = c.take(/[0-9a-fA-F]/);
      // A name left here (`FOEXP TFO_COOKIE`) is one no -D defined.
      if (/[A-Za-z_]/.test(c.s[c.i] ?? '')) c.fail(`undefined symbol '${hex}${c.word()}'`);
      const cookie = hexBytes(c, hex);
      if (name === 'FO') return opt(TCPOPT.FO, cookie);
      return opt(TCPOPT.EXP, [...u16(TCPOPT_FASTOPEN_MAGIC), ...cookie]);
    }
    case 'md5': {
      const hex = c.take(/[0-9a-fA-F]/);
      return opt(TCPOPT.MD5, hexBytes(c, hex));
    }
    default:
      return c.fail();
  }
}

function readPacket(c: Cursor, dir: '<' | '>'): PacketSpec {
  let ecn: string | null = null;
  if (c.eat('[')) {
    ecn = c.word();
    c.expect(']');
  }
  c.skip();
  if (c.s.startsWith('icmp', c.i) && !/[A-Za-z0-9_]/.test(c.s[c.i + 4] ?? '')) {
    // icmp_packet_spec: ICMP icmp_type opt_icmp_code opt_icmp_mtu opt_icmp_echo_id opt_icmp_echoed. The
    // lexer's reserved words (`mtu`, `id`) are not WORDs, so they are never taken for a code.
    const line = c.pos().line;
    c.i += 4;
    const type = c.word();
    if (!type) c.fail();
    let code: string | null = null;
    let mtu: number | null = null;
    let id = 0;
    c.skip(false);
    const save = c.i;
    const w = c.word();
    if (w && w !== 'mtu' && w !== 'id') code = w;
    else c.i = save;
    c.skip(false);
    if (/^mtu(?![A-Za-z0-9_])/.test(c.s.slice(c.i, c.i + 4))) {
      c.i += 3;
      mtu = int(c);
    }
    c.skip(false);
    if (/^id(?![A-Za-z0-9_])/.test(c.s.slice(c.i, c.i + 3))) {
      c.i += 2;
      id = int(c);
    }
    let seq = 0;
    let end = 0;
    let len = 0;
    if (c.eat('[')) {
      seq = int(c);
      c.expect(':');
      end = int(c);
      c.expect('(');
      len = int(c);
      c.expect(')');
      c.expect(']');
    }
    if (id > 65535) throw new ScriptError(line, 0, 'invalid echo_id, must be between 0 and 65535', true);
    const tc = icmpv4TypeAndCode(type, code, mtu);
    if (typeof tc === 'string') throw new ScriptError(line, 0, tc, true);
    return {
      dir,
      icmp: { type, code: code ?? '', ...tc, mtu, id },
      flags: '',
      seq,
      end,
      len,
      ack: null,
      win: null,
      options: [],
      ecn,
    };
  }
  const flags = c.take(/[SFRP.EWCA-]/);
  if (!flags) c.fail();
  const seq = int(c);
  c.expect(':');
  const end = int(c);
  c.expect('(');
  const len = int(c);
  c.expect(')');
  let ack: number | null = null;
  let win: number | null = null;
  for (;;) {
    c.skip(false);
    if (c.s.startsWith('ack', c.i)) {
      c.i += 3;
      ack = int(c);
    } else if (c.s.startsWith('win', c.i)) {
      c.i += 3;
      win = int(c);
    } else break;
  }
  let options: TcpOption[] | null = [];
  c.skip(false);
  if (c.s[c.i] === '<') {
    c.i++;
    if (c.eat('...')) options = null;
    else if (!c.peek('>'))
      do options.push(readOption(c));
      while (c.eat(','));
    c.expect('>');
  }
  if ((end - seq) >>> 0 !== len) c.fail('inconsistent TCP sequence numbers and payload length');
  return { dir, icmp: null, flags, seq, end, len, ack, win, options, ecn };
}

function readExpr(c: Cursor): Expr {
  let e = readAtom(c);
  for (;;) {
    if (c.peek('|') && !c.peek('||')) {
      c.i++;
      const rhs = readAtom(c);
      e = e.t === 'or' ? { t: 'or', v: [...e.v, rhs] } : { t: 'or', v: [e, rhs] };
    } else if (c.peek('&&') || c.peek('||') || c.peek('==')) {
      const op = c.s.slice(c.i, c.i + 2);
      c.i += 2;
      e = { t: 'binop', op, a: e, b: readAtom(c) };
    } else return e;
  }
}

function readAtom(c: Cursor): Expr {
  c.skip();
  if (c.eat('...')) return { t: 'ellipsis' };
  if (c.eat('[')) {
    const v: Expr[] = [];
    if (!c.eat(']')) {
      do v.push(readExpr(c));
      while (c.eat(','));
      c.expect(']');
    }
    return { t: 'list', v };
  }
  if (c.eat('{')) {
    const fields: Array<{ name: string | null; value: Expr }> = [];
    if (!c.eat('}')) {
      do {
        c.skip();
        const save = c.i;
        const w = c.word();
        // msg_name(...)=... and msg_iov(1)=[...]: a field with an argument.
        if (w && c.peek('(')) {
          c.i++;
          readExpr(c);
          c.expect(')');
        }
        if (w && c.eat('=')) fields.push({ name: w, value: readExpr(c) });
        else {
          c.i = save;
          fields.push({ name: null, value: readExpr(c) });
        }
      } while (c.eat(','));
      c.expect('}');
    }
    return { t: 'struct', fields };
  }
  if (c.peek('"')) {
    // A C string literal (lexer.l's \"(\\.|[^"])*\"), its escapes undone as unescape_cstring_expression does.
    c.i++;
    let v = '';
    for (;;) {
      if (c.i >= c.s.length) c.fail();
      const ch = c.s[c.i++];
      if (ch === '"') break;
      if (ch !== '\\') {
        v += ch;
        continue;
      }
      const x = c.s[c.i++];
      const hex = /^[0-9a-fA-F]{1,2}/.exec(c.s.slice(c.i));
      const oct = /^[0-7]{1,3}/.exec(c.s.slice(c.i - 1));
      if (x === 'x' && hex) {
        v += String.fromCharCode(parseInt(hex[0], 16));
        c.i += hex[0].length;
      } else if (oct) {
        v += String.fromCharCode(parseInt(oct[0], 8) & 0xff);
        c.i += oct[0].length - 1;
      } else v += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[x] ?? x;
    }
    return { t: 'str', v };
  }
  if (c.eat('-')) {
    const a = readAtom(c);
    if (a.t !== 'int') c.fail();
    return { t: 'int', v: -a.v };
  }
  c.skip();
  if (/[0-9]/.test(c.s[c.i] ?? '')) return { t: 'int', v: int(c) };
  const w = c.word();
  if (!w) c.fail();
  if (w === 'NULL') return { t: 'null' };
  return { t: 'sym', v: w };
}

function readSyscall(c: Cursor, endUsecs: number | null): SyscallSpec {
  const name = c.word();
  c.expect('(');
  const args: Expr[] = [];
  if (!c.eat(')')) {
    do args.push(readExpr(c));
    while (c.eat(','));
    c.expect(')');
  }
  c.expect('=');
  const result = readExpr(c);
  let errno: string | null = null;
  let note: string | null = null;
  c.skip(false);
  if (/[A-Z]/.test(c.s[c.i] ?? '')) errno = c.word();
  c.skip(false);
  if (c.s[c.i] === '(') {
    const e = c.s.indexOf(')', c.i);
    if (e < 0) c.fail();
    note = c.s.slice(c.i + 1, e);
    c.i = e + 1;
  }
  return { name, args, result, errno, note, endUsecs };
}

function readBackticks(c: Cursor): string {
  c.expect('`');
  const e = c.s.indexOf('`', c.i);
  if (e < 0) c.fail('unterminated backtick command');
  const cmd = c.s.slice(c.i, e);
  c.i = e + 1;
  return cmd;
}

/**
 * The definitions the kernel's own packetdrill runner passes (tools/testing/selftests/net/packetdrill/
 * ksft_runner.sh, IPv4): the fast-open cookie the scripts' key gives 192.0.2.1, and the cmsg names of
 * IP_RECVERR; and CODE, which only packetdrill's own runner defines (gtests/net/packetdrill/run_all.py,
 * IPv4: `-D CODE=host_unreachable`, the ICMP code of fastopen/server/icmp-*.pkt). `skblab packetdrill` uses
 * them unless -D says otherwise.
 */
export const KSFT_DEFINES: Readonly<Record<string, string>> = {
  TFO_COOKIE: '3021b9d889017eeb',
  TFO_COOKIE_ZERO: 'b7c12350a90dc8f5',
  CMSG_LEVEL_IP: 'SOL_IP',
  CMSG_TYPE_RECVERR: 'IP_RECVERR',
  CODE: 'host_unreachable',
};

/**
 * packetdrill's -D NAME=VALUE (lexer.l): a defined name that the script's grammar reads as a word is replaced
 * by its value. Comments, backtick commands and `%{ }%` blocks are left alone, as the lexer reads them whole.
 */
export function expandDefines(text: string, defines: Readonly<Record<string, string>>): string {
  if (!Object.keys(defines).length) return text;
  let out = '';
  let i = 0;
  const verbatim = (end: string, from: number): void => {
    const e = text.indexOf(end, from);
    const stop = e < 0 ? text.length : e + end.length;
    out += text.slice(i, stop);
    i = stop;
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') verbatim('\n', i);
    else if (ch === '/' && text[i + 1] === '*') verbatim('*/', i + 2);
    else if (ch === '`') verbatim('`', i + 1);
    else if (ch === '%' && text[i + 1] === '{') verbatim('}%', i + 2);
    else if (ch === '"') verbatim('"', i + 1);
    else if (/[A-Za-z_]/.test(ch) && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      let e = i + 1;
      while (e < text.length && /[A-Za-z0-9_]/.test(text[e])) e++;
      const word = text.slice(i, e);
      out += Object.prototype.hasOwnProperty.call(defines, word) ? defines[word] : word;
      i = e;
    } else out += text[i++];
  }
  return out;
}

/** parse_script: the whole text, or a ScriptError at the line and column where it stops making sense. */
export function parseScript(
  path: string,
  text: string,
  defines: Readonly<Record<string, string>> = {},
): Script {
  const c = new Cursor(expandDefines(text, defines));
  const script: Script = { path, options: [], initCommand: null, cleanupCommand: null, events: [] };
  for (;;) {
    c.skip();
    if (!c.s.startsWith('--', c.i)) break;
    const line = c.pos().line;
    c.i += 2;
    const name = c.take(/[A-Za-z0-9_]/);
    let value: string | null = null;
    if (c.s[c.i] === '=') {
      c.i++;
      const start = c.i;
      while (c.i < c.s.length && !/\s/.test(c.s[c.i])) c.i++;
      value = c.s.slice(start, c.i);
    }
    script.options.push({ name, value, line });
  }
  if (c.peek('`')) script.initCommand = readBackticks(c);
  while (!c.eof()) {
    if (c.peek('`')) {
      script.cleanupCommand = readBackticks(c);
      if (!c.eof()) c.fail();
      break;
    }
    const { line, col } = c.pos();
    const { time, endUsecs } = readTime(c);
    c.skip();
    let body: EventBody;
    const ch = c.s[c.i];
    if (ch === '<' || ch === '>') {
      c.i++;
      if (endUsecs !== null) c.fail();
      body = { kind: 'packet', packet: readPacket(c, ch) };
    } else if (ch === '`') {
      body = { kind: 'command', command: readBackticks(c) };
    } else if (c.s.startsWith('%{', c.i)) {
      const e = c.s.indexOf('}%', c.i + 2);
      if (e < 0) c.fail('unterminated code block');
      body = { kind: 'code', code: c.s.slice(c.i + 2, e) };
      c.i = e + 2;
    } else if (/[a-z_]/.test(ch ?? '')) {
      body = { kind: 'syscall', syscall: readSyscall(c, endUsecs) };
    } else return c.fail();
    script.events.push({ line, col, time, body });
  }
  return script;
}
