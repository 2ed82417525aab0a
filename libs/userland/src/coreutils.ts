/**
 * head, tail and wc as GNU coreutils 9.1 (Debian 12) print them in the C locale, over piped input
 * (`ip -s link | head -3`) or the files `cat` reads (`wc -l /proc/net/snmp`): their options, the
 * "==> FILE <==" headers, wc's column widths, and their messages and exit statuses. Not modelled: following
 * a file (tail -f) and NUL-terminated lines (-z), which say so.
 */
import type { CommandContext, Command } from './command';
import { getopt } from './getopt';
import { readProcFile } from './procfs';

/** The multipliers xstrtoumax takes after a number ("1K", "2MB", "512b"). */
const SUFFIXES: Record<string, number> = {
  '': 1,
  b: 512,
  kB: 1000,
  K: 1024,
  KiB: 1024,
  MB: 1000 ** 2,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1000 ** 3,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
};

/** A count as head and tail read it: digits and a suffix; null when it is not one. */
function count(v: string): number | null {
  const m = /^(\d+)([A-Za-z]*)$/.exec(v);
  if (!m || SUFFIXES[m[2]] === undefined) return null;
  return Number(m[1]) * SUFFIXES[m[2]];
}

/** One input: a file `cat` can read, or `-` (standard input); null when it cannot be opened. */
function input(ctx: CommandContext, f: string): string | null {
  return f === '-' ? (ctx.stdin ?? '') : readProcFile(ctx.host, ctx.net, f);
}

/** The lines of a text, each with its newline (the last may have none). */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The long options a tool takes, as its short forms (a trailing '=' : it takes an argument). */
type LongOptions = Record<string, string>;

/**
 * getopt_long for these tools: long options (or an unambiguous prefix) as their short forms, then getopt.
 * A string is the error to print.
 */
function parse(
  prog: string,
  args: string[],
  shorts: string,
  longs: LongOptions,
): { opts: Array<[string, string | null]>; operands: string[] } | string {
  const tryHelp = `Try '${prog} --help' for more information.\n`;
  const expanded: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      expanded.push(...args.slice(i));
      break;
    }
    if (!a.startsWith('--')) {
      expanded.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const matches = Object.keys(longs).filter((n) => n.startsWith(name));
    const exact = matches.includes(name) ? name : null;
    const found = exact ?? (new Set(matches.map((n) => longs[n])).size === 1 ? matches[0] : null);
    if (!found) {
      if (matches.length > 1)
        return `${prog}: option '${a}' is ambiguous; possibilities:${matches.map((n) => ` '--${n}'`).join('')}\n${tryHelp}`;
      return `${prog}: unrecognized option '${a}'\n${tryHelp}`;
    }
    const short = longs[found].replace('=', '');
    const takes = longs[found].endsWith('=');
    if (!takes && eq >= 0) return `${prog}: option '--${found}' doesn't allow an argument\n${tryHelp}`;
    if (takes && eq < 0 && i + 1 >= args.length)
      return `${prog}: option '--${found}' requires an argument\n${tryHelp}`;
    expanded.push(`-${short}`, ...(takes ? [eq >= 0 ? a.slice(eq + 1) : args[++i]] : []));
  }
  const g = getopt(expanded, shorts, prog);
  if (g.error) return `${g.error}\n${tryHelp}`;
  return { opts: g.opts.map(([c, v]) => [c, v]), operands: g.operands };
}

/** head and tail: the obsolete -NUM form is -n NUM when it comes first. */
function obsolete(args: string[]): string[] {
  return /^-\d+$/.test(args[0] ?? '') ? ['-n', args[0].slice(1), ...args.slice(1)] : args;
}

/** What head and tail share: options, inputs, headers. `pick` cuts one input's text. */
async function headOrTail(
  ctx: CommandContext,
  prog: 'head' | 'tail',
  pick: (text: string, unit: 'lines' | 'bytes', n: number, sign: string) => string,
): Promise<number> {
  const longs: LongOptions = { lines: 'n=', bytes: 'c=', quiet: 'q', silent: 'q', verbose: 'v' };
  if (prog === 'tail') Object.assign(longs, { follow: 'f', retry: 'F' });
  const p = parse(prog, obsolete(ctx.argv.slice(1)), prog === 'head' ? 'n:c:qvz' : 'n:c:qvzfF', longs);
  if (typeof p === 'string') {
    ctx.err(p);
    return 1;
  }
  let unit: 'lines' | 'bytes' = 'lines';
  let n = 10;
  let sign = '';
  let headers: boolean | null = null;
  for (const [c, v] of p.opts) {
    if (c === 'n' || c === 'c') {
      unit = c === 'n' ? 'lines' : 'bytes';
      const m = /^([+-]?)(.*)$/.exec(v!)!;
      const num = count(m[2]);
      if (num === null) {
        ctx.err(`${prog}: invalid number of ${unit}: '${v}'\n`);
        return 1;
      }
      [n, sign] = [num, m[1]];
    } else if (c === 'q') headers = false;
    else if (c === 'v') headers = true;
    else {
      ctx.err(`${prog}: -${c}: not modelled in this lab\n`);
      return 1;
    }
  }
  const files = p.operands.length ? p.operands : ['-'];
  const named = headers ?? files.length > 1;
  let status = 0;
  let first = true;
  for (const f of files) {
    const text = input(ctx, f);
    if (text === null) {
      ctx.err(`${prog}: cannot open '${f}' for reading: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (named) ctx.out(`${first ? '' : '\n'}==> ${f === '-' ? 'standard input' : f} <==\n`);
    first = false;
    ctx.out(pick(text, unit, n, sign));
  }
  return status;
}

export const head: Command = (ctx) =>
  headOrTail(ctx, 'head', (text, unit, n, sign) => {
    if (unit === 'bytes')
      return sign === '-' ? text.slice(0, Math.max(0, text.length - n)) : text.slice(0, n);
    const lines = linesOf(text);
    return (sign === '-' ? lines.slice(0, Math.max(0, lines.length - n)) : lines.slice(0, n)).join('');
  });

export const tail: Command = (ctx) =>
  headOrTail(ctx, 'tail', (text, unit, n, sign) => {
    // +N: from the Nth on (+0 as +1); otherwise the last N.
    if (unit === 'bytes')
      return sign === '+'
        ? text.slice(Math.max(0, n - 1))
        : text.slice(text.length - Math.min(n, text.length));
    const lines = linesOf(text);
    return (
      sign === '+' ? lines.slice(Math.max(0, n - 1)) : lines.slice(lines.length - Math.min(n, lines.length))
    ).join('');
  });

/** wc's counts of one input, in its column order. */
function counts(text: string): Record<'l' | 'w' | 'm' | 'c' | 'L', number> {
  let longest = 0;
  for (const line of text.split('\n')) {
    let col = 0;
    for (const ch of line) col = ch === '\t' ? col + 8 - (col % 8) : ch >= ' ' && ch <= '~' ? col + 1 : col;
    longest = Math.max(longest, col);
  }
  return {
    l: (text.match(/\n/g) ?? []).length,
    w: (text.match(/[^ \t\n\v\f\r]+/g) ?? []).length,
    m: [...text].length,
    c: Buffer.byteLength(text),
    L: longest,
  };
}

/**
 * wc: lines, words, characters, bytes and the longest line, for each input and in total. Its columns are
 * as wide as the largest count could be: the files' sizes say (a /proc file's size is 0, so 1), and an
 * input that is not a regular file (a pipe) makes it 7; one count of one input is printed as it is.
 */
export const wc: Command = async (ctx) => {
  const longs: LongOptions = { bytes: 'c', chars: 'm', lines: 'l', words: 'w', 'max-line-length': 'L' };
  const p = parse('wc', ctx.argv.slice(1), 'cmlwL', longs);
  if (typeof p === 'string') {
    ctx.err(p);
    return 1;
  }
  const chosen = new Set(p.opts.map(([c]) => c));
  const columns = (['l', 'w', 'm', 'c', 'L'] as const).filter((c) => chosen.has(c));
  if (!columns.length) columns.push('l', 'w', 'c');
  const files = p.operands.length ? p.operands : ['-'];
  const rows: Array<[string | null, ReturnType<typeof counts>]> = [];
  let status = 0;
  let pipe = false;
  for (const f of files) {
    const text = input(ctx, f);
    if (text === null) {
      ctx.err(`wc: ${f}: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (f === '-') pipe = true;
    rows.push([p.operands.length ? f : null, counts(text)]);
  }
  const width = columns.length === 1 && files.length === 1 ? 1 : pipe ? 7 : 1;
  const line = (name: string | null, c: ReturnType<typeof counts>) =>
    columns.map((k) => String(c[k]).padStart(width)).join(' ') + (name === null ? '' : ` ${name}`) + '\n';
  for (const [name, c] of rows) ctx.out(line(name, c));
  if (files.length > 1) {
    const total = { l: 0, w: 0, m: 0, c: 0, L: 0 };
    for (const [, c] of rows)
      for (const k of columns) total[k] = k === 'L' ? Math.max(total[k], c[k]) : total[k] + c[k];
    ctx.out(line('total', total));
  }
  return status;
};
