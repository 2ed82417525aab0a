/** What the distributed benchmarks measure with: a monotonic clock, the median, a process's memory. */
import * as fs from 'node:fs';

/** Milliseconds, monotonic. */
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The median (the upper of the two middle values of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A process's resident memory (MiB), from /proc. */
export function rssMiB(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}
