/**
 * Which process is which: a process is known by its pid, its start time (field 22 of /proc/PID/stat, in
 * clock ticks since boot: a pid reused later has another) and its command line. `skblab up` records the
 * three for every process it starts, and `down` or `restart` signal a pid only when all three still match:
 * a pid some other program wrote into Redis, or one the system gave again to another process, is refused.
 */
import * as fs from 'node:fs';

export interface ProcIdentity {
  pid: number;
  /** /proc/PID/stat field 22 (starttime), as a decimal string. */
  startTime: string;
  /** /proc/PID/cmdline, split at its NULs. */
  cmdline: string[];
}

/** The start time out of a /proc/PID/stat line (field 22; the comm in field 2 may hold spaces and ')'). */
export function statStartTime(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // After "pid (comm) " come fields 3 (state), 4, ...: field 22 is the 20th of them.
  const rest = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const v = rest[22 - 3];
  return v !== undefined && /^\d+$/.test(v) ? v : null;
}

/** The identity of a running process, or null when there is none with that pid (or /proc is not there). */
export function identify(pid: number): ProcIdentity | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const startTime = statStartTime(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (startTime === null) return null;
    return { pid, startTime, cmdline: raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1) };
  } catch {
    return null;
  }
}

export type Verdict =
  | { ok: true; id: ProcIdentity }
  /** No process has that pid: the recorded one has exited. */
  | { ok: false; gone: true; why: string }
  /** A process has that pid but is not the recorded one (or the record is not one): never signal it. */
  | { ok: false; gone: false; why: string };

/** Checks a record (untrusted: it comes from Redis) against the process that has its pid now. */
export function verify(record: unknown): Verdict {
  const r = record as Partial<ProcIdentity> | null;
  if (!r || typeof r !== 'object' || !Number.isInteger(r.pid) || (r.pid as number) <= 1)
    return { ok: false, gone: false, why: 'the record has no valid pid' };
  if (typeof r.startTime !== 'string' || !/^\d+$/.test(r.startTime))
    return { ok: false, gone: false, why: `the record of pid ${r.pid} has no start time` };
  if (!Array.isArray(r.cmdline) || !r.cmdline.length || !r.cmdline.every((a) => typeof a === 'string'))
    return { ok: false, gone: false, why: `the record of pid ${r.pid} has no command line` };
  const now = identify(r.pid as number);
  if (!now) return { ok: false, gone: true, why: `pid ${r.pid} has exited` };
  if (now.startTime !== r.startTime)
    return {
      ok: false,
      gone: true,
      why: `pid ${r.pid} is another process now (it started at tick ${now.startTime}, the recorded one at ${r.startTime})`,
    };
  if (now.cmdline.join('\0') !== r.cmdline.join('\0'))
    return {
      ok: false,
      gone: false,
      why: `pid ${r.pid} runs '${now.cmdline.join(' ')}', not the recorded '${r.cmdline.join(' ')}'`,
    };
  return { ok: true, id: now };
}

/** Whether a pid exists (a zombie counts until reaped). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Wait until `pid` has exited, at most `ms`; resolves whether it did. */
export async function waitExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid) && identify(pid)?.cmdline.length !== 0) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
