/**
 * The lab's shell: runs command lines inside one node (a simulated host), like a root shell on that box.
 * Foreground jobs drive simulated time until they finish; `&` starts a background job that runs while
 * later commands drive time; at the end of input background jobs are stopped.
 */
import { O_APPEND, O_CREAT, O_TRUNC, O_WRONLY, type Host, type Net } from '@skblab/kernel';
import { LabStalledError, Task, type Lab } from '@skblab/runtime';
import type { CommandContext, CommandTable, Job } from '@skblab/userland/command';
import { NSEC_PER_SEC, parseNumber } from '@skblab/userland/command';
import { strerror } from '@skblab/userland/fileutils';
import {
  LAST_STATUS,
  parse,
  tokenize,
  ShellSyntaxError,
  type FileRedirect,
  type Pipeline,
  type Redirect,
} from './tokenize';

export interface ShellOptions {
  lab: Lab;
  host: Host;
  commands: CommandTable;
  out: (s: string) => void;
  err: (s: string) => void;
  /** The CPU commands run on unless taskset says otherwise. */
  cpu?: number;
  /** The name the shell reports errors under ("bash"). */
  name?: string;
  /** Whether standard output is a terminal (isatty(1)): ls prints columns there, curl no progress meter. */
  tty?: boolean;
  /** Wraps the running of each line (distributed mode replays the configuration lines in every service). */
  aroundLine?: (line: string, run: () => Promise<number>) => Promise<number>;
}

interface RunOpts {
  net: Net;
  cpu: number;
  stdin: string | null;
  job: Job;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Standard output is a terminal (not a pipe, a file or /dev/null). */
  tty: boolean;
}

const discard = () => undefined;

/**
 * Apply a command's redirections, in order, to its outputs: /dev/null, 2>&1, >&2, and files of the host
 * opened as bash opens them (O_CREAT and O_TRUNC, or O_APPEND for >>) before the command runs. Returns the
 * outputs and what closes the files, or the error bash prints (the command then does not run).
 */
function redirect(
  o: RunOpts,
  redirects: Redirect[],
  openFile: (r: FileRedirect) => ((s: string) => void) | string,
): RunOpts | string {
  let { out, err, tty } = o;
  for (const r of redirects) {
    if (r === 'out-null') {
      out = discard;
      tty = false;
    } else if (r === 'err-null') err = discard;
    else if (r === 'all-null') {
      out = err = discard;
      tty = false;
    } else if (r === 'err-to-out') err = out;
    else if (r === 'out-to-err') {
      out = err;
      tty = false;
    } else {
      const w = openFile(r);
      if (typeof w === 'string') return w;
      if (r.fd !== 2) {
        out = w;
        tty = false;
      }
      if (r.fd !== 1) err = w;
    }
  }
  return { ...o, out, err, tty };
}

/** The shell's builtins that are also programs in /bin (coreutils, bash, util-linux's taskset). */
const BINARIES = new Set(['echo', 'true', 'false', 'sleep', 'sh', 'bash', 'taskset']);

export class ExitRequest {
  constructor(readonly status: number) {}
}

export class Shell {
  readonly lab: Lab;
  readonly host: Host;
  private readonly commands: CommandTable;
  private readonly out: (s: string) => void;
  private readonly err: (s: string) => void;
  private readonly cpu: number;
  private readonly name: string;
  private readonly aroundLine: ShellOptions['aroundLine'];
  private readonly tty: boolean;
  private background = new Set<{ job: Job; done: Promise<number> }>();
  private current: Job | null = null;
  lastStatus = 0;
  lineNo = 0;
  /** A foreground job still running after this much simulated time is stopped (as Ctrl-C would). */
  maxSimSeconds = Number(process.env.SKBLAB_MAX_SIM_SECONDS ?? 3600);

  constructor(o: ShellOptions) {
    this.lab = o.lab;
    this.host = o.host;
    this.commands = o.commands;
    this.out = o.out;
    this.err = o.err;
    this.cpu = o.cpu ?? 0;
    this.name = o.name ?? 'bash';
    this.aroundLine = o.aroundLine;
    this.tty = o.tty ?? false;
  }

  /** Run one line; returns its exit status. An `exit` raises ExitRequest. */
  runLine(line: string): Promise<number> {
    return this.aroundLine ? this.aroundLine(line, () => this.runOneLine(line)) : this.runOneLine(line);
  }

  private async runOneLine(line: string): Promise<number> {
    this.lineNo++;
    let items;
    try {
      items = parse(tokenize(line));
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        this.err(`${this.name}: line ${this.lineNo}: ${e.message}\n`);
        this.lastStatus = 2;
        return 2;
      }
      throw e;
    }
    for (const item of items) {
      if (item.join === '&&' && this.lastStatus !== 0) continue;
      if (item.join === '||' && this.lastStatus === 0) continue;
      this.lastStatus = await this.runPipeline(item.pipeline);
    }
    return this.lastStatus;
  }

  private newJob(): Job {
    return { stopped: false, onStop: [] };
  }

  private stopJob(job: Job): void {
    if (job.stopped) return;
    job.stopped = true;
    for (const f of job.onStop.splice(0)) f();
  }

  private async runPipeline(p: Pipeline): Promise<number> {
    // Distributed mode: what the last command set going elsewhere is over before the next one looks.
    if (this.lab.settle) await this.lab.settle();
    const job = this.newJob();
    const subshell = p.background || p.commands.length > 1;
    const run = () =>
      this.runCommands(
        p,
        {
          net: this.host.initNet,
          cpu: this.cpu,
          stdin: null,
          job,
          out: this.out,
          err: this.err,
          tty: this.tty,
        },
        subshell,
      );
    if (p.background) {
      const done = run().catch((e) => {
        try {
          this.err(`${this.name}: ${String(e?.message ?? e)}\n`);
        } catch (gone) {
          // Its reader went away too (SIGPIPE on the report): the job ends with that status.
          if (gone instanceof ExitRequest) return gone.status;
          throw gone;
        }
        return 1;
      });
      const entry = { job, done };
      this.background.add(entry);
      done.finally(() => this.background.delete(entry));
      return 0;
    }
    this.current = job;
    try {
      const status = await this.foreground(run(), job, p.commands.map((c) => c.argv.join(' ')).join(' | '));
      // What the command left on the wires lands before the next prompt, as on a real box.
      await this.lab.landInFlight();
      return status;
    } finally {
      this.current = null;
    }
  }

  /**
   * One command's argv as a foreground job of its own, with its own input and outputs: a tool that a
   * script outside the lab runs (skblab run), which is a process of that script, not a line of this shell.
   */
  async runForeground(
    argv: string[],
    io: { stdin: string | null; out: (s: string) => void; err: (s: string) => void },
  ): Promise<number> {
    const go = async () => {
      if (this.lab.settle) await this.lab.settle();
      const job = this.newJob();
      this.current = job;
      try {
        const run = this.runArgv(argv, { net: this.host.initNet, cpu: this.cpu, ...io, job, tty: false });
        const status = await this.foreground(run, job, argv.join(' '));
        await this.lab.landInFlight();
        return status;
      } finally {
        this.current = null;
      }
    };
    // Distributed mode: what the tool configured goes to every service, as a line of this shell's would.
    return this.aroundLine ? this.aroundLine(argv.join(' '), go) : go();
  }

  /** A pipeline's commands, each one's output the next one's input; its status is the last one's. */
  private async runCommands(p: Pipeline, base: RunOpts, subshell: boolean): Promise<number> {
    let stdin = base.stdin;
    let status = 0;
    for (let i = 0; i < p.commands.length; i++) {
      const last = i === p.commands.length - 1;
      let captured = '';
      const out = last ? base.out : (s: string) => (captured += s);
      // The files are opened by the shell's child before it runs the command: a task only when there are.
      let files = null as Task | null;
      const o = redirect({ ...base, stdin, out, tty: last && base.tty }, p.commands[i].redirects, (r) =>
        this.openRedirect((files ??= new Task(this.lab, this.host, base.net, this.name, base.cpu)), r),
      );
      if (typeof o === 'string') {
        files?.closeAll();
        base.err(o);
        status = 1;
      } else {
        // bash runs each command of a pipeline, and a background job, in a subshell: an `exit` there ends
        // only that subshell, with its status.
        // (try/finally rather than .finally(): the command's end takes no extra turn, so a background
        // pipeline starts its next command before the next line runs, as it did.)
        try {
          status = await this.runArgv(p.commands[i].argv, o).catch((e) => {
            if (subshell && e instanceof ExitRequest) return e.status;
            throw e;
          });
        } finally {
          files?.closeAll();
        }
      }
      stdin = last ? null : captured;
    }
    return status;
  }

  /**
   * open(2) of a redirection's file for a command (`task` holds it until the command ends): a writer of its
   * text, or bash's message. The text goes in as the bytes `cat` gives back (one per char, as latin1).
   */
  private openRedirect(task: Task, r: FileRedirect): ((s: string) => void) | string {
    const fd = task.open(r.path, O_WRONLY | O_CREAT | (r.append ? O_APPEND : O_TRUNC));
    if (fd < 0) return `${this.name}: line ${this.lineNo}: ${r.path}: ${strerror(fd)}\n`;
    return (s: string) => void task.writeFile(fd, Buffer.from(s, 'latin1'));
  }

  /** Ctrl-C: stop the foreground job. Returns false when there was none. */
  interrupt(): boolean {
    if (!this.current) return false;
    this.stopJob(this.current);
    this.lab.wake();
    return true;
  }

  /**
   * Drive simulated time until a foreground job ends. One that can never end is interrupted; one still
   * running after maxSimSeconds of simulated time is stopped, as Ctrl-C would stop it on a real box.
   */
  private foreground(done: Promise<number>, job: Job, label: string): Promise<number> {
    return this.lab.drive(
      done,
      () => this.stopJob(job),
      this.lab.now() + this.maxSimSeconds * NSEC_PER_SEC,
      () => {
        this.err(`skblab: stopped '${label}' after ${this.maxSimSeconds} s of simulated time\n`);
        this.stopJob(job);
      },
    );
  }

  /** Stop every background job (end of input) and let them finish. */
  async stopBackground(): Promise<void> {
    const entries = [...this.background];
    for (const e of entries) this.stopJob(e.job);
    for (const e of entries) await this.lab.drive(e.done, () => undefined).catch(() => 1);
  }

  /** `wait`: let simulated time run until every background job has finished. */
  /**
   * `wait`: the background jobs' completion. The foreground drive that runs `wait` moves time on; if it has
   * to stop `wait` (nothing left to happen, or the time limit), the jobs waited for are stopped too.
   */
  private async waitAll(job: Job): Promise<number> {
    const entries = [...this.background];
    job.onStop.push(() => entries.forEach((e) => this.stopJob(e.job)));
    await Promise.all(entries.map((e) => e.done));
    // bash: "If id is not given, wait waits for all running background jobs ... and the return status is zero."
    return 0;
  }

  /**
   * `on NODE COMMAND...`: run a command on another node of the lab, as a root shell there would (the lab
   * console's way to reach a machine, like Mininet's `h2 ping h1`). Its output and status are this line's.
   */
  private async onNode(args: string[], o: RunOpts): Promise<number> {
    const [node, ...rest] = args;
    const host = node ? this.lab.hosts.get(node) : undefined;
    if (!node || !rest.length) {
      o.err('usage: on NODE COMMAND [ARG...]\n');
      return 2;
    }
    if (!host) {
      o.err(`on: no node '${node}' (nodes: ${[...this.lab.hosts.keys()].join(', ')})\n`);
      return 1;
    }
    if (host === this.host) return this.runArgv(rest, o);
    let sh = this.others.get(node);
    if (!sh) {
      sh = new Shell({
        lab: this.lab,
        host,
        commands: this.commands,
        out: this.out,
        err: this.err,
        name: this.name,
        tty: this.tty,
      });
      this.others.set(node, sh);
    }
    sh.lastStatus = this.lastStatus;
    return sh.runArgv(rest, { ...o, net: host.initNet, cpu: 0 });
  }

  /** The shells `on` opened on other nodes (each keeps its own $?). */
  private readonly others = new Map<string, Shell>();

  private ctxFor(argv: string[], o: RunOpts): CommandContext {
    const lab = this.lab;
    return {
      lab,
      host: this.host,
      net: o.net,
      cpu: o.cpu,
      argv,
      stdin: o.stdin,
      out: o.out,
      err: o.err,
      job: o.job,
      tty: o.tty,
      task: (comm: string) => {
        const t = new Task(lab, this.host, o.net, comm, o.cpu);
        o.job.onStop.push(() => undefined);
        return t;
      },
      exec: (a: string[], opts: { net?: Net; cpu?: number }) =>
        this.runArgv(a, { ...o, net: opts.net ?? o.net, cpu: opts.cpu ?? o.cpu }),
      sleep: (ns: number) =>
        new Promise<boolean>((resolve) => {
          if (o.job.stopped) return resolve(false);
          let done = false;
          const stop = () => {
            if (!done) {
              done = true;
              resolve(false);
            }
          };
          o.job.onStop.push(stop);
          lab.sleepUntil(lab.now() + ns, this.host).then(() => {
            if (!done) {
              done = true;
              resolve(true);
            }
          });
        }),
    };
  }

  private async runArgv(rawArgv: string[], o: RunOpts): Promise<number> {
    // The one parameter the lab's scripts use: $?, the status of the last command.
    const argv = rawArgv.map((a) =>
      a.includes(LAST_STATUS) ? a.split(LAST_STATUS).join(String(this.lastStatus)) : a,
    );
    // A command named by its path: the lab's tools are installed in /bin and /usr/bin (one directory on a
    // merged-/usr Debian 12) and /sbin, /usr/sbin; a path to anything else is not there.
    if (argv[0]?.includes('/')) {
      const m = /^\/(?:usr\/)?s?bin\/([^/]+)$/.exec(argv[0]);
      if (!m || !(BINARIES.has(m[1]) || this.commands[m[1]])) {
        o.err(`${this.name}: ${argv[0]}: No such file or directory\n`);
        return 127;
      }
      argv[0] = m[1];
    }
    const [cmd, ...args] = argv;
    switch (cmd) {
      case 'echo': {
        let nl = true;
        let a = args;
        if (a[0] === '-n') {
          nl = false;
          a = a.slice(1);
        }
        o.out(a.join(' ') + (nl ? '\n' : ''));
        return 0;
      }
      case 'true':
      case ':':
        return 0;
      case 'false':
        return 1;
      case 'exit': {
        const n = args.length ? parseNumber(args[0]) : this.lastStatus;
        if (n === null || !Number.isInteger(n)) {
          o.err(`${this.name}: exit: ${args[0]}: numeric argument required\n`);
          throw new ExitRequest(2);
        }
        if (args.length > 1) {
          o.err(`${this.name}: exit: too many arguments\n`);
          return 1;
        }
        throw new ExitRequest(n & 0xff);
      }
      case 'sleep': {
        if (!args.length) {
          o.err("sleep: missing operand\nTry 'sleep --help' for more information.\n");
          return 1;
        }
        let total = 0;
        for (const a of args) {
          const m = /^(\d+\.?\d*|\.\d+)([smhd]?)$/.exec(a);
          if (!m) {
            o.err(`sleep: invalid time interval '${a}'\nTry 'sleep --help' for more information.\n`);
            return 1;
          }
          total +=
            Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
        }
        const ok = await this.ctxFor(argv, o).sleep(Math.round(total * NSEC_PER_SEC));
        return ok ? 0 : 130;
      }
      case 'wait':
        return this.waitAll(o.job);
      case 'sh':
      case 'bash': {
        if (args[0] !== '-c' || args.length < 2) {
          o.err(`${cmd}: only "${cmd} -c 'COMMANDS'" is supported here\n`);
          return 2;
        }
        let status = 0;
        const items = (() => {
          try {
            return parse(tokenize(args[1]));
          } catch (e) {
            o.err(`${cmd}: 1: ${(e as Error).message}\n`);
            return null;
          }
        })();
        if (!items) return 2;
        // The script runs in that child, with its own $? (the `exit` without a number gives it): an
        // `exit` ends the child, with its status, not this shell.
        const outer = this.lastStatus;
        this.lastStatus = 0;
        try {
          for (const item of items) {
            if (item.join === '&&' && status !== 0) continue;
            if (item.join === '||' && status === 0) continue;
            status = await this.runCommands(item.pipeline, o, item.pipeline.commands.length > 1);
            this.lastStatus = status;
          }
        } catch (e) {
          if (e instanceof ExitRequest) return e.status;
          throw e;
        } finally {
          this.lastStatus = outer;
        }
        return status;
      }
      case 'taskset':
        return this.taskset(args, o);
      case 'on':
        return this.onNode(args, o);
      case 'help':
        o.out(HELP);
        return 0;
    }
    const fn = this.commands[cmd];
    if (!fn) {
      o.err(`${this.name}: ${cmd}: command not found\n`);
      return 127;
    }
    try {
      return await fn(this.ctxFor(argv, o));
    } catch (e) {
      // A stalled distributed lab ends the script with its own message (no internal error, no stack).
      if (e instanceof ExitRequest || e instanceof LabStalledError) throw e;
      o.err(`${cmd}: internal error: ${(e as Error).stack ?? e}\n`);
      return 1;
    }
  }

  /** taskset -c CPU CMD...: run CMD on that CPU (its backlog, its softirq). */
  private async taskset(args: string[], o: RunOpts): Promise<number> {
    if (args[0] === '-c' || args[0] === '--cpu-list') {
      const list = args[1];
      const rest = args.slice(2);
      const m = list ? /^(\d+)(?:[-,].*)?$/.exec(list) : null;
      if (!m) {
        o.err(`taskset: failed to parse CPU list: ${list ?? ''}\n`);
        return 1;
      }
      const cpu = Number(m[1]);
      if (cpu >= this.host.nrCpus) {
        o.err(`taskset: failed to set pid ${process.pid}'s affinity: Invalid argument\n`);
        return 1;
      }
      if (!rest.length) {
        o.err("taskset: bad usage\nTry 'taskset --help' for more information.\n");
        return 1;
      }
      return this.runArgv(rest, { ...o, cpu });
    }
    o.err("taskset: bad usage\nTry 'taskset --help' for more information.\n");
    return 1;
  }
}

const HELP = `skblab shell: a simulated Linux 6.12 IPv4 stack. Commands behave like their Linux counterparts:
  ip [-n NS] [-j] [-s] link|addr|route|neigh|netns ...   ping [-c -W -i -s -t -Q TOS -M do|dont] HOST
  nc [-u -l -z -N -w SEC -p PORT] [HOST] PORT             iperf -s|-c HOST [-u -p -l -n -b -B -t -S TOS]
  tcpdump [-e] [-vv] [-i DEV] [-c N] [-w FILE.pcap] [EXPR]  CMD >/dev/null 2>&1   CMD | grep ...
  sysctl [-w] [-n] NAME[=VALUE]                            cat /proc/net/{snmp,dev,softnet_stat} /proc/interrupts
  nstat [-azrnsjp] [PATTERN]...   SNMP counters' increments since the last nstat (iproute2)
  grep [-vcinowxqslLEFhH] [-m N] [-A|-B|-C N] [-e] PATTERN [FILE]...  (GNU grep, files as cat reads them)
  head|tail [-n [+-]N] [-c [+-]N] [-qv] [FILE]...          wc [-lwmcL] [FILE]...  (GNU coreutils)
  tc [-s] qdisc [show|add|replace|change|del] dev DEV ...  ethtool [-i|-S|-g|-G] DEV
  traceroute [-n -m MAX -q N -f FIRST -N SIM -p PORT -t TOS -w MAX,HERE,NEAR] HOST [PACKETLEN]
  dd [bs= count= skip= seek= if= of= status=]   rm [-fv] FILE...   (the host's files: /tmp, /dev/zero, /dev/null)
  mkdir [-pv] DIR   rmdir DIR   ls [-laAd1] [PATH]   cat FILE   CMD > FILE   CMD >> FILE   CMD 2> FILE
  busybox httpd -f -p [IP:]PORT -h DIR &                   curl [-sSviIf] [-o FILE] [-w FMT] [-m SEC] URL
  taskset -c CPU CMD   sleep SEC   echo TEXT   sh -c '...'   CMD &   wait   exit
  on NODE CMD          run CMD on another node of the lab (e.g. on host2 ping 192.168.1.1)
  skbtrace [-n N] [--json]   the journeys of the last skbs, one line per kernel function
`;
