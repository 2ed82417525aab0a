/**
 * socat 1.7.4 (Debian 12's 1.7.4.4) for its common forms: two addresses joined by a bidirectional
 * transfer loop.
 *
 * Addresses: `STDIO` (or `-`), `TCP:HOST:PORT` (`TCP4`, `TCP-CONNECT`, `TCP4-CONNECT`),
 * `TCP-LISTEN:PORT` (`TCP4-LISTEN`, `TCP-L`, `TCP4-L`), `UNIX-CONNECT:PATH` (`UNIX-CLIENT`),
 * `UNIX-LISTEN:PATH` (`UNIX-L`), `ABSTRACT-CONNECT:NAME`, `ABSTRACT-LISTEN:NAME`; options after commas:
 * `fork`, `reuseaddr`, `backlog=N`, `unlink-early`, `bind=ADDR`. The first address is opened, then the
 * second; a listener accepts one connection and closes (or, with `fork`, a child handles each connection,
 * opening the second address for it, while the parent accepts the next). A TCP listener binds 0.0.0.0 with
 * socat's backlog of 5. UNIX-LISTEN refuses a path that exists (`E "PATH" exists`) unless unlink-early,
 * and removes its socket's name when it closes (unlink-close).
 *
 * The transfer loop (xioengine's _socat): what one side reads (8192 bytes at a time) is written to the
 * other; at one side's EOF the other is shut down for writing (a FIN on a socket) and socat waits at most
 * `-t` seconds (0.5) for the other direction to end, then closes both. -u and -U make it one-way.
 *
 * Messages are socat's, `YYYY/MM/DD HH:MM:SS socat[PID] E connect(5, AF=2 127.0.0.1:8081, 16): Connection
 * refused` (exit 1); `-d -d` adds the notices (N) of listening, accepting, connecting, the transfer loop,
 * EOFs and the exit. The descriptor numbers are the real ones: socat holds two descriptors (3 and 4) before
 * its first socket, which the lab's process does not, so the printed fds are the lab's plus 2.
 */
import {
  AF_INET,
  EAGAIN,
  EINTR,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  STRERROR,
  kern_path,
} from '@skblab/kernel';
import { AF_UNIX, UNIX_PATH_MAX } from '@skblab/kernel/include/net/af_unix';
import { POLLIN, SHUT_WR, type Task } from '@skblab/runtime';
import { ipv4ToString } from '@skblab/wire/address';
import type { Command, CommandContext } from './command';
import { NSEC_PER_SEC } from './command';
import { tcpServiceByName } from './nc';
import { resolveHost } from './resolve';

const BUFSIZE = 8192;
/** socat's two descriptors before its first socket: the lab's fd 3 is socat's 5. */
const FD_OFFSET = 2;
const EAI_AGAIN = 'Temporary failure in name resolution';
const EAI_SERVICE = 'Servname not supported for ai_socktype';

const VERSION = `socat by Gerhard Rieger and contributors - see www.dest-unreach.org
socat version 1.7.4.4 on 06 Nov 2022 08:15:51
   running on Linux version 6.12, machine x86_64
`;

const HELP = `${VERSION.split('\n').slice(0, 2).join('\n')}
Usage:
socat [options] <bi-address> <bi-address>
   options (general command line options):
      -V     print version and feature information to stdout, and exit
      -h|-?  print a help text describing command line options and addresses
      -d[ddd]         increase verbosity (use up to 4 times; 2 are recommended)
      -u     unidirectional mode (left to right)
      -U     unidirectional mode (right to left)
      -t<timeout>     wait seconds before closing second channel
   bi-address:  (the lab's socat: STDIO, -, TCP, TCP4, TCP-LISTEN, TCP4-LISTEN, UNIX-CONNECT,
                 UNIX-LISTEN, UNIX-CLIENT, ABSTRACT-CONNECT, ABSTRACT-LISTEN)
`;

type Kind = 'stdio' | 'tcp' | 'tcp-listen' | 'unix' | 'unix-listen';

const KEYWORDS: Record<string, { kind: Kind; params: number; abstract?: boolean }> = {
  STDIO: { kind: 'stdio', params: 0 },
  '-': { kind: 'stdio', params: 0 },
  TCP: { kind: 'tcp', params: 2 },
  TCP4: { kind: 'tcp', params: 2 },
  'TCP-CONNECT': { kind: 'tcp', params: 2 },
  'TCP4-CONNECT': { kind: 'tcp', params: 2 },
  'TCP-LISTEN': { kind: 'tcp-listen', params: 1 },
  'TCP4-LISTEN': { kind: 'tcp-listen', params: 1 },
  'TCP-L': { kind: 'tcp-listen', params: 1 },
  'TCP4-L': { kind: 'tcp-listen', params: 1 },
  'UNIX-CONNECT': { kind: 'unix', params: 1 },
  'UNIX-CLIENT': { kind: 'unix', params: 1 },
  'UNIX-LISTEN': { kind: 'unix-listen', params: 1 },
  'UNIX-L': { kind: 'unix-listen', params: 1 },
  'ABSTRACT-CONNECT': { kind: 'unix', params: 1, abstract: true },
  'ABSTRACT-LISTEN': { kind: 'unix-listen', params: 1, abstract: true },
};

const OPTIONS = new Set(['fork', 'reuseaddr', 'backlog', 'unlink-early', 'bind', 'so-reuseaddr']);

interface Address {
  keyword: string;
  kind: Kind;
  params: string[];
  abstract: boolean;
  opts: Map<string, string>;
}

/** One open side of the transfer: a socket, or standard input and output. */
interface End {
  /** The descriptor polled for reading (-1: standard input, always ready). */
  fd: number;
  /** The descriptors socat prints ([0,1] for stdio). */
  label: string;
  read(): Uint8Array | 'eof' | 'again' | number;
  write(data: Uint8Array): Promise<number>;
  shutdownWrite(): void;
  close(): void;
}

class Socat {
  readonly task: Task;
  verbosity = 0;
  unidir: 'both' | 'right' | 'left' = 'both';
  closeWait = 0.5;
  private stdinPos = 0;
  private readonly stdin: Uint8Array;
  private readonly decoder = new TextDecoder();

  constructor(readonly ctx: CommandContext) {
    this.task = ctx.task('socat');
    ctx.job.onStop.push(() => this.task.interrupt());
    this.stdin = new TextEncoder().encode(ctx.stdin ?? '');
  }

  /** socat's log line: `2026/12/07 20:10:54 socat[12810] E message`, the lab's clock. */
  log(level: 'E' | 'W' | 'N', msg: string): void {
    if (level === 'N' && this.verbosity < 2) return;
    if (level === 'W' && this.verbosity < 1) return;
    const d = new Date(Math.floor(this.ctx.lab.now() / 1e6));
    const p = (n: number) => String(n).padStart(2, '0');
    const when =
      `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ` +
      `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
    this.ctx.err(`${when} socat[${this.task.pid}] ${level} ${msg}\n`);
  }

  fd(fd: number): number {
    return fd + FD_OFFSET;
  }

  error(msg: string): number {
    this.log('E', msg);
    return 1;
  }

  stdioEnd(): End {
    this.log('N', 'reading from and writing to stdio');
    return {
      fd: -1,
      label: '0,1',
      read: () => {
        if (this.stdinPos >= this.stdin.length) return 'eof';
        const chunk = this.stdin.subarray(this.stdinPos, this.stdinPos + BUFSIZE);
        this.stdinPos += chunk.length;
        return chunk;
      },
      write: async (d) => {
        this.ctx.out(this.decoder.decode(d, { stream: true }));
        return d.length;
      },
      shutdownWrite: () => undefined,
      close: () => undefined,
    };
  }

  socketEnd(fd: number, onClose?: () => void): End {
    const task = this.task;
    return {
      fd,
      label: `${this.fd(fd)},${this.fd(fd)}`,
      read: () => {
        const r = task.tryRecv(fd, BUFSIZE);
        if (typeof r === 'number') return r === -EAGAIN ? 'again' : r;
        return r.data.length === 0 ? 'eof' : r.data;
      },
      write: (d) => task.send(fd, d),
      shutdownWrite: () => void task.shutdown(fd, SHUT_WR),
      close: () => {
        task.close(fd);
        onClose?.();
      },
    };
  }

  /** The sockaddr socat prints: `AF=2 127.0.0.1:8081` or `AF=1 "/tmp/x"`. */
  private inet(addr: number, port: number): string {
    return `AF=2 ${ipv4ToString(addr)}:${port}`;
  }

  /** getaddrinfo of a TCP address's host and port, with socat's message when it fails. */
  private lookup(host: string | null, port: string): { addr: number; port: number } | string {
    let p: number | null = /^\d+$/.test(port) ? Number(port) & 0xffff : tcpServiceByName(port);
    if (p === null) return `getaddrinfo"${host ?? 'NULL'}", "${port}", {1,0,1,0}, {}): ${EAI_SERVICE}`;
    if (host === null) return { addr: 0, port: p };
    const a = resolveHost(this.ctx.lab, host);
    if (a === null) return `getaddrinfo("${host}", "NULL", {1,0,1,6}, {}): ${EAI_AGAIN}`;
    p = p ?? 0;
    return { addr: a, port: p };
  }

  private sunPath(a: Address): string {
    return a.abstract ? '\0' + a.params[0] : a.params[0];
  }

  private sunText(a: Address): string {
    return a.abstract ? `"\\0${a.params[0]}"` : `"${a.params[0]}"`;
  }

  /** Opens a connecting address; null when it failed (logged). */
  private async connect(a: Address): Promise<End | null> {
    const task = this.task;
    if (a.kind === 'stdio') return this.stdioEnd();
    if (a.kind === 'tcp') {
      const r = this.lookup(a.params[0], a.params[1]);
      if (typeof r === 'string') {
        this.error(r);
        return null;
      }
      const fd = task.socket(AF_INET, SOCK_STREAM, 0);
      if (a.opts.has('reuseaddr') || a.opts.has('so-reuseaddr'))
        task.setsockoptLevel(fd, SOL_SOCKET, SO_REUSEADDR, 1);
      this.log('N', `opening connection to ${this.inet(r.addr, r.port)}`);
      const rc = await task.connectWait(fd, r.addr, r.port);
      if (rc < 0) {
        this.error(`connect(${this.fd(fd)}, ${this.inet(r.addr, r.port)}, 16): ${STRERROR[-rc]}`);
        task.close(fd);
        return null;
      }
      const sk = task.sockOf(fd)!;
      this.log('N', `successfully connected from local address ${this.inet(sk.saddr, sk.num)}`);
      return this.socketEnd(fd);
    }
    // unix
    const path = this.sunPath(a);
    if (path.length > UNIX_PATH_MAX) {
      this.error(`${a.keyword}: path too long`);
      return null;
    }
    const fd = task.socket(AF_UNIX, SOCK_STREAM, 0);
    this.log('N', `opening connection to AF=1 ${this.sunText(a)}`);
    const rc = await task.connectWait(fd, path);
    if (rc < 0) {
      // socat 1.7.4 prints no descriptor here.
      this.error(`connect(, AF=1 ${this.sunText(a)}, ${2 + path.length}): ${STRERROR[-rc]}`);
      task.close(fd);
      return null;
    }
    return this.socketEnd(fd);
  }

  /**
   * Opens a listening address and accepts: `then` runs for the connection (for each one, in a child,
   * with fork). Returns the exit status.
   */
  private async listen(a: Address, then: (end: End) => Promise<number>): Promise<number> {
    const task = this.task;
    const fork = a.opts.has('fork');
    const backlog = Number(a.opts.get('backlog') ?? 5);
    const fd = task.socket(a.kind === 'tcp-listen' ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
    let unlinkPath: string | null = null;
    let where: string;
    if (a.kind === 'tcp-listen') {
      const bind = a.opts.get('bind') ?? null;
      const r = this.lookup(bind, a.params[0]);
      if (typeof r === 'string') return this.error(r);
      if (a.opts.has('reuseaddr') || a.opts.has('so-reuseaddr'))
        task.setsockoptLevel(fd, SOL_SOCKET, SO_REUSEADDR, 1);
      where = this.inet(r.addr, r.port);
      const rc = task.bind(fd, r.addr, r.port);
      if (rc < 0) {
        task.close(fd);
        return this.error(`bind(${this.fd(fd)}, {${where}}, 16): ${STRERROR[-rc]}`);
      }
    } else {
      const path = this.sunPath(a);
      if (!a.abstract) {
        if (typeof kern_path(this.ctx.host.fs, path) !== 'number') {
          if (!a.opts.has('unlink-early')) {
            task.close(fd);
            return this.error(`"${path}" exists`);
          }
          task.unlink(path);
        }
        unlinkPath = path;
      }
      where = `AF=1 ${this.sunText(a)}`;
      const rc = task.bind(fd, path);
      if (rc < 0) {
        task.close(fd);
        return this.error(`bind(${this.fd(fd)}, {${where}}, ${2 + path.length}): ${STRERROR[-rc]}`);
      }
    }
    task.listen(fd, backlog);
    this.log('N', `listening on ${where}`);
    const unlink = () => {
      if (unlinkPath !== null) task.unlink(unlinkPath);
      unlinkPath = null;
    };
    const children: Promise<number>[] = [];
    for (;;) {
      const c = await task.accept(fd);
      if (typeof c === 'number') {
        task.close(fd);
        unlink();
        if (c === -EINTR) return this.signalled(children);
        return this.error(`accept(${this.fd(fd)}, ...): ${STRERROR[-c]}`);
      }
      if (a.kind === 'tcp-listen') {
        const sk = task.sockOf(c.fd)!;
        this.log(
          'N',
          `accepting connection from ${this.inet(c.addr, c.port)} on ${this.inet(sk.rcvSaddr, sk.num)}`,
        );
      } else this.log('N', `accepting connection from AF=1 "" on ${where}`);
      if (!fork) {
        task.close(fd);
        return then(this.socketEnd(c.fd, unlink));
      }
      // fork(): the child handles this connection; the parent closes its copy and accepts the next.
      this.log('N', 'forked off child process');
      children.push(then(this.socketEnd(c.fd)));
    }
  }

  /** SIGINT ends socat (and its children): "exiting on signal 2", 130. */
  private async signalled(children: Promise<number>[]): Promise<number> {
    await Promise.all(children);
    this.log('N', 'socat_signal(): handling signal 2');
    this.log('N', 'exiting on signal 2');
    return 130;
  }

  /** Opens address `a`, then runs `then` with it (for each connection of a forking listener). */
  open(a: Address, then: (end: End) => Promise<number>): Promise<number> {
    if (a.kind === 'tcp-listen' || a.kind === 'unix-listen') return this.listen(a, then);
    return this.connect(a).then((end) => (end ? then(end) : 1));
  }

  /** _socat(): the transfer loop between the two ends, then both closed. */
  async transfer(e1: End, e2: End): Promise<number> {
    const task = this.task;
    this.log('N', `starting data transfer loop with FDs [${e1.label}] and [${e2.label}]`);
    // Direction 1 reads e1 and writes e2; direction 2 the other way.
    const dirs = [
      { from: e1, to: e2, open: this.unidir !== 'left', n: 1 },
      { from: e2, to: e1, open: this.unidir !== 'right', n: 2 },
    ];
    let closingUntil = Infinity;
    let status = 0;
    for (;;) {
      if (!dirs.some((d) => d.open)) break;
      if (this.ctx.lab.now() >= closingUntil) break;
      let progress = false;
      for (const d of dirs) {
        if (!d.open) continue;
        const r = d.from.read();
        if (r === 'again') continue;
        if (typeof r === 'number') {
          if (r === -EINTR) return this.end(e1, e2, 130);
          this.error(`read(${d.from.fd < 0 ? 0 : this.fd(d.from.fd)}, 0x0, ${BUFSIZE}): ${STRERROR[-r]}`);
          status = 1;
          return this.end(e1, e2, status);
        }
        progress = true;
        if (r === 'eof') {
          const fdText = d.from.fd < 0 ? 0 : this.fd(d.from.fd);
          this.log('N', `socket ${d.n} (fd ${fdText}) is at EOF`);
          d.open = false;
          d.to.shutdownWrite();
          // The first EOF starts the close wait (-t) for the other direction.
          if (closingUntil === Infinity) closingUntil = this.ctx.lab.now() + this.closeWait * NSEC_PER_SEC;
          continue;
        }
        const w = await d.to.write(r);
        if (w < 0) {
          if (w === -EINTR) return this.end(e1, e2, 130);
          this.error(`write(${d.to.fd < 0 ? 1 : this.fd(d.to.fd)}, 0x0, ${r.length}): ${STRERROR[-w]}`);
          return this.end(e1, e2, 1);
        }
      }
      if (progress) continue;
      // poll() on the sockets still read, up to the close wait.
      const fds = dirs
        .filter((d) => d.open && d.from.fd >= 0)
        .map((d) => ({ fd: d.from.fd, events: POLLIN }));
      if (!fds.length) {
        if (closingUntil === Infinity) break;
        if (!(await this.ctx.sleep(Math.max(0, closingUntil - this.ctx.lab.now()))))
          return this.end(e1, e2, 130);
        break;
      }
      const p = await task.poll(fds, closingUntil);
      if (p === -EINTR || this.ctx.job.stopped) return this.end(e1, e2, 130);
    }
    return this.end(e1, e2, status);
  }

  private end(e1: End, e2: End, status: number): number {
    e1.close();
    e2.close();
    if (status !== 130) this.log('N', `exiting with status ${status}`);
    return status;
  }
}

/** xioopen's address parsing: KEYWORD:param:param,option,option=value. */
function parseAddress(s: Socat, text: string): Address | number {
  const comma = text.indexOf(',');
  const head = comma >= 0 ? text.slice(0, comma) : text;
  const optText = comma >= 0 ? text.slice(comma + 1) : '';
  const parts = head === '-' ? ['-'] : head.split(':');
  const word = parts[0].toUpperCase();
  const kw = KEYWORDS[word];
  if (!kw) return s.error(`unknown device/address "${parts[0]}"`);
  const params = parts.slice(1);
  if (params.length !== kw.params)
    return s.error(`${parts[0]}: wrong number of parameters (${params.length} instead of ${kw.params})`);
  const opts = new Map<string, string>();
  for (const o of optText ? optText.split(',') : []) {
    const [name, ...v] = o.split('=');
    if (!OPTIONS.has(name.toLowerCase())) return s.error(`parseopts_table(): unknown option "${name}"`);
    opts.set(name.toLowerCase(), v.join('='));
  }
  return { keyword: parts[0], kind: kw.kind, params, abstract: kw.abstract === true, opts };
}

export const socat: Command = async (ctx) => {
  const s = new Socat(ctx);
  try {
    const args = ctx.argv.slice(1);
    let i = 0;
    for (; i < args.length; i++) {
      const a = args[i];
      if (!a.startsWith('-') || a === '-') break;
      if (/^-d+$/.test(a)) s.verbosity += a.length - 1;
      else if (a === '-u') s.unidir = 'right';
      else if (a === '-U') s.unidir = 'left';
      else if (a === '-V') {
        ctx.out(VERSION);
        return 0;
      } else if (a === '-h' || a === '-?') {
        ctx.out(HELP);
        return 0;
      } else if (a.startsWith('-t')) {
        const v = a.length > 2 ? a.slice(2) : args[++i];
        const t = Number(v);
        if (v === undefined || !Number.isFinite(t)) return s.error(`option -t: invalid value "${v ?? ''}"`);
        s.closeWait = t;
      } else return s.error(`unknown option "${a}"; use option "-h" for help`);
    }
    const addrs = args.slice(i);
    if (addrs.length !== 2)
      return s.error(`exactly 2 addresses required (there are ${addrs.length}); use option "-h" for help`);
    const a1 = parseAddress(s, addrs[0]);
    if (typeof a1 === 'number') return a1;
    const a2 = parseAddress(s, addrs[1]);
    if (typeof a2 === 'number') return a2;
    return await s.open(a1, (e1) =>
      s
        .open(a2, (e2) => s.transfer(e1, e2))
        .then((st) => {
          // The second address failed: the first is closed as socat exits.
          if (st !== 0) e1.close();
          return st;
        }),
    );
  } finally {
    s.task.closeAll();
  }
};
