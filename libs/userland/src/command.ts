/**
 * What a tool (ping, ip, nc, ...) gets from the shell: its argv, its input, where to write, the node it
 * runs in (host, namespace, CPU), and a way to start tasks and other commands. A tool returns its exit
 * status, as the real one would.
 */
import type { Host, Net } from '@skblab/kernel';
import type { Lab, Task } from '@skblab/runtime';

export interface Job {
  /** Set when the shell stops the job (end of input, or a foreground job that can never finish). */
  stopped: boolean;
  onStop: Array<() => void>;
}

export interface CommandContext {
  lab: Lab;
  host: Host;
  net: Net;
  /** The CPU the command runs on (taskset -c), else the shell's. */
  cpu: number;
  argv: string[];
  /** Standard input: text piped from `echo`, or null when none (a terminal at EOF). */
  stdin: string | null;
  out(s: string): void;
  err(s: string): void;
  job: Job;
  /**
   * Whether standard output is a terminal (isatty(1)); unset: it is not (a pipe, a file, a test's capture).
   * ls prints columns to a terminal, one name a line elsewhere; curl's progress meter shows only elsewhere.
   */
  tty?: boolean;
  /** A process for this command in its namespace and on its CPU. */
  task(comm: string): Task;
  /** Run another command line's argv in a different namespace or on another CPU (ip netns exec, taskset). */
  exec(argv: string[], opts: { net?: Net; cpu?: number }): Promise<number>;
  /** Sleep in simulated time; resolves false if the job was stopped meanwhile. */
  sleep(ns: number): Promise<boolean>;
}

export type Command = (ctx: CommandContext) => Promise<number>;

/** The registry the shell looks commands up in. */
export type CommandTable = Record<string, Command>;

export const NSEC_PER_SEC = 1_000_000_000;
export const NSEC_PER_MSEC = 1_000_000;

/** `ping: invalid argument: 'x'` style helper: parse a number or return null. */
export function parseNumber(s: string | undefined): number | null {
  if (s === undefined || s.trim() === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim()))
    return null;
  return Number(s);
}

/**
 * poll(2) for one socket as a tool blocks in it: readable, the deadline passed, or the job stopped (a
 * signal: Ctrl-C, the end of the shell's input).
 */
export function waitNet(
  job: Job,
  task: Task,
  fd: number,
  deadline: number,
): Promise<'ready' | 'timeout' | 'stopped'> {
  if (job.stopped) return Promise.resolve('stopped');
  return new Promise((resolve) => {
    let settled = false;
    const stop = () => {
      if (settled) return;
      settled = true;
      resolve('stopped');
    };
    job.onStop.push(stop);
    task.waitReadable(fd, deadline).then((ok) => {
      if (settled) return;
      settled = true;
      const i = job.onStop.indexOf(stop);
      if (i >= 0) job.onStop.splice(i, 1);
      resolve(ok ? 'ready' : 'timeout');
    });
  });
}
