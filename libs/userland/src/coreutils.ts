/**
 * head, tail and wc as GNU coreutils 9.1 (Debian 12) print them in the C locale, over piped input
 * (`ip -s link | head -3`) or the files `cat` reads (`wc -l /proc/net/snmp`): their options (the obsolete
 * -NUM forms too), the "==> FILE <==" headers, wc's column widths, and their messages and exit statuses.
 * Standard input is read once: a second `-` finds it at its end. Not modelled: following a file (tail -f)
 * and NUL-terminated lines (-z), which say so.
 */
import type { CommandContext, Command } from './command';
import { expandLongOptions, getopt, type LongOption } from './getopt';
import { openInputs } from './procfs';
import { HEAD_HELP, HEAD_VERSION, TAIL_HELP, TAIL_VERSION, WC_HELP, WC_VERSION } from './coreutils-text';

const UINTMAX = (1n << 64n) - 1n;

/** xstrtoumax's size suffixes (powers of 1024, or of 1000 with B or D after them; iB says 1024). */
const POWERS: Record<string, number> = { k: 1, K: 1, m: 2, M: 2, G: 3, T: 4, P: 5, E: 6, Z: 7, Y: 8 };

/**
 * A count as head and tail read it (xstrtoumax with "bkKmMGTPEZY0"): blanks, digits, a suffix. Returns the
 * count, 'invalid', or 'overflow' (past UINTMAX_MAX: "Value too large for defined data type").
 */
function count(v: string): bigint | 'invalid' | 'overflow' {
  const m = /^[ \t\n\v\f\r]*(\d+)(?:(b)|([kKmMGTPEZY])(B|D|iB)?)?$/.exec(v);
  if (!m) return 'invalid';
  let n = BigInt(m[1]);
  if (m[2]) n *= 512n;
  else if (m[3]) n *= BigInt(m[4] === 'B' || m[4] === 'D' ? 1000 : 1024) ** BigInt(POWERS[m[3]]);
  return n > UINTMAX ? 'overflow' : n;
}

/** The lines of a text, each with its newline (the last may have none). */
function linesOf(text: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++)
    if (text[i] === 0x0a) {
      out.push(text.subarray(start, i + 1));
      start = i + 1;
    }
  if (start < text.length) out.push(text.subarray(start));
  return out;
}

/** The inputs of one run (openInputs), as bytes. */
function inputs(ctx: CommandContext): (f: string) => Buffer | null {
  const read = openInputs(ctx);
  return (f) => {
    const text = read(f);
    return text === null ? null : Buffer.from(text);
  };
}

/** The long options a tool takes, as its short forms (a trailing '=': it takes an argument). */
type LongOptions = Record<string, string>;

/** Short forms for the long options that have none (they are not letters anyone can type). */
const HELP = '\x01';
const VERSION = '\x02';
const RETRY = '\x03';
const PID = '\x04';
const MAX_UNCHANGED = '\x05';
const FILES0_FROM = '\x06';
const TOTAL = '\x07';
const LONG_ONLY_NAMES: Record<string, string> = {
  [PID]: 'pid',
  [MAX_UNCHANGED]: 'max-unchanged-stats',
  [FILES0_FROM]: 'files0-from',
  [TOTAL]: 'total',
};

/** getopt_long for these tools: long options as their short forms, then getopt. A string is the error. */
function parse(
  prog: string,
  args: string[],
  shorts: string,
  longs: LongOptions,
): { opts: Array<[string, string | null, number]>; operands: string[] } | string {
  const tryHelp = `Try '${prog} --help' for more information.\n`;
  const table = Object.entries(longs).map(
    ([n, k]): LongOption => [n, k.replace('=', ''), k.endsWith('=') ? 1 : 0],
  );
  const expanded = expandLongOptions(prog, args, table, shorts);
  if (typeof expanded === 'string') return `${expanded}\n${tryHelp}`;
  const g = getopt(expanded, shorts, prog);
  if (g.error) return `${g.error}\n${tryHelp}`;
  return { opts: g.opts, operands: g.operands };
}

/** The obsolete count as the first word: -NUM or (tail) +NUM, with c, b or l for its unit. */
const OBSOLETE = /^([+-])(\d+)([cbl]?)$/;

/** What head and tail share: options, inputs, headers. `pick` cuts one input. */
async function headOrTail(
  ctx: CommandContext,
  prog: 'head' | 'tail',
  pick: (text: Buffer, unit: 'lines' | 'bytes', n: bigint, sign: string) => Buffer,
): Promise<number> {
  let args = ctx.argv.slice(1);
  let unit: 'lines' | 'bytes' = 'lines';
  let n = 10n;
  let sign = prog === 'tail' ? '-' : '';
  // head -3, head -3c; tail -3, tail +3, tail -3c (only with at most one file after it).
  const old = OBSOLETE.exec(args[0] ?? '');
  if (old && (prog === 'tail' || old[1] === '-')) {
    if (prog === 'tail' && args.length > 2) {
      if (old[1] === '-') {
        ctx.err(`tail: option used in invalid context -- ${old[2][0]}\n`);
        return 1;
      }
    } else {
      unit = old[3] === 'c' || old[3] === 'b' ? 'bytes' : 'lines';
      n = BigInt(old[2]) * (old[3] === 'b' ? 512n : 1n);
      sign = prog === 'tail' ? old[1] : '';
      args = args.slice(1);
    }
  }
  const longs: LongOptions = {
    lines: 'n=',
    bytes: 'c=',
    quiet: 'q',
    silent: 'q',
    verbose: 'v',
    'zero-terminated': 'z',
    help: HELP,
    version: VERSION,
  };
  if (prog === 'tail')
    Object.assign(longs, {
      follow: 'f',
      retry: RETRY,
      pid: `${PID}=`,
      'sleep-interval': 's=',
      'max-unchanged-stats': `${MAX_UNCHANGED}=`,
    });
  const shorts =
    prog === 'head'
      ? `n:c:qvz0123456789${HELP}${VERSION}`
      : `n:c:qvzfFs:${HELP}${VERSION}${RETRY}${PID}:${MAX_UNCHANGED}:`;
  const p = parse(prog, args, shorts, longs);
  if (typeof p === 'string') {
    ctx.err(p);
    return 1;
  }
  let headers: boolean | null = null;
  for (const [c, v] of p.opts) {
    if (c >= '0' && c <= '9') {
      ctx.err(`${prog}: invalid trailing option -- ${c}\nTry '${prog} --help' for more information.\n`);
      return 1;
    }
    if (c === 'n' || c === 'c') {
      const what = c === 'n' ? 'lines' : 'bytes';
      const m = /^[ \t]*([+-]?)(.*)$/s.exec(v!)!;
      const num = count(m[2]);
      if (num === 'invalid' || num === 'overflow') {
        ctx.err(
          `${prog}: invalid number of ${what}: '${m[2]}'${num === 'overflow' ? ': Value too large for defined data type' : ''}\n`,
        );
        return 1;
      }
      [unit, n, sign] = [what, num, prog === 'tail' ? m[1] || '-' : m[1]];
    } else if (c === 'q') headers = false;
    else if (c === 'v') headers = true;
    else if (c === HELP) {
      ctx.out(prog === 'head' ? HEAD_HELP : TAIL_HELP);
      return 0;
    } else if (c === VERSION) {
      ctx.out(prog === 'head' ? HEAD_VERSION : TAIL_VERSION);
      return 0;
    } else if (c === RETRY)
      ctx.err('tail: warning: --retry ignored; --retry is useful only when following\n');
    else {
      ctx.err(
        `${prog}: ${LONG_ONLY_NAMES[c] ? `--${LONG_ONLY_NAMES[c]}` : `-${c}`}: not modelled in this lab\n`,
      );
      return 1;
    }
  }
  const files = p.operands.length ? p.operands : ['-'];
  const named = headers ?? files.length > 1;
  const read = inputs(ctx);
  let status = 0;
  let first = true;
  for (const f of files) {
    const text = read(f);
    if (text === null) {
      ctx.err(`${prog}: cannot open '${f}' for reading: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (named) ctx.out(`${first ? '' : '\n'}==> ${f === '-' ? 'standard input' : f} <==\n`);
    first = false;
    ctx.out(pick(text, unit, n, sign).toString());
  }
  return status;
}

/** A bigint count as an index into something of `len` (counts past it are all of it). */
const upTo = (n: bigint, len: number) => (n > BigInt(len) ? len : Number(n));

export const head: Command = (ctx) =>
  headOrTail(ctx, 'head', (text, unit, n, sign) => {
    if (unit === 'bytes')
      return sign === '-'
        ? text.subarray(0, text.length - upTo(n, text.length))
        : text.subarray(0, upTo(n, text.length));
    const lines = linesOf(text);
    const kept =
      sign === '-'
        ? lines.slice(0, lines.length - upTo(n, lines.length))
        : lines.slice(0, upTo(n, lines.length));
    return Buffer.concat(kept);
  });

export const tail: Command = (ctx) =>
  headOrTail(ctx, 'tail', (text, unit, n, sign) => {
    // +N: from the Nth on (+0 as +1); -N: the last N.
    if (unit === 'bytes')
      return sign === '+'
        ? text.subarray(Math.max(0, upTo(n, text.length + 1) - 1))
        : text.subarray(text.length - upTo(n, text.length));
    const lines = linesOf(text);
    const kept =
      sign === '+'
        ? lines.slice(Math.max(0, upTo(n, lines.length + 1) - 1))
        : lines.slice(lines.length - upTo(n, lines.length));
    return Buffer.concat(kept);
  });

type Counts = Record<'l' | 'w' | 'm' | 'c' | 'L', number>;

/**
 * wc's counts of one input in the C locale: characters are bytes; a word is a run of printable bytes
 * between blanks (an unprintable byte neither starts nor ends one); a line's width counts printable bytes
 * and tab stops, and a carriage return or form feed starts it again.
 */
export function counts(text: Buffer): Counts {
  let lines = 0;
  let words = 0;
  let inWord = false;
  let col = 0;
  let longest = 0;
  for (const b of text) {
    if (b === 0x0a) {
      lines++;
      longest = Math.max(longest, col);
      col = 0;
    } else if (b === 0x0d || b === 0x0c) {
      longest = Math.max(longest, col);
      col = 0;
    } else if (b === 0x09) col += 8 - (col % 8);
    else if (b >= 0x20 && b < 0x7f) col++;
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) inWord = false;
    else if (b >= 0x21 && b < 0x7f && !inWord) {
      words++;
      inWord = true;
    }
  }
  return { l: lines, w: words, m: text.length, c: text.length, L: Math.max(longest, col) };
}

/**
 * wc: lines, words, characters, bytes and the longest line, for each input as it is read and in total. Its
 * columns are as wide as the largest count could be: the files' sizes say (a /proc file's size is 0, so 1),
 * and an input that is not a regular file (a pipe) makes them 7; one count of one input is printed as it is.
 */
export const wc: Command = async (ctx) => {
  const longs: LongOptions = {
    bytes: 'c',
    chars: 'm',
    lines: 'l',
    words: 'w',
    'max-line-length': 'L',
    'files0-from': `${FILES0_FROM}=`,
    total: `${TOTAL}=`,
    help: HELP,
    version: VERSION,
  };
  const p = parse('wc', ctx.argv.slice(1), `cmlwL${HELP}${VERSION}${FILES0_FROM}:${TOTAL}:`, longs);
  if (typeof p === 'string') {
    ctx.err(p);
    return 1;
  }
  const chosen = new Set(p.opts.map(([c]) => c));
  const info = p.opts.find(([c]) => c === HELP || c === VERSION);
  if (info) {
    ctx.out(info[0] === HELP ? WC_HELP : WC_VERSION);
    return 0;
  }
  for (const c of [FILES0_FROM, TOTAL])
    if (chosen.has(c)) {
      ctx.err(`wc: --${LONG_ONLY_NAMES[c]}: not modelled in this lab\n`);
      return 1;
    }
  const columns = (['l', 'w', 'm', 'c', 'L'] as const).filter((c) => chosen.has(c));
  if (!columns.length) columns.push('l', 'w', 'c');
  const files = p.operands.length ? p.operands : ['-'];
  const width = columns.length === 1 && files.length === 1 ? 1 : files.includes('-') ? 7 : 1;
  const line = (name: string | null, c: Counts) =>
    columns.map((k) => String(c[k]).padStart(width)).join(' ') + (name === null ? '' : ` ${name}`) + '\n';
  const read = inputs(ctx);
  const total: Counts = { l: 0, w: 0, m: 0, c: 0, L: 0 };
  let status = 0;
  for (const f of files) {
    const text = read(f);
    if (text === null) {
      ctx.err(`wc: ${f}: No such file or directory\n`);
      status = 1;
      continue;
    }
    const c = counts(text);
    ctx.out(line(p.operands.length ? f : null, c));
    for (const k of columns) total[k] = k === 'L' ? Math.max(total[k], c[k]) : total[k] + c[k];
  }
  if (files.length > 1) ctx.out(line('total', total));
  return status;
};
