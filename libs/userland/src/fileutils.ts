/**
 * dd, rm, mkdir and ls as GNU coreutils 9.1 (Debian 12) run them on the host's file store (the kernel's
 * ramfs root: directories, regular files, /dev/zero, /dev/null, AF_UNIX's socket names), through the task's
 * open(2), read(2), write(2), unlink(2) and mkdir(2), and stat(2) of the inodes.
 * dd: bs=, ibs=, obs=, count=, skip=, seek=, if=, of=, conv=notrunc, status=none|noxfer|progress.
 * rm: -f, -v on files (a directory says "Is a directory"; -r is not modelled).
 * mkdir: -p, -v, -m OCTAL. ls: -l, -a, -A, -d, -1, columns at a terminal; the C locale's order.
 */
import {
  EEXIST,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENXIO,
  kern_path,
  O_CREAT,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  lookup_inode,
} from '@skblab/kernel';
import { S_IFMT, S_ISDIR, type Inode, type SuperBlock } from '@skblab/kernel';
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
    case ENXIO:
      return 'No such device or address';
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

// ---- mkdir ---------------------------------------------------------------------------------------------

export const mkdir: Command = async (ctx: CommandContext) => {
  const g = getopt(ctx.argv.slice(1), 'pvm:', 'mkdir');
  if (g.error) {
    ctx.err(`${g.error}\nTry 'mkdir --help' for more information.\n`);
    return 1;
  }
  const flags = new Set(g.opts.map(([c]) => c));
  const m = g.opts.find(([c]) => c === 'm')?.[1];
  if (m !== undefined && m !== null && !/^[0-7]{1,4}$/.test(m)) {
    ctx.err(`mkdir: invalid mode '${m}'\n`);
    return 1;
  }
  if (!g.operands.length) {
    ctx.err("mkdir: missing operand\nTry 'mkdir --help' for more information.\n");
    return 1;
  }
  const task = ctx.task('mkdir');
  const fs = ctx.host.fs;
  let status = 0;
  const make = (dir: string, last: boolean): boolean => {
    const rc = task.mkdir(dir, 0o777);
    if (rc === 0) {
      // -m: the mode as given, not masked by the umask (mkdir chmods it); parents get the default.
      if (last && m) {
        const inode = lookup_inode(fs, dir)!;
        inode.mode = (inode.mode & S_IFMT) | parseInt(m, 8);
      }
      if (flags.has('v')) ctx.out(`mkdir: created directory '${dir}'\n`);
      return true;
    }
    // -p: a directory that is there already is what was wanted.
    const there = lookup_inode(fs, dir);
    if (flags.has('p') && rc === -EEXIST && there && S_ISDIR(there.mode)) return true;
    // mkancesdirs: an ancestor that exists but is no directory cannot hold the rest.
    const errno = flags.has('p') && rc === -EEXIST && !last ? -ENOTDIR : rc;
    ctx.err(`mkdir: cannot create directory '${dir}': ${strerror(errno)}\n`);
    status = 1;
    return false;
  };
  try {
    for (const dir of g.operands) {
      if (!flags.has('p')) {
        make(dir, true);
        continue;
      }
      // make_dir_parents: each ancestor in turn, as typed (a relative one from /, the lab's cwd).
      const parts = dir.split('/');
      for (let i = 1; i <= parts.length; i++) {
        if (parts[i - 1] === '') continue;
        if (
          !make(
            parts.slice(0, i).join('/'),
            parts.slice(i).every((p) => p === ''),
          )
        )
          break;
      }
    }
  } finally {
    task.closeAll();
  }
  return status;
};

// ---- ls ------------------------------------------------------------------------------------------------

const TRY_LS = "Try 'ls --help' for more information.\n";

/** The names in a directory of the store (the dentries one level under it). */
function readdir(fs: SuperBlock, dir: string): string[] {
  const base = dir === '/' ? '/' : dir.replace(/\/+$/, '') + '/';
  const out: string[] = [];
  for (const k of fs.dentries.keys())
    if (k !== '/' && k.startsWith(base) && !k.slice(base.length).includes('/'))
      out.push(k.slice(base.length));
  return out;
}

/** The absolute, normalised path of a name (the cwd is /). */
function absolute(name: string): string {
  const parts: string[] = [];
  for (const c of name.split('/'))
    if (c === '..') parts.pop();
    else if (c && c !== '.') parts.push(c);
  return '/' + parts.join('/');
}

/** st_nlink: a directory's "." and its entry in its parent, plus each subdirectory's ".."; 1 otherwise. */
function nlink(fs: SuperBlock, path: string, inode: Inode): number {
  if (!S_ISDIR(inode.mode)) return 1;
  return 2 + readdir(fs, path).filter((n) => S_ISDIR(lookup_inode(fs, `${path}/${n}`)!.mode)).length;
}

/** filemode(): the type letter and the rwx triplets (setuid, setgid and sticky as s/S, t/T). */
function modeString(mode: number): string {
  const type = { 0o040000: 'd', 0o020000: 'c', 0o140000: 's', 0o010000: 'p', 0o120000: 'l', 0o060000: 'b' }[
    mode & S_IFMT
  ];
  let s = type ?? '-';
  for (const [shift, special, ch] of [
    [6, 0o4000, 's'],
    [3, 0o2000, 's'],
    [0, 0o1000, 't'],
  ] as const) {
    const bits = (mode >> shift) & 7;
    s += bits & 4 ? 'r' : '-';
    s += bits & 2 ? 'w' : '-';
    if (mode & special) s += bits & 1 ? ch : ch.toUpperCase();
    else s += bits & 1 ? 'x' : '-';
  }
  return s;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ls -l's time: "%b %e %H:%M" within six months of now (and not ahead of it), else "%b %e  %Y" (UTC). */
function lsTime(mtimeNs: number, nowNs: number): string {
  const d = new Date(Math.floor(mtimeNs / 1e6));
  const head = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)}`;
  const sixMonths = (31556952 / 2) * 1e9;
  const recent = mtimeNs <= nowNs && nowNs - mtimeNs < sixMonths;
  if (recent)
    return `${head} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  return `${head}  ${d.getUTCFullYear()}`;
}

/** st_blocks in ls's 1K units: a ramfs file holds whole pages (simple_getattr: nrpages << 3 sectors). */
function blocksK(inode: Inode): number {
  return (inode.mode & S_IFMT) === 0o100000 ? Math.ceil(inode.size / 4096) * 4 : 0;
}

interface Entry {
  name: string;
  path: string;
  inode: Inode;
}

/** print_long_format for a set of entries, with the columns as wide as the widest of the set. */
function longLines(fs: SuperBlock, entries: Entry[], now: number): string {
  const rows = entries.map((e) => {
    const rdev = e.inode.rdev;
    const size = rdev !== undefined ? `${rdev >> 20}, ${rdev & 0xfffff}` : String(e.inode.size);
    return [modeString(e.inode.mode), String(nlink(fs, e.path, e.inode)), size, e];
  }) as Array<[string, string, string, Entry]>;
  const wl = Math.max(...rows.map((r) => r[1].length));
  const ws = Math.max(...rows.map((r) => r[2].length));
  return rows
    .map(
      ([mode, nl, size, e]) =>
        `${mode} ${nl.padStart(wl)} root root ${size.padStart(ws)} ${lsTime(e.inode.mtime ?? 0, now)} ${e.name}\n`,
    )
    .join('');
}

/** print_many_per_line: as many columns as fit 80 characters, filled top to bottom, two blanks apart. */
function columns(names: string[]): string {
  if (!names.length) return '';
  const width = 80;
  let best = { cols: 1, widths: [Math.max(...names.map((n) => n.length))] };
  for (let cols = 2; cols <= names.length; cols++) {
    const rows = Math.ceil(names.length / cols);
    // Only layouts whose every column holds a name.
    if (Math.ceil(names.length / rows) !== cols) continue;
    const widths: number[] = [];
    for (let c = 0; c < cols; c++)
      widths.push(Math.max(...names.slice(c * rows, (c + 1) * rows).map((n) => n.length)));
    const total = widths.reduce((a, w) => a + w + 2, 0) - 2;
    if (total < width) best = { cols, widths };
  }
  const rows = Math.ceil(names.length / best.cols);
  let out = '';
  for (let r = 0; r < rows; r++) {
    const line: string[] = [];
    for (let c = 0; c < best.cols; c++) {
      const n = names[c * rows + r];
      if (n === undefined) break;
      const last = c === best.cols - 1 || names[(c + 1) * rows + r] === undefined;
      line.push(last ? n : n.padEnd(best.widths[c] + 2));
    }
    out += line.join('') + '\n';
  }
  return out;
}

export const ls: Command = async (ctx: CommandContext) => {
  const g = getopt(ctx.argv.slice(1), 'laAd1', 'ls');
  if (g.error) {
    ctx.err(`${g.error}\n${TRY_LS}`);
    return 2;
  }
  const f = new Set(g.opts.map(([c]) => c));
  // The last of -l and -1 wins, as ls's format option does.
  const lastFormat = [...g.opts].reverse().find(([c]) => c === 'l' || c === '1')?.[0];
  const long = lastFormat === 'l';
  const fs = ctx.host.fs;
  const now = ctx.lab.now();
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const show = (entries: Entry[]) => {
    if (long) ctx.out(longLines(fs, entries, now));
    else if (ctx.tty && lastFormat !== '1') ctx.out(columns(entries.map((e) => e.name)));
    else ctx.out(entries.map((e) => e.name + '\n').join(''));
  };
  let status = 0;
  const operands = g.operands.length ? g.operands : ['.'];
  const files: Entry[] = [];
  const dirs: Entry[] = [];
  for (const name of operands) {
    const path = absolute(name);
    const inode = kern_path(fs, name === '.' ? '/' : name);
    if (typeof inode === 'number') {
      ctx.err(`ls: cannot access '${name}': ${strerror(inode)}\n`);
      status = 2;
      continue;
    }
    if (S_ISDIR(inode.mode) && !f.has('d')) dirs.push({ name, path, inode });
    else files.push({ name, path, inode });
  }
  files.sort((a, b) => byName(a.name, b.name));
  dirs.sort((a, b) => byName(a.name, b.name));
  if (files.length) show(files);
  const headers = operands.length > 1;
  dirs.forEach((d, i) => {
    if (files.length || i > 0) ctx.out('\n');
    if (headers) ctx.out(`${d.name}:\n`);
    let names = readdir(fs, d.path);
    if (!f.has('a') && !f.has('A')) names = names.filter((n) => !n.startsWith('.'));
    names.sort(byName);
    const entries: Entry[] = names.map((n) => {
      const path = d.path === '/' ? `/${n}` : `${d.path}/${n}`;
      return { name: n, path, inode: lookup_inode(fs, path)! };
    });
    if (f.has('a')) {
      const parent = d.path.replace(/\/[^/]*$/, '') || '/';
      entries.unshift(
        { name: '.', path: d.path, inode: d.inode },
        { name: '..', path: parent, inode: lookup_inode(fs, parent)! },
      );
    }
    if (long) ctx.out(`total ${entries.reduce((t, e) => t + blocksK(e.inode), 0)}\n`);
    show(entries);
  });
  return status;
};

// ---- rmdir ---------------------------------------------------------------------------------------------

export const rmdir: Command = async (ctx: CommandContext) => {
  const g = getopt(ctx.argv.slice(1), 'v', 'rmdir');
  if (g.error) {
    ctx.err(`${g.error}\nTry 'rmdir --help' for more information.\n`);
    return 1;
  }
  if (!g.operands.length) {
    ctx.err("rmdir: missing operand\nTry 'rmdir --help' for more information.\n");
    return 1;
  }
  const task = ctx.task('rmdir');
  let status = 0;
  try {
    for (const d of g.operands) {
      const rc = task.rmdir(d);
      if (rc < 0) {
        ctx.err(`rmdir: failed to remove '${d}': ${rc === -39 ? 'Directory not empty' : strerror(rc)}\n`);
        status = 1;
      } else if (g.opts.length) ctx.out(`rmdir: removing directory, '${d}'\n`);
    }
  } finally {
    task.closeAll();
  }
  return status;
};
