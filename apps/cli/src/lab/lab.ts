/**
 * `skblab lab list | start NAME | check NAME | hint NAME | reset NAME`: graded labs (docs/labs.md).
 *
 * The embedded lab lives in one process, so `start` opens the lab's shell and the learner works there; the
 * shell has a `lab` builtin (lab check, lab hint, lab tasks, lab reset) that grades the running lab. Each
 * line typed is kept in a state file; the lab is deterministic, so `skblab lab check NAME` outside the shell
 * replays those lines into a fresh copy and grades that, `start` again resumes, and `reset` forgets them.
 * `check --solution` grades the lab's reference solution, `--script FILE` any script.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { LabStalledError } from '@skblab/runtime';
import { ExitRequest, promptLine } from '@skblab/shell';
import type { Command, CommandContext } from '@skblab/userland';
import { runChecks } from './checks';
import { formatJson, formatJunit, formatText } from './report';
import { LabSession } from './session';
import { isLabError, labNames, loadLab, type LabDef } from './spec';
import {
  clearState,
  fileError,
  loadState,
  saveState,
  stateFile,
  type LabState,
  type SavedLine,
} from './state';

export const LAB_USAGE = `Usage: skblab lab list
       skblab lab start NAME [NODE]
       skblab lab check NAME [--solution | --script FILE] [--json] [--junit FILE] [-v]
       skblab lab hint NAME [N]
       skblab lab reset NAME

Graded labs: a topology, tasks to do in its shell, and checks that read the
simulated kernel's state (routes, counters, qdiscs, sockets, neighbours, path
MTUs, and the skbs' journeys that skbtrace shows) to tell whether they are done.

  list     the labs, with how far you got in each.
  start    build the lab, print its tasks and open a root shell on NODE (default:
           the lab's). In that shell 'lab check', 'lab hint', 'lab tasks' and
           'lab reset' act on the running lab. The lines you type are kept, so
           'start' again resumes where you left off, and 'check' grades them.
           Without a terminal it runs the lines of standard input.
  check    replay the lines you typed into a fresh copy of the lab, run its
           checks and print each one, PASS or FAIL, and why. Exit status 0 when
           all pass, 1 when one fails.
           --solution   run the lab's reference solution instead
           --script F   run the lines of file F instead (- for standard input)
           --json       print the results as JSON
           --junit F    also write them to F as a JUnit XML report
           -v           show the lines replayed and their output (on stderr)
  hint     the next hint (or hint N); the hints shown are remembered.
  reset    forget the lines you typed and the hints shown: a fresh start.

NAME is a lab from 'skblab lab list' (or the path of a lab file, docs/labs.md).
What you typed is kept in $XDG_STATE_HOME/skblab/labs (~/.local/state/...).
`;

const SHELL_USAGE = `usage: lab check [--json] [--junit FILE]   grade the lab as it is now
       lab hint [N]                         the next hint (or hint N)
       lab tasks                            the lab's tasks again
       lab reset                            a fresh copy of the lab; your lines are forgotten
`;

function usage(why: string): number {
  process.stderr.write(`skblab lab: ${why}\n\n${LAB_USAGE}`);
  return 2;
}

function load(name: string | undefined): LabDef | number {
  if (!name) return usage('a lab NAME is needed');
  const def = loadLab(name);
  if (isLabError(def)) {
    process.stderr.write(def.error + '\n');
    return 2;
  }
  return def;
}

export async function labMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub) return usage('a subcommand is needed (list, start, check, hint, reset)');
  if (sub === '-h' || sub === '--help' || sub === 'help' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(LAB_USAGE);
    return 0;
  }
  switch (sub) {
    case 'list':
      if (rest.length) return usage(`unexpected argument '${rest[0]}'`);
      return list();
    case 'start':
      return start(rest);
    case 'check':
      return check(rest);
    case 'hint':
      return hint(rest);
    case 'reset': {
      if (rest.length !== 1)
        return usage(rest.length ? `unexpected argument '${rest[1]}'` : 'a lab NAME is needed');
      const def = load(rest[0]);
      if (typeof def === 'number') return def;
      const had = clearState(stateFile(def, def.builtIn));
      process.stdout.write(
        had
          ? `lab ${def.name}: reset; 'skblab lab start ${def.name}' starts it afresh\n`
          : `lab ${def.name}: nothing to reset (not started)\n`,
      );
      return 0;
    }
    default:
      return usage(`unknown subcommand '${sub}'`);
  }
}

function list(): number {
  const names = labNames();
  const rows: string[][] = [];
  for (const n of names) {
    const def = loadLab(n);
    const short = n.replace(/^\d+-/, '');
    if (isLabError(def)) {
      rows.push([short, `(broken: ${def.error})`, '']);
      continue;
    }
    const st = loadState(stateFile(def, true), def.name);
    const progress = st.lines.length ? `${st.lines.length} lines typed` : '';
    rows.push([short, def.title, progress]);
  }
  const w0 = Math.max(4, ...rows.map((r) => r[0].length));
  const w1 = Math.max(5, ...rows.map((r) => r[1].length));
  let s = `${'NAME'.padEnd(w0)}  ${'TITLE'.padEnd(w1)}  PROGRESS\n`;
  for (const r of rows) s += `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`.trimEnd() + '\n';
  s += `\n'skblab lab start NAME' opens one; docs/labs.md tells how labs work.\n`;
  process.stdout.write(s);
  return 0;
}

function hint(args: string[]): number {
  if (!args.length) return usage('a lab NAME is needed');
  if (args.length > 2) return usage(`unexpected argument '${args[2]}'`);
  const def = load(args[0]);
  if (typeof def === 'number') return def;
  const file = stateFile(def, def.builtIn);
  const st = loadState(file, def.name);
  const r = hintText(def, st, args[1]);
  if (typeof r === 'string') {
    process.stderr.write(`skblab lab: ${r}\n`);
    return 2;
  }
  process.stdout.write(r.text);
  if (r.advanced) saveState(file, st);
  return 0;
}

/** Hint N, or the next one not shown yet; the count shown moves on. */
function hintText(
  def: LabDef,
  st: LabState,
  n: string | undefined,
): { text: string; advanced: boolean } | string {
  const total = def.hints.length;
  if (!total) return { text: `lab ${def.name} has no hints\n`, advanced: false };
  let i: number;
  if (n !== undefined) {
    if (!/^\d+$/.test(n) || +n < 1 || +n > total)
      return `hint: expected a number from 1 to ${total}, got '${n}'`;
    i = +n - 1;
  } else i = Math.min(st.hintsShown, total - 1);
  const advanced = i + 1 > st.hintsShown;
  if (advanced) st.hintsShown = i + 1;
  const more = i + 1 < total ? ` ('hint' again for the next)` : ' (the last one)';
  return { text: `hint ${i + 1} of ${total}${more}:\n${indent(def.hints[i])}\n`, advanced };
}

function indent(s: string): string {
  return s
    .trimEnd()
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
}

function banner(def: LabDef): string {
  let s = `skblab lab ${def.name}: ${def.title}\n`;
  if (def.summary) s += `\n${indent(def.summary)}\n`;
  s += `\nTasks:\n${indent(def.tasks)}\n`;
  return s;
}

// ---- check ------------------------------------------------------------------------------------------------

async function check(args: string[]): Promise<number> {
  let name: string | undefined;
  let solution = false;
  let script: string | null = null;
  let json = false;
  let junit: string | null = null;
  let verbose = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--solution') solution = true;
    else if (a === '--script') {
      script = args[++i] ?? null;
      if (script === null) return usage('option --script needs a FILE');
    } else if (a === '--json') json = true;
    else if (a === '--junit') {
      junit = args[++i] ?? null;
      if (junit === null) return usage('option --junit needs a FILE');
    } else if (a === '-v' || a === '--verbose') verbose = true;
    else if (a.startsWith('-') && a !== '-') return usage(`unknown option '${a}'`);
    else if (name === undefined) name = a;
    else return usage(`unexpected argument '${a}'`);
  }
  if (solution && script !== null) return usage('--solution and --script: one or the other');
  const def = load(name);
  if (typeof def === 'number') return def;
  let lines: SavedLine[];
  if (solution) lines = def.solution.map((line) => ({ line }));
  else if (script !== null) {
    let text: string;
    try {
      text = script === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(script, 'utf8');
    } catch (e) {
      process.stderr.write(`skblab lab: ${script}: ${fileError(e)}\n`);
      return 2;
    }
    lines = text.split('\n').map((line) => ({ line }));
  } else {
    lines = loadState(stateFile(def, def.builtIn), def.name).lines;
    if (!lines.length && !json)
      process.stderr.write(
        `skblab lab: nothing typed in lab ${def.name} yet ('skblab lab start ${def.name}'): checking the untouched lab\n`,
      );
  }
  const log = verbose ? (s: string) => void process.stderr.write(s) : () => undefined;
  const session = await LabSession.open(def, { out: log, err: log });
  if (typeof session === 'string') {
    // A boot line of the lab's topology failed: a bad lab file.
    process.stderr.write(session + '\n');
    return 2;
  }
  try {
    for (const l of lines) {
      if (!l.line.trim() || /^\s*#/.test(l.line) || isLabBuiltin(l.line)) continue;
      log(`root@${def.node}:~# ${l.line}\n`);
      try {
        await session.runLine(l.line, l.stopAfterNs);
      } catch (e) {
        if (e instanceof ExitRequest) break;
        if (e instanceof LabStalledError) {
          process.stderr.write(`skblab lab: ${e.message}\n`);
          return 1;
        }
        throw e;
      }
    }
    await session.shell.stopBackground();
  } catch (e) {
    process.stderr.write(`skblab lab: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const results = runChecks(session);
  process.stdout.write(json ? formatJson(def, results) : formatText(def, results));
  if (junit !== null) {
    try {
      fs.writeFileSync(junit, formatJunit(def, results));
    } catch (e) {
      process.stderr.write(`skblab lab: ${junit}: ${fileError(e)}\n`);
      return 2;
    }
  }
  return results.every((r) => r.passed) ? 0 : 1;
}

function isLabBuiltin(line: string): boolean {
  return /^\s*lab(\s|$)/.test(line);
}

// ---- start: the lab's shell -------------------------------------------------------------------------------

/** The running lab of `start`: the session, what was typed, and a reset asked for by `lab reset`. */
class Controller {
  session!: LabSession;
  resetAsked = false;
  readonly file: string;
  readonly state: LabState;

  constructor(readonly def: LabDef) {
    this.file = stateFile(def, def.builtIn);
    this.state = loadState(this.file, def.name);
  }

  /** The `lab` builtin of the lab's shell. */
  readonly command: Command = async (ctx: CommandContext) => {
    const [, sub, ...args] = ctx.argv;
    switch (sub) {
      case 'check': {
        let json = false;
        let junit: string | null = null;
        for (let i = 0; i < args.length; i++) {
          if (args[i] === '--json') json = true;
          else if (args[i] === '--junit' && args[i + 1]) junit = args[++i];
          else {
            ctx.err(`lab: unknown option '${args[i]}'\n${SHELL_USAGE}`);
            return 2;
          }
        }
        const results = runChecks(this.session);
        ctx.out(json ? formatJson(this.def, results) : formatText(this.def, results));
        if (junit !== null) {
          try {
            // A file of the machine skblab runs on (not of the simulated host): for a learning platform.
            fs.writeFileSync(junit, formatJunit(this.def, results));
          } catch (e) {
            ctx.err(`lab: ${junit}: ${fileError(e)}\n`);
            return 2;
          }
        }
        return results.every((r) => r.passed) ? 0 : 1;
      }
      case 'hint': {
        if (args.length > 1) {
          ctx.err(SHELL_USAGE);
          return 2;
        }
        const r = hintText(this.def, this.state, args[0]);
        if (typeof r === 'string') {
          ctx.err(`lab: ${r}\n`);
          return 2;
        }
        ctx.out(r.text);
        if (r.advanced) saveState(this.file, this.state);
        return 0;
      }
      case 'tasks':
        ctx.out(banner(this.def));
        return 0;
      case 'reset':
        this.resetAsked = true;
        return 0;
      case 'help':
      case '--help':
      case '-h':
        ctx.out(SHELL_USAGE);
        return 0;
      default:
        ctx.err(`lab: ${sub ? `unknown subcommand '${sub}'` : 'a subcommand is needed'}\n${SHELL_USAGE}`);
        return 2;
    }
  };

  async open(io: {
    out: (s: string) => void;
    err: (s: string) => void;
    tty: boolean;
  }): Promise<string | null> {
    const s = await LabSession.open(this.def, io, { lab: this.command });
    if (typeof s === 'string') return s;
    this.session = s;
    return null;
  }

  /** Lines typed before (a resumed lab): run again, their output not shown. */
  async replay(): Promise<void> {
    const live = this.session.io;
    this.session.io = { out: () => undefined, err: () => undefined };
    try {
      for (const l of this.state.lines) {
        try {
          await this.session.runLine(l.line, l.stopAfterNs);
        } catch (e) {
          if (!(e instanceof ExitRequest)) throw e;
        }
      }
    } finally {
      this.session.io = live;
    }
  }

  record(line: string, stopAfterNs?: number): void {
    if (!line.trim() || isLabBuiltin(line)) return;
    this.state.lines.push(stopAfterNs === undefined ? { line } : { line, stopAfterNs });
    saveState(this.file, this.state);
  }
}

async function start(args: string[]): Promise<number> {
  if (!args.length) return usage('a lab NAME is needed');
  if (args.length > 2) return usage(`unexpected argument '${args[2]}'`);
  const def = load(args[0]);
  if (typeof def === 'number') return def;
  if (args[1] !== undefined) {
    const hosts = def.topology.hosts.map((h) => h.name);
    if (!hosts.includes(args[1])) {
      process.stderr.write(`skblab lab: no node named '${args[1]}' (nodes: ${hosts.join(', ')})\n`);
      return 2;
    }
    def.node = args[1];
  }
  const ctl = new Controller(def);
  const tty = process.stdin.isTTY === true;
  const io = {
    out: (s: string) => void process.stdout.write(s),
    err: (s: string) => void process.stderr.write(s),
    tty: process.stdout.isTTY === true,
  };
  const err = await ctl.open(io);
  if (err) {
    // A boot line of the lab's topology failed: a bad lab file.
    process.stderr.write(err + '\n');
    return 2;
  }
  process.stdout.write(banner(def));
  if (ctl.state.lines.length) {
    await ctl.replay();
    process.stdout.write(
      `\nResumed: the ${ctl.state.lines.length} lines you typed before were run again ('lab reset' starts afresh).\n`,
    );
  }
  process.stdout.write(
    `\nYou are root on ${def.node}. 'lab check' grades your work, 'lab hint' gives a hint, 'exit' leaves\n` +
      `(your lines are kept: 'skblab lab check ${def.name}' grades them from outside too).\n`,
  );
  return tty ? interactive(ctl, io) : fromStdin(ctl, io);
}

/** After a line: a `lab reset` asked for makes a fresh lab and forgets the lines. */
async function afterLine(ctl: Controller, io: Parameters<Controller['open']>[0]): Promise<void> {
  if (!ctl.resetAsked) return;
  ctl.resetAsked = false;
  await ctl.session.shell.stopBackground();
  ctl.state.lines = [];
  ctl.state.hintsShown = 0;
  saveState(ctl.file, ctl.state);
  const err = await ctl.open(io);
  if (err) throw new Error(err);
  io.out(`lab ${ctl.def.name}: reset to a fresh copy of its topology; your lines are forgotten\n`);
}

async function fromStdin(ctl: Controller, io: Parameters<Controller['open']>[0]): Promise<number> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk.toString();
  let status = 0;
  try {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      status = await ctl.session.runLine(line);
      ctl.record(line);
      await afterLine(ctl, io);
    }
  } catch (e) {
    if (!(e instanceof ExitRequest)) throw e;
    status = e.status;
  }
  await ctl.session.shell.stopBackground();
  return status;
}

async function interactive(ctl: Controller, io: Parameters<Controller['open']>[0]): Promise<number> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  rl.setPrompt(`root@${ctl.def.node}:~# `);
  let interruptedAfter: number | undefined;
  rl.on('SIGINT', () => {
    process.stdout.write('^C\n');
    if (ctl.session.shell.interrupt()) interruptedAfter = ctl.session.lineRunningFor();
    else rl.prompt();
  });
  ctl.session.lab.pace = 1;
  rl.prompt();
  let status = 0;
  for await (const line of rl) {
    interruptedAfter = undefined;
    const r = await promptLine(
      async () => {
        const s = await ctl.session.runLine(line);
        ctl.record(line, interruptedAfter);
        await afterLine(ctl, io);
        ctl.session.lab.pace = 1;
        return s;
      },
      (m) => void process.stderr.write(m),
    );
    status = r.status;
    if (r.exit) break;
    rl.prompt();
  }
  rl.close();
  await ctl.session.shell.stopBackground();
  return status;
}
