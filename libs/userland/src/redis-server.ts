/**
 * redis-server (Redis 7.0.15, as Debian 12 ships it): an in-memory key/value server over the lab's TCP and
 * AF_UNIX sockets, speaking RESP2 (multibulk and inline requests).
 *
 * Configuration comes as `--name value...` options (each one a line of the configuration string that
 * loadServerConfigFromString reads, with its errors: "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***") or a
 * configuration file of the host. It listens on every `bind` address (default `*`: 0.0.0.0; `-::*`, IPv6, is
 * skipped as the lab has no IPv6) with SO_REUSEADDR and the tcp-backlog (511), and on `unixsocket` (after
 * unlink(2), removed again at shutdown). Each accepted connection gets TCP_NODELAY and SO_KEEPALIVE; its
 * requests are read 16 KiB at a time (readQueryFromClient), run in order, and the replies of one read go
 * out in one write (handleClientsWithPendingWrites). Protected mode (the default, no password) refuses a
 * TCP client whose address is not loopback with the DENIED error, as 7.0 does whatever `bind` says.
 *
 * Commands: PING ECHO SET (EX PX NX XX KEEPTTL GET) GET DEL EXISTS INCR DECR INCRBY DECRBY MGET EXPIRE TTL
 * PTTL KEYS DBSIZE SELECT FLUSHDB FLUSHALL INFO QUIT, with Redis 7's errors: unknown command (`ERR unknown
 * command 'foo', with args beginning with: 'a' `), arity (`ERR wrong number of arguments for 'get'
 * command`), `ERR syntax error`, `ERR value is not an integer or out of range`, the protocol errors (which
 * close the connection). INFO's sections: server, clients, stats (its counters move with the traffic),
 * replication, errorstats, cluster, keyspace. Keys expire lazily when read, and before KEYS, DBSIZE and INFO
 * (standing for the active expire cycle).
 *
 * The log is Redis's own lines at the default level (notice) on standard output: `PID:C DD Mon YYYY
 * HH:MM:SS.mmm # Redis is starting...`, the lab's clock giving the time; `--loglevel warning` keeps only the
 * `#` lines, `--logfile FILE` appends them to a file of the host. The ASCII-art logo that 7.0 prints to a
 * terminal is not: the lab prints the line it prints elsewhere (`Running mode=standalone, port=6379.`).
 * Persistence (RDB, AOF) is not modelled: `save` and `appendonly` are accepted and nothing is written.
 */
import {
  AF_INET,
  O_APPEND,
  O_CREAT,
  O_RDONLY,
  O_WRONLY,
  SOCK_STREAM,
  SOL_SOCKET,
  SOL_TCP,
  SO_KEEPALIVE,
  SO_REUSEADDR,
  STRERROR,
  TCP_NODELAY,
} from '@skblab/kernel';
import { AF_UNIX } from '@skblab/kernel/include/net/af_unix';
import type { Task } from '@skblab/runtime';
import { ipv4ToString } from '@skblab/wire/address';
import type { Command, CommandContext } from './command';
import { inet_aton } from './libc';
import { resp, sdscatrepr, sdssplitargs, stringmatch } from './redis-resp';

export const REDIS_VERSION = '7.0.15';
const PROTO_IOBUF_LEN = 16 * 1024;
const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);

const DENIED =
  'DENIED Redis is running in protected mode because protected mode is enabled and no password is set for ' +
  'the default user. In this mode connections are only accepted from the loopback interface. If you want ' +
  'to connect from external computers to Redis you may adopt one of the following solutions: 1) Just ' +
  "disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
  'by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not ' +
  'publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) ' +
  'Alternatively you can just disable the protected mode by editing the Redis configuration file, and ' +
  "setting the protected mode option to 'no', and then restarting the server. 3) If you started the " +
  "server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an " +
  'authentication password for the default user. NOTE: You only need to do one of the above things in ' +
  'order for the server to start accepting connections from the outside.';

const OVERCOMMIT_WARNING =
  'WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under ' +
  'low memory condition. Being disabled, it can can also cause failures without low memory condition, see ' +
  "https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to " +
  "/etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take " +
  'effect.';

const USAGE =
  'Usage: ./redis-server [/path/to/redis.conf] [options] [-]\n' +
  '       ./redis-server - (read config from stdin)\n' +
  '       ./redis-server -v or --version\n' +
  '       ./redis-server -h or --help\n' +
  '       ./redis-server --test-memory <megabytes>\n' +
  '       ./redis-server --check-system\n\n' +
  'Examples:\n' +
  '       ./redis-server (run the server with default conf)\n' +
  '       echo "maxmemory 128mb" | ./redis-server -\n' +
  '       ./redis-server /etc/redis/6379.conf\n' +
  '       ./redis-server --port 7777\n' +
  '       ./redis-server --port 7777 --replicaof 127.0.0.1 8888\n' +
  '       ./redis-server /etc/myredis.conf --loglevel verbose -\n' +
  '       ./redis-server /etc/myredis.conf --loglevel verbose\n\n' +
  'Sentinel mode:\n' +
  '       ./redis-server /etc/sentinel.conf --sentinel\n';

const LOGLEVELS = ['debug', 'verbose', 'notice', 'warning'];
const LL_NOTICE = 2;
const LL_WARNING = 3;

interface Config {
  port: number;
  bind: string[];
  unixsocket: string | null;
  daemonize: boolean;
  protectedMode: boolean;
  loglevel: number;
  logfile: string;
  databases: number;
  backlog: number;
}

interface Entry {
  value: Buffer;
  /** Expiry in ms of the lab's clock, or null. */
  expireAt: number | null;
}

/** What loadServerConfigFromString says of a bad line, or null when the line is taken. */
function applyDirective(c: Config, name: string, args: string[]): string | null {
  const BAD = 'Bad directive or wrong number of arguments';
  const yesno = (v: string): boolean | string =>
    v.toLowerCase() === 'yes' ? true : v.toLowerCase() === 'no' ? false : "argument must be 'yes' or 'no'";
  const int = (v: string, min: number, max: number): number | string => {
    if (!/^-?\d+$/.test(v)) return "argument couldn't be parsed into an integer";
    const n = Number(v);
    return n < min || n > max ? `argument must be between ${min} and ${max} inclusive` : n;
  };
  const one = (): string | null => (args.length === 1 ? args[0] : null);
  switch (name) {
    case 'port': {
      if (one() === null) return BAD;
      const n = int(args[0], 0, 65535);
      if (typeof n === 'string') return n;
      c.port = n;
      return null;
    }
    case 'bind':
      if (!args.length) return BAD;
      c.bind = args;
      return null;
    case 'unixsocket':
      if (one() === null) return BAD;
      c.unixsocket = args[0] || null;
      return null;
    case 'daemonize':
    case 'protected-mode':
    case 'appendonly': {
      if (one() === null) return BAD;
      const v = yesno(args[0]);
      if (typeof v === 'string') return v;
      if (name === 'daemonize') c.daemonize = v;
      if (name === 'protected-mode') c.protectedMode = v;
      return null;
    }
    case 'loglevel': {
      if (one() === null) return BAD;
      const i = LOGLEVELS.indexOf(args[0].toLowerCase());
      if (i < 0) return 'argument(s) must be one of the following: debug, verbose, notice, warning, nothing';
      c.loglevel = i;
      return null;
    }
    case 'logfile':
      if (one() === null) return BAD;
      c.logfile = args[0];
      return null;
    case 'databases': {
      if (one() === null) return BAD;
      const n = int(args[0], 1, 2147483647);
      if (typeof n === 'string') return n;
      c.databases = n;
      return null;
    }
    case 'tcp-backlog': {
      if (one() === null) return BAD;
      const n = int(args[0], 0, 2147483647);
      if (typeof n === 'string') return n;
      c.backlog = n;
      return null;
    }
    case 'save':
      return null;
    case 'unixsocketperm':
    case 'timeout':
    case 'tcp-keepalive':
    case 'dir':
    case 'dbfilename':
    case 'maxclients':
      return one() === null ? BAD : null;
    default:
      return BAD;
  }
}

/** DD Mon YYYY HH:MM:SS.mmm, as serverLogRaw's strftime("%d %b %Y %H:%M:%S.") and the milliseconds. */
function logTime(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return (
    `${p(d.getUTCDate())} ${mon[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(ms % 1000, 3)}`
  );
}

interface Client {
  fd: number;
  db: number;
  closeAfterReply: boolean;
}

/** One server: its configuration, keys, counters and process. */
class RedisServer {
  readonly task: Task;
  readonly dbs: Map<string, Entry>[];
  readonly clients = new Set<Client>();
  private readonly started: number;
  private readonly runId: string;
  private logFd = -1;
  stats = {
    connections: 0,
    commands: 0,
    netIn: 0,
    netOut: 0,
    rejected: 0,
    expired: 0,
    hits: 0,
    misses: 0,
    errorReplies: 0,
    reads: 0,
    writes: 0,
  };
  private readonly errorstats = new Map<string, number>();

  constructor(
    readonly ctx: CommandContext,
    readonly conf: Config,
    readonly argv0: string,
  ) {
    this.task = ctx.task('redis-server');
    this.dbs = Array.from({ length: conf.databases }, () => new Map());
    this.started = ctx.lab.now();
    let id = '';
    for (let i = 0; i < 5; i++) id += (ctx.lab.random32() >>> 0).toString(16).padStart(8, '0');
    this.runId = id;
  }

  nowMs(): number {
    return Math.floor(this.ctx.lab.now() / 1e6);
  }

  /** serverLog(): `PID:ROLE DD Mon YYYY HH:MM:SS.mmm L message`, at the configured level or above. */
  log(level: number, msg: string, role = 'M'): void {
    if (level < this.conf.loglevel) return;
    const line = `${this.task.pid}:${role} ${logTime(this.ctx.lab.now())} ${'.-*#'[level]} ${msg}\n`;
    this.write(line);
  }

  private write(line: string): void {
    if (this.conf.daemonize && !this.conf.logfile) return; // a daemon's stdout is /dev/null
    if (!this.conf.logfile) return this.ctx.out(line);
    if (this.logFd < 0) this.logFd = this.task.open(this.conf.logfile, O_WRONLY | O_CREAT | O_APPEND);
    if (this.logFd >= 0) this.task.writeFile(this.logFd, Buffer.from(line, 'latin1'));
  }

  /** The listeners, as initServer opens them; a failure is logged and ends the server (exit 1). */
  listen(): number[] | null {
    const task = this.task;
    const fds: number[] = [];
    if (this.conf.port !== 0) {
      for (const b of this.conf.bind) {
        const optional = b.startsWith('-');
        const name = optional ? b.slice(1) : b;
        if (name.includes(':')) continue; // IPv6: the lab has none
        const addr = name === '*' ? 0 : inet_aton(name);
        const fd = task.socket(AF_INET, SOCK_STREAM, 0);
        task.setsockoptLevel(fd, SOL_SOCKET, SO_REUSEADDR, 1);
        const rc = addr === null ? -99 : task.bind(fd, addr, this.conf.port);
        if (rc < 0) {
          task.close(fd);
          if (optional) continue;
          this.log(
            LL_WARNING,
            `Warning: Could not create server TCP listening socket ${name}:${this.conf.port}: bind: ${STRERROR[-rc]}`,
          );
          this.log(LL_WARNING, `Failed listening on port ${this.conf.port} (TCP), aborting.`);
          return null;
        }
        task.listen(fd, this.conf.backlog);
        fds.push(fd);
      }
    }
    if (this.conf.unixsocket) {
      const path = this.conf.unixsocket;
      task.unlink(path); // don't care if this fails
      const fd = task.socket(AF_UNIX, SOCK_STREAM, 0);
      let rc = task.bind(fd, path);
      if (rc >= 0) rc = task.listen(fd, this.conf.backlog);
      if (rc < 0) {
        this.log(LL_WARNING, `Failed opening Unix socket: bind: ${STRERROR[-rc]}`);
        return null;
      }
      fds.push(fd);
    }
    return fds;
  }

  async run(): Promise<number> {
    const conf = this.conf;
    this.log(LL_WARNING, 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', 'C');
    this.log(
      LL_WARNING,
      `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${this.task.pid}, just started`,
      'C',
    );
    if (this.ctx.argv.length > 1) this.log(LL_WARNING, 'Configuration loaded', 'C');
    else
      this.log(
        LL_WARNING,
        'Warning: no config file specified, using the default config. In order to specify a config file use ' +
          `${this.argv0} /path/to/redis.conf`,
        'C',
      );
    this.log(LL_NOTICE, 'monotonic clock: POSIX clock_gettime');
    const fds = this.listen();
    if (!fds) {
      this.task.closeAll();
      return 1;
    }
    this.log(LL_NOTICE, `Running mode=standalone, port=${conf.port}.`);
    this.log(LL_WARNING, 'Server initialized');
    this.log(LL_WARNING, OVERCOMMIT_WARNING);
    if (fds.length > (conf.unixsocket ? 1 : 0)) this.log(LL_NOTICE, 'Ready to accept connections');
    if (conf.unixsocket)
      this.log(LL_NOTICE, `The server is now ready to accept connections at ${conf.unixsocket}`);

    const serve = async (): Promise<number> => {
      await Promise.all(
        fds.map((fd, i) => this.acceptLoop(fd, conf.unixsocket !== null && i === fds.length - 1)),
      );
      // SIGINT (the job stopped): prepareForShutdown.
      const secs = Math.floor(this.ctx.lab.now() / 1e9);
      this.write(`${this.task.pid}:signal-handler (${secs}) Received SIGINT scheduling shutdown...\n`);
      this.log(LL_WARNING, 'User requested shutdown...');
      if (conf.unixsocket) {
        this.log(LL_NOTICE, 'Removing the unix socket file.');
        this.task.unlink(conf.unixsocket);
      }
      this.log(LL_WARNING, 'Redis is now ready to exit, bye bye...');
      this.task.closeAll();
      return 0;
    };
    this.ctx.job.onStop.push(() => this.task.interrupt());
    if (conf.daemonize) {
      // daemonize(): the parent exits 0; the server, no longer the shell's job, serves on.
      void serve();
      return 0;
    }
    return serve();
  }

  /** The listener's accept handler (acceptTcpHandler / acceptUnixHandler), until a signal. */
  private async acceptLoop(lfd: number, unix: boolean): Promise<void> {
    const task = this.task;
    for (;;) {
      const a = await task.accept(lfd);
      if (typeof a === 'number') return;
      if (!unix) {
        task.setsockoptLevel(a.fd, SOL_TCP, TCP_NODELAY, 1);
        task.setsockoptLevel(a.fd, SOL_SOCKET, SO_KEEPALIVE, 1);
      }
      const c: Client = { fd: a.fd, db: 0, closeAfterReply: false };
      this.clients.add(c);
      this.stats.connections++;
      this.log(
        0,
        unix
          ? `Accepted connection to ${this.conf.unixsocket}`
          : `Accepted ${ipv4ToString(a.addr)}:${a.port}`,
      );
      // clientAcceptHandler: protected mode refuses a non-loopback TCP peer.
      if (!unix && this.conf.protectedMode && a.addr >>> 24 !== 127) {
        this.stats.netOut += await task.send(a.fd, Buffer.from(resp.error(DENIED)));
        this.stats.writes++;
        this.freeClient(c);
        continue;
      }
      void this.clientLoop(c);
    }
  }

  private freeClient(c: Client): void {
    this.clients.delete(c);
    this.task.close(c.fd);
  }

  /** readQueryFromClient and the writes of the replies, one connection. */
  private async clientLoop(c: Client): Promise<void> {
    const task = this.task;
    let query: Buffer = Buffer.alloc(0);
    for (;;) {
      this.stats.reads++;
      const r = await task.recv(c.fd, PROTO_IOBUF_LEN);
      if (typeof r === 'number' || r.length === 0) {
        // Client closed connection (or an error, or the server stops).
        this.freeClient(c);
        return;
      }
      this.stats.netIn += r.length;
      query = query.length ? Buffer.concat([query, r]) : Buffer.from(r);
      const { replies, rest } = this.processInputBuffer(c, query);
      query = rest;
      if (replies.length) {
        const out = Buffer.concat(replies);
        const n = await task.send(c.fd, out);
        this.stats.writes++;
        if (n > 0) this.stats.netOut += n;
      }
      if (c.closeAfterReply) {
        this.freeClient(c);
        return;
      }
    }
  }

  /** processInputBuffer: run every complete request at the front of the buffer; keep the rest. */
  processInputBuffer(c: Client, buf: Buffer): { replies: Buffer[]; rest: Buffer } {
    const replies: Buffer[] = [];
    const protocolError = (msg: string) => {
      replies.push(this.errorReply(`ERR Protocol error: ${msg}`));
      c.closeAfterReply = true;
    };
    let at = 0;
    while (at < buf.length && !c.closeAfterReply) {
      let args: Buffer[];
      if (buf[at] === 0x2a /* '*' */) {
        const r = parseMultibulk(buf, at);
        if (r === null) break;
        if ('error' in r) {
          protocolError(r.error);
          break;
        }
        at = r.end;
        args = r.args;
      } else {
        const nl = buf.indexOf(0x0a, at);
        if (nl < 0) {
          if (buf.length - at > PROTO_INLINE_MAX_SIZE) protocolError('too big inline request');
          break;
        }
        let line = buf.subarray(at, nl).toString('latin1');
        if (line.endsWith('\r')) line = line.slice(0, -1);
        at = nl + 1;
        const split = sdssplitargs(line);
        if (split === null) {
          protocolError('unbalanced quotes in request');
          break;
        }
        args = split.map((s) => Buffer.from(s, 'latin1'));
      }
      if (!args.length) continue;
      replies.push(this.processCommand(c, args));
    }
    return { replies, rest: Buffer.from(buf.subarray(at)) };
  }

  private errorReply(msg: string): Buffer {
    // afterErrorReply: the error's first word counts in errorstats.
    this.stats.errorReplies++;
    const code = msg.split(' ')[0];
    this.errorstats.set(code, (this.errorstats.get(code) ?? 0) + 1);
    return Buffer.from(resp.error(msg), 'latin1');
  }

  /** processCommand and call(): lookup, arity, the command; stat_numcommands counts the ones called. */
  processCommand(c: Client, argv: Buffer[]): Buffer {
    const name = argv[0].toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'quit') {
      c.closeAfterReply = true;
      return Buffer.from(resp.status('OK'));
    }
    const cmd = COMMANDS[lower];
    if (!cmd) {
      let args = '';
      for (let j = 1; j < argv.length && args.length < 128; j++)
        args += `'${argv[j].toString('latin1').slice(0, 128 - args.length)}' `;
      return this.errorReply(
        `ERR unknown command '${name.slice(0, 128).replace(/[\r\n]/g, ' ')}', with args beginning with: ${args}`,
      );
    }
    if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity)
      return this.errorReply(`ERR wrong number of arguments for '${lower}' command`);
    const out = cmd.run(this, c, argv);
    this.stats.commands++;
    if (out.length && out[0] === 0x2d /* '-' */) {
      return this.errorReply(out.subarray(1, out.length - 2).toString('latin1'));
    }
    return out;
  }

  /** lookupKey with expireIfNeeded; `stats` counts keyspace hits and misses (lookupKeyRead). */
  lookup(c: Client, key: string, stats: boolean): Entry | null {
    const db = this.dbs[c.db];
    const e = db.get(key);
    if (e && e.expireAt !== null && e.expireAt <= this.nowMs()) {
      db.delete(key);
      this.stats.expired++;
      if (stats) this.stats.misses++;
      return null;
    }
    if (stats) {
      if (e) this.stats.hits++;
      else this.stats.misses++;
    }
    return e ?? null;
  }

  /** The active expire cycle's work, done when a command looks at the whole keyspace. */
  expireAll(): void {
    const now = this.nowMs();
    for (const db of this.dbs)
      for (const [k, e] of db)
        if (e.expireAt !== null && e.expireAt <= now) {
          db.delete(k);
          this.stats.expired++;
        }
  }

  info(sections: string[]): string {
    this.expireAll();
    const want = new Set(sections.map((s) => s.toLowerCase()));
    const all = want.size === 0 || want.has('all') || want.has('everything') || want.has('default');
    const now = this.ctx.lab.now();
    const uptime = Math.floor((now - this.started) / 1e9);
    const nowMs = Math.floor(now / 1e6);
    const s = this.stats;
    const out: string[] = [];
    const section = (name: string, lines: string[]) => {
      if (!all && !want.has(name.toLowerCase())) return;
      out.push([`# ${name}`, ...lines].map((l) => l + '\r\n').join(''));
    };
    const tcpPort = this.conf.port;
    section('Server', [
      `redis_version:${REDIS_VERSION}`,
      'redis_git_sha1:00000000',
      'redis_git_dirty:0',
      'redis_build_id:ae4d7c971a948f0',
      'redis_mode:standalone',
      'os:Linux 6.12.0 x86_64',
      'arch_bits:64',
      'monotonic_clock:POSIX clock_gettime',
      'multiplexing_api:epoll',
      'atomicvar_api:c11-builtin',
      'gcc_version:12.2.0',
      `process_id:${this.task.pid}`,
      'process_supervised:no',
      `run_id:${this.runId}`,
      `tcp_port:${tcpPort}`,
      `server_time_usec:${Math.floor(now / 1e3)}`,
      `uptime_in_seconds:${uptime}`,
      `uptime_in_days:${Math.floor(uptime / 86400)}`,
      'hz:10',
      'configured_hz:10',
      `lru_clock:${Math.floor(nowMs / 1000) & ((1 << 24) - 1)}`,
      `executable:${this.argv0.startsWith('/') ? this.argv0 : '/' + this.argv0}`,
      'config_file:',
      'io_threads_active:0',
    ]);
    section('Clients', [
      `connected_clients:${this.clients.size}`,
      'cluster_connections:0',
      'maxclients:10000',
      'client_recent_max_input_buffer:0',
      'client_recent_max_output_buffer:0',
      'blocked_clients:0',
      'tracking_clients:0',
      'clients_in_timeout_table:0',
    ]);
    const zeros = (names: string) => names.split(' ').map((n) => `${n}:0`);
    section('Stats', [
      `total_connections_received:${s.connections}`,
      `total_commands_processed:${s.commands}`,
      'instantaneous_ops_per_sec:0',
      `total_net_input_bytes:${s.netIn}`,
      `total_net_output_bytes:${s.netOut}`,
      'total_net_repl_input_bytes:0',
      'total_net_repl_output_bytes:0',
      'instantaneous_input_kbps:0.00',
      'instantaneous_output_kbps:0.00',
      'instantaneous_input_repl_kbps:0.00',
      'instantaneous_output_repl_kbps:0.00',
      `rejected_connections:${s.rejected}`,
      ...zeros('sync_full sync_partial_ok sync_partial_err'),
      `expired_keys:${s.expired}`,
      'expired_stale_perc:0.00',
      ...zeros(
        'expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys evicted_clients ' +
          'total_eviction_exceeded_time current_eviction_exceeded_time',
      ),
      `keyspace_hits:${s.hits}`,
      `keyspace_misses:${s.misses}`,
      ...zeros(
        'pubsub_channels pubsub_patterns pubsubshard_channels latest_fork_usec total_forks ' +
          'migrate_cached_sockets slave_expires_tracked_keys active_defrag_hits active_defrag_misses ' +
          'active_defrag_key_hits active_defrag_key_misses total_active_defrag_time current_active_defrag_time ' +
          'tracking_total_keys tracking_total_items tracking_total_prefixes unexpected_error_replies',
      ),
      `total_error_replies:${s.errorReplies}`,
      'dump_payload_sanitizations:0',
      `total_reads_processed:${s.reads}`,
      `total_writes_processed:${s.writes}`,
      ...zeros(
        'io_threaded_reads_processed io_threaded_writes_processed reply_buffer_shrinks reply_buffer_expands',
      ),
    ]);
    section('Replication', [
      'role:master',
      'connected_slaves:0',
      'master_failover_state:no-failover',
      `master_replid:${this.runId.split('').reverse().join('')}`,
      'master_replid2:0000000000000000000000000000000000000000',
      'master_repl_offset:0',
      'second_repl_offset:-1',
      'repl_backlog_active:0',
      'repl_backlog_size:1048576',
      'repl_backlog_first_byte_offset:0',
      'repl_backlog_histlen:0',
    ]);
    section(
      'Errorstats',
      [...this.errorstats].map(([k, n]) => `errorstat_${k}:count=${n}`),
    );
    section('Cluster', ['cluster_enabled:0']);
    section(
      'Keyspace',
      this.dbs.flatMap((db, i) => {
        if (!db.size) return [];
        const expires = [...db.values()].filter((e) => e.expireAt !== null).length;
        return [`db${i}:keys=${db.size},expires=${expires},avg_ttl=0`];
      }),
    );
    return out.join('\r\n');
  }
}

/** One request of a multibulk buffer (processMultibulkBuffer), null when incomplete, or its error. */
function parseMultibulk(buf: Buffer, at: number): { args: Buffer[]; end: number } | { error: string } | null {
  const nl = buf.indexOf('\r\n', at);
  if (nl < 0) return buf.length - at > PROTO_INLINE_MAX_SIZE ? { error: 'too big mbulk count string' } : null;
  const countText = buf.subarray(at + 1, nl).toString('latin1');
  if (!/^-?\d+$/.test(countText) || Number(countText) > 1024 * 1024)
    return { error: 'invalid multibulk length' };
  const n = Number(countText);
  let p = nl + 2;
  const args: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    if (p >= buf.length) return null;
    const e = buf.indexOf('\r\n', p);
    if (e < 0) return buf.length - p > PROTO_INLINE_MAX_SIZE ? { error: 'too big bulk count string' } : null;
    if (buf[p] !== 0x24 /* '$' */) return { error: `expected '$', got '${String.fromCharCode(buf[p])}'` };
    const lenText = buf.subarray(p + 1, e).toString('latin1');
    if (!/^\d+$/.test(lenText) || Number(lenText) > 512 * 1024 * 1024)
      return { error: 'invalid bulk length' };
    const len = Number(lenText);
    if (buf.length < e + 2 + len + 2) return null;
    args.push(Buffer.from(buf.subarray(e + 2, e + 2 + len)));
    p = e + 2 + len + 2;
  }
  return { args, end: p };
}

type Handler = (s: RedisServer, c: Client, argv: Buffer[]) => Buffer;

const b = (s: string) => Buffer.from(s, 'latin1');
const key = (x: Buffer) => x.toString('latin1');
const ERR_NOT_INT = '-ERR value is not an integer or out of range\r\n';
const ERR_SYNTAX = '-ERR syntax error\r\n';

/** string2ll: a strict decimal long long, or null. */
function string2ll(x: Buffer): bigint | null {
  const s = x.toString('latin1');
  if (!/^(0|-?[1-9]\d*)$/.test(s)) return null;
  const v = BigInt(s);
  return v > LLONG_MAX || v < LLONG_MIN ? null : v;
}

function incrBy(s: RedisServer, c: Client, k: Buffer, by: bigint): Buffer {
  const e = s.lookup(c, key(k), false);
  const old = e ? string2ll(e.value) : 0n;
  if (old === null) return b(ERR_NOT_INT);
  const v = old + by;
  if (v > LLONG_MAX || v < LLONG_MIN) return b('-ERR increment or decrement would overflow\r\n');
  s.dbs[c.db].set(key(k), { value: b(String(v)), expireAt: e?.expireAt ?? null });
  return b(resp.integer(v));
}

function setCommand(s: RedisServer, c: Client, argv: Buffer[]): Buffer {
  let nx = false;
  let xx = false;
  let get = false;
  let keepttl = false;
  let expire: { unit: 'EX' | 'PX' | 'EXAT' | 'PXAT'; v: bigint } | null = null;
  for (let j = 3; j < argv.length; j++) {
    const opt = key(argv[j]).toUpperCase();
    const next = argv[j + 1];
    if (opt === 'NX' && !xx) nx = true;
    else if (opt === 'XX' && !nx) xx = true;
    else if (opt === 'GET') get = true;
    else if (opt === 'KEEPTTL' && !expire) keepttl = true;
    else if (
      (opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT') &&
      !keepttl &&
      !expire &&
      next
    ) {
      const v = string2ll(next);
      if (v === null) return b(ERR_NOT_INT);
      expire = { unit: opt, v };
      j++;
    } else return b(ERR_SYNTAX);
  }
  let when: number | null = null;
  if (expire) {
    if (expire.v <= 0n) return b("-ERR invalid expire time in 'set' command\r\n");
    const v = Number(expire.v);
    const now = s.nowMs();
    when =
      expire.unit === 'EX'
        ? now + v * 1000
        : expire.unit === 'PX'
          ? now + v
          : expire.unit === 'EXAT'
            ? v * 1000
            : v;
  }
  const k = key(argv[1]);
  const old = s.lookup(c, k, false);
  if ((nx && old) || (xx && !old))
    return b(get ? (old ? resp.bulk(old.value).toString('latin1') : resp.nil) : resp.nil);
  s.dbs[c.db].set(k, {
    value: Buffer.from(argv[2]),
    expireAt: when ?? (keepttl ? (old?.expireAt ?? null) : null),
  });
  if (get) return old ? resp.bulk(old.value) : b(resp.nil);
  return b(resp.status('OK'));
}

function ttl(s: RedisServer, c: Client, k: Buffer, ms: boolean): Buffer {
  const e = s.lookup(c, key(k), false);
  if (!e) return b(resp.integer(-2));
  if (e.expireAt === null) return b(resp.integer(-1));
  const left = e.expireAt - s.nowMs();
  return b(resp.integer(ms ? left : Math.floor((left + 500) / 1000)));
}

const COMMANDS: Record<string, { arity: number; run: Handler }> = {
  ping: {
    arity: -1,
    run: (_s, _c, argv) =>
      argv.length > 2
        ? b("-ERR wrong number of arguments for 'ping' command\r\n")
        : argv.length === 2
          ? resp.bulk(argv[1])
          : b(resp.status('PONG')),
  },
  echo: { arity: 2, run: (_s, _c, argv) => resp.bulk(argv[1]) },
  set: { arity: -3, run: setCommand },
  get: {
    arity: 2,
    run: (s, c, argv) => {
      const e = s.lookup(c, key(argv[1]), true);
      return e ? resp.bulk(e.value) : b(resp.nil);
    },
  },
  mget: {
    arity: -2,
    run: (s, c, argv) =>
      Buffer.concat([
        b(resp.arrayHead(argv.length - 1)),
        ...argv.slice(1).map((k) => {
          const e = s.lookup(c, key(k), true);
          return e ? resp.bulk(e.value) : b(resp.nil);
        }),
      ]),
  },
  del: {
    arity: -2,
    run: (s, c, argv) => {
      let n = 0;
      for (const k of argv.slice(1)) if (s.lookup(c, key(k), false) && s.dbs[c.db].delete(key(k))) n++;
      return b(resp.integer(n));
    },
  },
  exists: {
    arity: -2,
    run: (s, c, argv) => b(resp.integer(argv.slice(1).filter((k) => s.lookup(c, key(k), true)).length)),
  },
  incr: { arity: 2, run: (s, c, argv) => incrBy(s, c, argv[1], 1n) },
  decr: { arity: 2, run: (s, c, argv) => incrBy(s, c, argv[1], -1n) },
  incrby: {
    arity: 3,
    run: (s, c, argv) => {
      const by = string2ll(argv[2]);
      return by === null ? b(ERR_NOT_INT) : incrBy(s, c, argv[1], by);
    },
  },
  decrby: {
    arity: 3,
    run: (s, c, argv) => {
      const by = string2ll(argv[2]);
      return by === null ? b(ERR_NOT_INT) : incrBy(s, c, argv[1], -by);
    },
  },
  expire: {
    arity: -3,
    run: (s, c, argv) => {
      const v = string2ll(argv[2]);
      if (v === null) return b(ERR_NOT_INT);
      if (argv.length > 3) return b(ERR_SYNTAX);
      const e = s.lookup(c, key(argv[1]), false);
      if (!e) return b(resp.integer(0));
      if (v <= 0n) {
        s.dbs[c.db].delete(key(argv[1]));
        return b(resp.integer(1));
      }
      e.expireAt = s.nowMs() + Number(v) * 1000;
      return b(resp.integer(1));
    },
  },
  ttl: { arity: 2, run: (s, c, argv) => ttl(s, c, argv[1], false) },
  pttl: { arity: 2, run: (s, c, argv) => ttl(s, c, argv[1], true) },
  keys: {
    arity: 2,
    run: (s, c, argv) => {
      s.expireAll();
      const pattern = key(argv[1]);
      const names = [...s.dbs[c.db].keys()].filter((k) => pattern === '*' || stringmatch(pattern, k));
      return Buffer.concat([b(resp.arrayHead(names.length)), ...names.map((k) => resp.bulk(k))]);
    },
  },
  dbsize: {
    arity: 1,
    run: (s, c) => {
      s.expireAll();
      return b(resp.integer(s.dbs[c.db].size));
    },
  },
  select: {
    arity: 2,
    run: (s, c, argv) => {
      const id = string2ll(argv[1]);
      if (id === null) return b(ERR_NOT_INT);
      if (id < 0n || id >= BigInt(s.dbs.length)) return b('-ERR DB index is out of range\r\n');
      c.db = Number(id);
      return b(resp.status('OK'));
    },
  },
  flushdb: {
    arity: -1,
    run: (s, c) => {
      s.dbs[c.db].clear();
      return b(resp.status('OK'));
    },
  },
  flushall: {
    arity: -1,
    run: (s) => {
      for (const db of s.dbs) db.clear();
      return b(resp.status('OK'));
    },
  },
  info: { arity: -1, run: (s, _c, argv) => resp.bulk(s.info(argv.slice(1).map(key))) },
};

/**
 * main()'s argument handling: -v, -h, a configuration file, then `--name value...` options, each the
 * start of a new line of the configuration string (its values quoted as sdscatrepr quotes them).
 */
export const redisServer: Command = async (ctx) => {
  const args = ctx.argv.slice(1);
  const argv0 = ctx.argv[0];
  if (args[0] === '-v' || args[0] === '--version') {
    ctx.out(
      `Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0\n`,
    );
    return 0;
  }
  if (args[0] === '--help' || args[0] === '-h') {
    ctx.err(USAGE);
    return 1;
  }
  const conf: Config = {
    port: 6379,
    bind: ['*', '-::*'],
    unixsocket: null,
    daemonize: false,
    protectedMode: true,
    loglevel: LL_NOTICE,
    logfile: '',
    databases: 16,
    backlog: 511,
  };
  // The configuration string: the file's lines, a newline, then one line per option.
  let text = '';
  let j = 0;
  if (args.length && !args[0].startsWith('--')) {
    const path = args[0].startsWith('/') ? args[0] : '/' + args[0];
    const task = ctx.task('redis-server');
    const fd = task.open(path, O_RDONLY);
    if (fd < 0) {
      ctx.out(
        `${task.pid}:C ${logTime(ctx.lab.now())} # Fatal error, can't open config file '${path}': ${STRERROR[-fd]}\n`,
      );
      task.closeAll();
      return 1;
    }
    const r = task.readFile(fd, 1 << 20);
    task.closeAll();
    text = typeof r === 'number' ? '' : Buffer.from(r).toString('latin1');
    j = 1;
  }
  text += '\n';
  let first = true;
  for (; j < args.length; j++) {
    const a = args[j];
    if (a.startsWith('--')) {
      if (!first) text += '\n';
      text += a.slice(2) + ' ';
      first = false;
    } else text += sdscatrepr(Buffer.from(a, 'latin1')) + ' ';
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const words = sdssplitargs(line);
    const error =
      words === null
        ? 'Unbalanced quotes in configuration line'
        : applyDirective(conf, words[0].toLowerCase(), words.slice(1));
    if (error !== null) {
      ctx.err(
        `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n` +
          `Reading the configuration file, at line ${i + 1}\n>>> '${line}'\n${error}\n`,
      );
      return 1;
    }
  }
  return new RedisServer(ctx, conf, argv0).run();
};
