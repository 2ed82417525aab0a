/**
 * A shell session on one node of a lab: runs a script (standard input that is not a terminal) or an
 * interactive prompt, and stops background jobs when input ends.
 */
import type { Host } from '@skblab/kernel';
import { LabStalledError, type Lab } from '@skblab/runtime';
import type { CommandTable } from '@skblab/userland/command';
import { ExitRequest, Shell, type ShellOptions } from './shell';

export interface SessionIo {
  out: (s: string) => void;
  err: (s: string) => void;
  aroundLine?: ShellOptions['aroundLine'];
  /** Standard output is a terminal. */
  tty?: boolean;
}

export function newShell(lab: Lab, host: Host, commands: CommandTable, io: SessionIo): Shell {
  return new Shell({ lab, host, commands, out: io.out, err: io.err, aroundLine: io.aroundLine, tty: io.tty });
}

/** Run every line in order; the status is the last command's (or exit's). */
export async function runScript(shell: Shell, text: string): Promise<number> {
  let status = 0;
  try {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      status = await shell.runLine(line);
    }
  } catch (e) {
    if (!(e instanceof ExitRequest)) throw e;
    status = e.status;
  }
  await shell.stopBackground();
  return status;
}

/**
 * One line at an interactive prompt (a terminal, the web console's, a lab's): its status, or the exit it
 * asked for. A lab that does not settle is said and the prompt goes on (the user can act on it: skblab
 * restart); any other error is the caller's.
 */
export async function promptLine(
  run: () => Promise<number>,
  say: (message: string) => void,
): Promise<{ status: number; exit: boolean }> {
  try {
    return { status: await run(), exit: false };
  } catch (e) {
    if (e instanceof ExitRequest) return { status: e.status, exit: true };
    if (!(e instanceof LabStalledError)) throw e;
    say(`skblab: ${e.message}\n`);
    return { status: 1, exit: false };
  }
}
