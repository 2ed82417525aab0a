/**
 * redis-cli (Redis 7.0.15): connects as hiredis does (TCP, then TCP_NODELAY and keepalive, or AF_UNIX
 * with -s; a failed connect is tried once more), sends each command as a RESP multibulk request and
 * prints the reply as redis-cli does:
 *
 * - stdout a terminal (OUTPUT_STANDARD, or --no-raw): `"v"`, `(nil)`, `(integer) 1`, `(error) ERR ...`,
 *   `1) "k"` (indexes padded to the widest), `(empty array)`;
 * - otherwise (OUTPUT_RAW, or --raw): the bytes, `OK`, an empty line for nil, integers bare, an error's text
 *   followed by an empty line, array elements one a line.
 *
 * INFO prints raw in both modes, without the delimiter. A failed connect is `Could not connect to Redis at
 * 127.0.0.1:6379: Connection refused` on standard error, exit 1; an error reply still exits 0 (unless -e).
 * With no command, standard input's lines are the commands (what `echo ping | redis-cli` does); a terminal
 * at its end gives nothing to run. Options: -h -p -s -n -r -i -x -e --raw --no-raw -v --help.
 */
import {
  AF_INET,
  SOCK_STREAM,
  SOL_SOCKET,
  SOL_TCP,
  SO_KEEPALIVE,
  STRERROR,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_NODELAY,
} from '@skblab/kernel';
import { AF_UNIX } from '@skblab/kernel/include/net/af_unix';
import type { Task } from '@skblab/runtime';
import type { Command, CommandContext } from './command';
import { NSEC_PER_SEC } from './command';
import { resolveHost } from './resolve';
import { encodeCommand, parseReply, sdscatrepr, sdssplitargs, type Reply } from './redis-resp';
import { REDIS_VERSION } from './redis-server';

const EAI_AGAIN = 'Temporary failure in name resolution';

interface Options {
  host: string;
  port: number;
  socket: string | null;
  db: number;
  repeat: number;
  interval: number;
  stdinLastArg: boolean;
  exitOnError: boolean;
  raw: boolean;
}

/** cliFormatReplyRaw */
export function formatRaw(r: Reply): Buffer {
  switch (r.type) {
    case 'nil':
      return Buffer.alloc(0);
    case 'error':
      return Buffer.from(r.str + '\n', 'latin1');
    case 'status':
      return Buffer.from(r.str, 'latin1');
    case 'string':
      return r.buf;
    case 'integer':
      return Buffer.from(String(r.value));
    case 'array': {
      const parts: Buffer[] = [];
      r.items.forEach((it, i) => {
        if (i > 0) parts.push(Buffer.from('\n'));
        parts.push(formatRaw(it));
      });
      return Buffer.concat(parts);
    }
  }
}

/** cliFormatReplyTTY */
export function formatTTY(r: Reply, prefix = ''): string {
  switch (r.type) {
    case 'error':
      return `(error) ${r.str}\n`;
    case 'status':
      return `${r.str}\n`;
    case 'integer':
      return `(integer) ${r.value}\n`;
    case 'string':
      return `${sdscatrepr(r.buf)}\n`;
    case 'nil':
      return '(nil)\n';
    case 'array': {
      if (!r.items.length) return '(empty array)\n';
      const idxlen = String(r.items.length).length;
      let out = '';
      r.items.forEach((it, i) => {
        const head = `${String(i + 1).padStart(idxlen)}) `;
        // The element's own lines are indented under the index.
        const inner = prefix + ' '.repeat(head.length);
        out += (i === 0 ? '' : prefix) + head + formatTTY(it, inner);
      });
      return out;
    }
  }
}

class Cli {
  readonly task: Task;
  fd = -1;
  private inbuf = Buffer.alloc(0);

  constructor(
    readonly ctx: CommandContext,
    readonly o: Options,
  ) {
    this.task = ctx.task('redis-cli');
    ctx.job.onStop.push(() => this.task.interrupt());
  }

  /** cliConnect: the blocking connect; false (and the message on stderr) when it failed. */
  async connect(): Promise<boolean> {
    const { ctx, o, task } = this;
    if (this.fd >= 0) task.close(this.fd);
    this.fd = -1;
    this.inbuf = Buffer.alloc(0);
    const where = o.socket ?? `${o.host}:${o.port}`;
    const fail = (msg: string) => {
      ctx.err(`Could not connect to Redis at ${where}: ${msg}\n`);
      return false;
    };
    // hiredis's connect, once more when it failed (strace of the real redis-cli 7.0.15 shows two
    // connects, each a new socket, before it gives up: Tcp ActiveOpens and AttemptFails +2 for a refusal).
    let fd = -1;
    let error = '';
    for (let attempt = 0; attempt < 2 && fd < 0; attempt++) {
      const r = await this.connectOnce();
      if (typeof r === 'string') error = r;
      else fd = r;
    }
    if (fd < 0) return fail(error);
    this.fd = fd;
    // cliSelect: a database other than 0 is chosen at once, its reply read silently.
    if (o.db !== 0) {
      const r = await this.call([Buffer.from('SELECT'), Buffer.from(String(o.db))]);
      if (typeof r === 'string') return fail(r);
    }
    return true;
  }

  /**
   * redisConnect / redisConnectUnix: the socket and its (non-blocking, then waited for) connect; a TCP one
   * then gets TCP_NODELAY and redis-cli's keepalive (SO_KEEPALIVE, idle 15 s, interval 5 s, 3 probes).
   */
  private async connectOnce(): Promise<number | string> {
    const { ctx, o, task } = this;
    if (o.socket !== null) {
      const fd = task.socket(AF_UNIX, SOCK_STREAM, 0);
      const rc = await task.connectWait(fd, o.socket);
      if (rc < 0) {
        task.close(fd);
        return STRERROR[-rc];
      }
      return fd;
    }
    const addr = resolveHost(ctx.lab, o.host);
    if (addr === null) return EAI_AGAIN;
    const fd = task.socket(AF_INET, SOCK_STREAM, 0);
    const rc = await task.connectWait(fd, addr, o.port);
    if (rc < 0) {
      task.close(fd);
      return STRERROR[-rc];
    }
    task.setsockoptLevel(fd, SOL_TCP, TCP_NODELAY, 1);
    task.setsockoptLevel(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    task.setsockoptLevel(fd, SOL_TCP, TCP_KEEPIDLE, 15);
    task.setsockoptLevel(fd, SOL_TCP, TCP_KEEPINTVL, 5);
    task.setsockoptLevel(fd, SOL_TCP, TCP_KEEPCNT, 3);
    return fd;
  }

  /** redisCommandArgv: write the request and read one reply, or hiredis's error text. */
  async call(args: Buffer[]): Promise<Reply | string> {
    const task = this.task;
    const n = await task.send(this.fd, encodeCommand(args));
    if (n < 0) return STRERROR[-n];
    for (;;) {
      const r = parseReply(this.inbuf);
      if (r !== null && 'error' in r) return r.error;
      if (r !== null) {
        this.inbuf = this.inbuf.subarray(r.end);
        return r.reply;
      }
      const d = await task.recv(this.fd, 16 * 1024);
      if (typeof d === 'number') return STRERROR[-d];
      if (d.length === 0) return 'Server closed the connection';
      this.inbuf = Buffer.concat([this.inbuf, d]);
    }
  }

  /** cliReadReply's printing. */
  print(command: string, r: Reply): void {
    const ctx = this.ctx;
    // INFO (and the like) print raw in either mode, without the delimiter.
    if (command.toLowerCase() === 'info') {
      ctx.out(formatRaw(r).toString('latin1'));
      return;
    }
    if (this.o.raw) ctx.out(formatRaw(r).toString('latin1') + '\n');
    else ctx.out(formatTTY(r));
  }

  /** cliSendCommand: -r times, -i apart; 'fail' when the connection broke (redis-cli exits 1). */
  async send(args: Buffer[]): Promise<'ok' | 'error' | 'fail' | 'stopped'> {
    let status: 'ok' | 'error' = 'ok';
    for (let i = 0; i < this.o.repeat; i++) {
      const r = await this.call(args);
      if (this.task.interrupted) return 'stopped';
      if (typeof r === 'string') {
        this.ctx.err(`Error: ${r}\n`);
        return 'fail';
      }
      this.print(args[0].toString('latin1'), r);
      if (r.type === 'error') status = 'error';
      if (i + 1 < this.o.repeat && this.o.interval > 0) {
        if (!(await this.ctx.sleep(this.o.interval * NSEC_PER_SEC))) return 'stopped';
      }
    }
    return status;
  }

  close(): void {
    this.task.closeAll();
  }
}

const HELP = `redis-cli ${REDIS_VERSION}

Usage: redis-cli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -s <socket>        Server socket (overrides hostname and port).
  -r <repeat>        Execute specified command N times.
  -i <interval>      When -r is used, waits <interval> seconds per command.
                     It is possible to specify sub-second times like -i 0.1.
  -n <db>            Database number.
  -x                 Read last argument from STDIN.
  -e                 Return exit error code when command execution fails.
  --raw              Use raw formatting for replies (default when STDOUT is
                     not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --help             Output this help and exit.
  --version          Output version and exit.

(The lab's redis-cli: the options above; others are not modelled.)
`;

/** parseOptions: options up to the first word that is not one; a bad one is fatal (exit 1). */
export const redisCli: Command = async (ctx) => {
  const argv = ctx.argv.slice(1);
  const o: Options = {
    host: '127.0.0.1',
    port: 6379,
    socket: null,
    db: 0,
    repeat: 1,
    interval: 0,
    stdinLastArg: false,
    exitOnError: false,
    raw: !ctx.tty,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    const last = i === argv.length - 1;
    const atoi = (s: string) => {
      const m = /^\s*[+-]?\d+/.exec(s);
      return m ? Number(m[0]) : 0;
    };
    if (a === '-h' && !last) o.host = argv[++i];
    else if (a === '-h' && last) {
      ctx.out(HELP);
      return 0;
    } else if (a === '--help') {
      ctx.out(HELP);
      return 0;
    } else if (a === '-v' || a === '--version') {
      ctx.out(`redis-cli ${REDIS_VERSION}\n`);
      return 0;
    } else if (a === '-p' && !last) o.port = atoi(argv[++i]);
    else if (a === '-s' && !last) o.socket = argv[++i];
    else if (a === '-n' && !last) o.db = atoi(argv[++i]);
    else if (a === '-r' && !last) o.repeat = atoi(argv[++i]);
    else if (a === '-i' && !last) o.interval = Number.parseFloat(argv[++i]) || 0;
    else if (a === '-x') o.stdinLastArg = true;
    else if (a === '-e') o.exitOnError = true;
    else if (a === '--raw') o.raw = true;
    else if (a === '--no-raw') o.raw = false;
    else if (a.startsWith('-')) {
      ctx.err(`Unrecognized option or bad number of args for: '${a}'\n`);
      return 1;
    } else break;
  }
  const words = argv.slice(i).map((w) => Buffer.from(w, 'latin1'));
  const cli = new Cli(ctx, o);
  try {
    if (words.length === 0 && !o.stdinLastArg) return await repl(cli);
    if (o.stdinLastArg) words.push(Buffer.from(ctx.stdin ?? '', 'latin1'));
    if (!(await cli.connect())) return 1;
    const r = await cli.send(words);
    if (r === 'stopped') return 130;
    return r === 'fail' || (r === 'error' && o.exitOnError) ? 1 : 0;
  } finally {
    cli.close();
  }
};

/**
 * repl() with standard input not a terminal: each line is a command (sdssplitargs), `quit` or `exit` ends
 * it; a lost connection is tried again for every command. A terminal at its end has no line to give.
 */
async function repl(cli: Cli): Promise<number> {
  const ctx = cli.ctx;
  let connected = await cli.connect();
  for (const line of (ctx.stdin ?? '').split('\n')) {
    if (ctx.job.stopped) return 130;
    const args = sdssplitargs(line);
    if (args === null) {
      ctx.out('Invalid argument(s)\n');
      continue;
    }
    if (!args.length) continue;
    const cmd = args[0].toLowerCase();
    if (cmd === 'quit' || cmd === 'exit') break;
    if (!connected) {
      connected = await cli.connect();
      if (!connected) continue;
    }
    const r = await cli.send(args.map((a) => Buffer.from(a, 'latin1')));
    if (r === 'stopped') return 130;
    if (r === 'fail') connected = false;
  }
  return 0;
}
