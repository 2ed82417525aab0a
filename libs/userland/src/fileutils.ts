/**
 * dd and rm as GNU coreutils 9.1 (Debian 12) run them on the host's file store (the kernel's ramfs root:
 * /tmp's files, /dev/zero, /dev/null), through the task's open(2), read(2), write(2) and unlink(2).
 * dd: bs=, ibs=, obs=, count=, skip=, seek=, if=, of=, conv=notrunc, status=none|noxfer|progress.
 * rm: -f, -v on files (a directory says "Is a directory"; -r is not modelled).
 */
import {
  EEXIST,
  EISDIR,
  ENOENT,
  ENOTDIR,
  O_CREAT,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  lookup_inode,
} from '@skblab/kernel';
import { S_ISDIR } from '@skblab/kernel';
import type { Command, CommandContext } from './command';
import { getopt } from './getopt';

/** strerror(3) of the errnos these tools meet. */
export function strerror(e: number): string {
  switch (Math.abs(e)) {
    case ENOENT:
      return 'No such file or directory';
    case ENOTDIR:
      return 'Not a directory';
    case EISDIR:
      return 'Is a directory';
    case EEXIST:
      return 'File exists';
    default:
      return `Unknown error ${Math.abs(e)}`;
  }
}

/** dd's multipliers (parse_integer's suffixes: c w b, k K M G ... with B for powers of 1000, iB of 1024). */
const POWERS: Record<string, number> = { K: 1, k: 1, M: 2, G: 3, T: 4, P: 5, E: 6, Z: 7, Y: 8 };

/** parse_integer: a number with a suffix, and `x` products (2x512); null if invalid. */
function parseInteger(s: string): number | null {
  let total = 1;
  for (const part of s.split('x')) {
    const m = /^(\d+)(c|w|b|([kKMGTPEZY])(B|iB)?)?$/.exec(part);
    if (!m) return null;
    let n = Number(m[1]);
    if (m[2] === 'w') n *= 2;
    else if (m[2] === 'b') n *= 512;
    else if (m[3]) n *= (m[4] === 'B' ? 1000 : 1024) ** POWERS[m[3]];
    total *= n;
  }
  return total;
}

const TRY = "Try 'dd --help' for more information.\n";

export const dd: Command = async (ctx: CommandContext) => {
  let ibs = 512;
  let obs = 512;
  let count = Infinity;
  let skip = 0;
  let seek = 0;
  let inPath: string | null = null;
  let outPath: string | null = null;
  let status = 'default';
  let notrunc = false;
  for (const op of ctx.argv.slice(1)) {
    const eq = op.indexOf('=');
    if (eq < 0) {
      ctx.err(`dd: unrecognized operand '${op}'\n${TRY}`);
      return 1;
    }
    const [name, val] = [op.slice(0, eq), op.slice(eq + 1)];
    if (name === 'if') inPath = val;
    else if (name === 'of') outPath = val;
    else if (name === 'status') {
      if (!['none', 'noxfer', 'progress'].includes(val)) {
        ctx.err(`dd: invalid status level: '${val}'\n${TRY}`);
        return 1;
      }
      status = val;
    } else if (name === 'conv') {
      for (const c of val.split(','))
        if (c === 'notrunc') notrunc = true;
        else {
          ctx.err(`dd: conv=${c}: not modelled in this lab\n`);
          return 1;
        }
    } else if (['bs', 'ibs', 'obs', 'count', 'skip', 'seek'].includes(name)) {
      const n = parseInteger(val);
      if (n === null || ((name === 'bs' || name === 'ibs' || name === 'obs') && n === 0)) {
        ctx.err(`dd: invalid number: '${val}'\n`);
        return 1;
      }
      if (name === 'bs') ibs = obs = n;
      else if (name === 'ibs') ibs = n;
      else if (name === 'obs') obs = n;
      else if (name === 'count') count = n;
      else if (name === 'skip') skip = n;
      else seek = n;
    } else {
      ctx.err(`dd: unrecognized operand '${op}'\n${TRY}`);
      return 1;
    }
  }
  const task = ctx.task('dd');
  try {
    const ifd = inPath === null ? -1 : task.open(inPath, O_RDONLY);
    if (ifd < 0 && inPath !== null) {
      ctx.err(`dd: failed to open '${inPath}': ${strerror(ifd)}\n`);
      return 1;
    }
    const ofd =
      outPath === null ? -1 : task.open(outPath, O_WRONLY | O_CREAT | (notrunc || seek ? 0 : O_TRUNC));
    if (ofd < 0 && outPath !== null) {
      ctx.err(`dd: failed to open '${outPath}': ${strerror(ofd)}\n`);
      return 1;
    }
    let stdin = Buffer.from(ctx.stdin ?? '');
    const read = (n: number): Uint8Array | number => {
      if (ifd >= 0) return task.readFile(ifd, n);
      const r = stdin.subarray(0, n);
      stdin = stdin.subarray(n);
      return r;
    };
    if (skip) read(skip * ibs);
    // lseek past the output's start (a hole there reads as zeroes).
    if (seek && ofd >= 0) task.lseek(ofd, seek * obs);
    let fullIn = 0;
    let partIn = 0;
    let fullOut = 0;
    let partOut = 0;
    let bytes = 0;
    let pending: Uint8Array[] = [];
    let pendingLen = 0;
    const flush = (all: boolean) => {
      let buf = Buffer.concat(pending);
      while (buf.length >= obs || (all && buf.length)) {
        const chunk = buf.subarray(0, Math.min(obs, buf.length));
        if (ofd >= 0) task.writeFile(ofd, chunk);
        else ctx.out(Buffer.from(chunk).toString('latin1'));
        if (chunk.length === obs) fullOut++;
        else partOut++;
        bytes += chunk.length;
        buf = buf.subarray(chunk.length);
      }
      pending = buf.length ? [buf] : [];
      pendingLen = buf.length;
    };
    for (let n = 0; n < count; n++) {
      const r = read(ibs);
      if (typeof r === 'number') {
        ctx.err(`dd: error reading '${inPath}': ${strerror(r)}\n`);
        return 1;
      }
      if (!r.length) break;
      if (r.length === ibs) fullIn++;
      else partIn++;
      pending.push(r);
      pendingLen += r.length;
      if (pendingLen >= obs) flush(false);
    }
    flush(true);
    if (status !== 'none') {
      ctx.err(`${fullIn}+${partIn} records in\n${fullOut}+${partOut} records out\n`);
      // No simulated time passes while dd copies: print_xfer_stats's "Infinity B/s".
      if (status !== 'noxfer')
        ctx.err(`${bytes} byte${bytes === 1 ? '' : 's'}${humanSizes(bytes)} copied, 0 s, Infinity B/s\n`);
    }
    if (ifd >= 0) task.close(ifd);
    if (ofd >= 0) task.close(ofd);
    return 0;
  } finally {
    task.closeAll();
  }
};

/** print_xfer_stats's " (5.1 kB, 5.0 KiB)" for counts from 1000 on (human_readable, rounded to nearest). */
function humanSizes(bytes: number): string {
  if (bytes < 1000) return '';
  const fmt = (base: number, units: string[]) => {
    let v = bytes;
    let i = -1;
    while (v >= base && i < units.length - 1) {
      v /= base;
      i++;
    }
    return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
  };
  return ` (${fmt(1000, ['kB', 'MB', 'GB', 'TB'])}, ${fmt(1024, ['KiB', 'MiB', 'GiB', 'TiB'])})`;
}

export const rm: Command = async (ctx: CommandContext) => {
  const g = getopt(ctx.argv.slice(1), 'fvrRi', 'rm');
  if (g.error) {
    ctx.err(`${g.error}\nTry 'rm --help' for more information.\n`);
    return 1;
  }
  const flags = new Set(g.opts.map(([c]) => c));
  const force = flags.has('f');
  for (const c of ['r', 'R', 'i'])
    if (flags.has(c)) {
      ctx.err(`rm: -${c}: not modelled in this lab\n`);
      return 1;
    }
  if (!g.operands.length) {
    if (force) return 0;
    ctx.err("rm: missing operand\nTry 'rm --help' for more information.\n");
    return 1;
  }
  const task = ctx.task('rm');
  let status = 0;
  for (const f of g.operands) {
    const inode = lookup_inode(ctx.host.fs, f);
    if (inode && S_ISDIR(inode.mode)) {
      ctx.err(`rm: cannot remove '${f}': Is a directory\n`);
      status = 1;
      continue;
    }
    const rc = task.unlink(f);
    if (rc === -ENOENT && force) continue;
    if (rc < 0) {
      ctx.err(`rm: cannot remove '${f}': ${strerror(rc)}\n`);
      status = 1;
    } else if (flags.has('v')) ctx.out(`removed '${f}'\n`);
  }
  return status;
};
