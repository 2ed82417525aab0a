/**
 * What a learner did in a lab, kept between `skblab lab start` and `check`: the lab runs in one process,
 * and it is deterministic (seeded, simulated time), so the lines typed are its state. Replayed into a
 * fresh copy of the lab, they rebuild the same kernel state for `check`, or for `start` to resume. A line
 * stopped with Ctrl-C keeps how long (in simulated time) it ran, so its replay stops at the same point.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabDef } from './spec';

export interface SavedLine {
  line: string;
  /** Interrupted (Ctrl-C) after this much simulated time, in ns. */
  stopAfterNs?: number;
}

export interface LabState {
  lab: string;
  lines: SavedLine[];
  /** How many hints have been shown (the next `hint` shows the one after). */
  hintsShown: number;
}

/** $XDG_STATE_HOME/skblab/labs (~/.local/state/skblab/labs by default). */
export function stateDir(): string {
  const base = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'skblab', 'labs');
}

/** The state file of a lab: by name for the labs that come with skblab, by path's hash for others. */
export function stateFile(def: LabDef, builtIn: boolean): string {
  const key = builtIn
    ? def.name
    : `${def.name}-${crypto.createHash('sha256').update(path.resolve(def.file)).digest('hex').slice(0, 12)}`;
  return path.join(stateDir(), `${key}.json`);
}

export function loadState(file: string, lab: string): LabState {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as LabState;
    if (Array.isArray(s.lines) && typeof s.hintsShown === 'number')
      return { lab, lines: s.lines.filter((l) => typeof l?.line === 'string'), hintsShown: s.hintsShown };
  } catch {
    // none yet, or unreadable: a fresh start
  }
  return { lab, lines: [], hintsShown: 0 };
}

export function saveState(file: string, s: LabState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 1) + '\n');
  fs.renameSync(tmp, file);
}

export function clearState(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A file of the machine's that could not be read or written, in strerror's words (as the tools say it). */
export function fileError(e: unknown): string {
  const words: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    EPERM: 'Operation not permitted',
    EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory',
    EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device',
  };
  const err = e as NodeJS.ErrnoException;
  return words[err.code ?? ''] ?? err.message;
}
