/**
 * grep(1) as GNU grep 3.8 prints it, over piped input (`skbtrace | grep kfree_skb`) or the files `cat` reads
 * (`grep -A1 ^Ip: /proc/net/snmp`): -v -c -i -E -F -G -w -x -n -h -H -o -q -s, -m NUM, -A/-B/-C NUM, -e
 * PATTERN; options anywhere among the operands, as getopt_long permutes them. Basic regular expressions are
 * basic (`a|b` is literal, `a\|b` alternates). Exit status: 0 a line matched, 1 none, 2 an error.
 */
import type { Command, CommandContext } from './command';
import { getopt } from './getopt';
import { readProcFile } from './procfs';

const USAGE = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n";

interface Opts {
  invert: boolean;
  count: boolean;
  icase: boolean;
  syntax: 'G' | 'E' | 'F';
  word: boolean;
  line: boolean;
  number: boolean;
  /** -H / -h: force or suppress the file name (null: only with several files). */
  withName: boolean | null;
  only: boolean;
  quiet: boolean;
  noMessages: boolean;
  maxCount: number;
  after: number;
  before: number;
  patterns: string[];
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  digit: '0-9',
  lower: 'a-z',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\s',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

/**
 * A POSIX regular expression (GNU flavour) as a JavaScript one. In a basic one (BRE) `( ) { } | + ?` are
 * literal and their escaped forms are operators; in an extended one (ERE) the other way round. Both have
 * `\<` `\>` (word edges) and bracket expressions with `[:digit:]`-style classes, where `\` is literal.
 */
function posixToJs(p: string, basic: boolean): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '[') {
      // A bracket expression: a ']' right after '[' or '[^' is a member, '\' is literal.
      let j = i + 1;
      let body = '';
      if (p[j] === '^') body += p[j++];
      if (p[j] === ']') {
        body += '\\]';
        j++;
      }
      for (; j < p.length && p[j] !== ']'; j++) {
        const cls = /^\[:([a-z]+):\]/.exec(p.slice(j));
        if (cls && POSIX_CLASSES[cls[1]]) {
          body += POSIX_CLASSES[cls[1]];
          j += cls[0].length - 1;
        } else body += p[j] === '\\' || p[j] === '[' ? `\\${p[j]}` : p[j];
      }
      if (j >= p.length) return p; // unmatched: let RegExp say so
      out += `[${body}]`;
      i = j;
    } else if (c === '\\' && i + 1 < p.length) {
      const n = p[++i];
      if (n === '<') out += '\\b(?=\\w)';
      else if (n === '>') out += '\\b(?<=\\w)';
      else if (basic && '(){}|+?'.includes(n)) out += n;
      else out += `\\${n}`;
    } else if (basic && '(){}|+?'.includes(c)) out += `\\${c}`;
    else if (c === '*' && (out === '' || out === '^'))
      out += '\\*'; // a leading * is literal
    else out += c;
  }
  return out;
}

function compile(o: Opts): RegExp | string {
  const alternatives = o.patterns.flatMap((p) => p.split('\n'));
  const src = alternatives
    .map((p) =>
      o.syntax === 'F' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : posixToJs(p, o.syntax === 'G'),
    )
    .map((p) => (o.line ? `^(?:${p})$` : o.word ? `(?<![\\w])(?:${p})(?![\\w])` : `(?:${p})`))
    .join('|');
  try {
    return new RegExp(src, o.icase ? 'gi' : 'g');
  } catch {
    const opens = (s: string) => (s.match(o.syntax === 'G' ? /\\\(/g : /(?<!\\)\(/g) ?? []).length;
    const closes = (s: string) => (s.match(o.syntax === 'G' ? /\\\)/g : /(?<!\\)\)/g) ?? []).length;
    const all = alternatives.join('');
    if (opens(all) > closes(all)) return 'Unmatched ( or \\(';
    if (opens(all) < closes(all)) return 'Unmatched ) or \\)';
    if (/\[/.test(all)) return 'Unmatched [, [^, [:, [., or [=';
    return 'Invalid regular expression';
  }
}

/** GNU grep's long options (those of the short ones modelled here), as their short forms. */
const LONG: Record<string, string> = {
  'after-context': 'A',
  'before-context': 'B',
  context: 'C',
  regexp: 'e',
  'max-count': 'm',
  count: 'c',
  'extended-regexp': 'E',
  'fixed-strings': 'F',
  'basic-regexp': 'G',
  'no-filename': 'h',
  'with-filename': 'H',
  'ignore-case': 'i',
  'line-number': 'n',
  'only-matching': 'o',
  quiet: 'q',
  silent: 'q',
  'no-messages': 's',
  'invert-match': 'v',
  'word-regexp': 'w',
  'line-regexp': 'x',
};

/** getopt_long's part: `--name[=value]` (or an unambiguous prefix of a name) before any `--`, as `-X`. */
function expandLong(args: string[]): string[] | string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return [...out, ...args.slice(i)];
    if (!a.startsWith('--')) {
      out.push(a);
      continue;
    }
    const [name, value] = a.includes('=')
      ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a.slice(2)];
    const names = name in LONG ? [name] : Object.keys(LONG).filter((n) => n.startsWith(name));
    const shorts = new Set(names.map((n) => LONG[n]));
    if (shorts.size !== 1) return `grep: unrecognized option '${a}'\n${USAGE}`;
    const c = [...shorts][0];
    const takes = 'ABCem'.includes(c);
    if (!takes && value !== undefined)
      return `grep: option '--${names[0]}' doesn't allow an argument\n${USAGE}`;
    if (takes && value === undefined && i + 1 >= args.length)
      return `grep: option '--${names[0]}' requires an argument\n${USAGE}`;
    out.push(`-${c}`, ...(takes ? [value ?? args[++i]] : []));
  }
  return out;
}

/** Parse argv as GNU grep does (permuting options and operands); a string is an error to print. */
function parseArgs(args: string[]): { o: Opts; operands: string[] } | string {
  const o: Opts = {
    invert: false,
    count: false,
    icase: false,
    syntax: 'G',
    word: false,
    line: false,
    number: false,
    withName: null,
    only: false,
    quiet: false,
    noMessages: false,
    maxCount: Infinity,
    after: 0,
    before: 0,
    patterns: [],
  };
  const context = (v: string): number | string =>
    /^\d+$/.test(v) ? Number(v) : `grep: ${v}: invalid context length argument\n`;
  const expanded = expandLong(args);
  if (typeof expanded === 'string') return expanded;
  const g = getopt(expanded, 'A:B:C:e:m:cEFGhHinoqsvwx', 'grep');
  const FLAGS: Record<string, (o: Opts) => void> = {
    v: (x) => (x.invert = true),
    c: (x) => (x.count = true),
    i: (x) => (x.icase = true),
    E: (x) => (x.syntax = 'E'),
    F: (x) => (x.syntax = 'F'),
    G: (x) => (x.syntax = 'G'),
    w: (x) => (x.word = true),
    x: (x) => (x.line = true),
    n: (x) => (x.number = true),
    H: (x) => (x.withName = true),
    h: (x) => (x.withName = false),
    o: (x) => (x.only = true),
    q: (x) => (x.quiet = true),
    s: (x) => (x.noMessages = true),
  };
  // In getopt's order, so the first bad option or value is the one reported, as grep's own loop does.
  for (const [c, v] of g.opts) {
    if (c === 'e') o.patterns.push(v!);
    else if (c === 'm') {
      if (!/^-?\d+$/.test(v!)) return 'grep: invalid max count\n';
      o.maxCount = Number(v) < 0 ? Infinity : Number(v);
    } else if ('ABC'.includes(c)) {
      const n = context(v!);
      if (typeof n === 'string') return n;
      if (c !== 'B') o.after = n;
      if (c !== 'A') o.before = n;
    } else FLAGS[c](o);
  }
  if (g.error) return `${g.error}\n${USAGE}`;
  const operands = g.operands;
  if (!o.patterns.length) {
    if (!operands.length) return USAGE;
    o.patterns.push(operands.shift()!);
  }
  return { o, operands };
}

/**
 * One input's lines through the pattern; returns how many lines matched. `out.printed`: whether an earlier
 * input printed lines (context groups of two inputs are separated by `--` too).
 */
function grepText(
  ctx: CommandContext,
  o: Opts,
  re: RegExp,
  text: string,
  name: string | null,
  out: { printed: boolean },
): number {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const matches = (l: string) => {
    re.lastIndex = 0;
    return re.test(l) !== o.invert;
  };
  const prefix = (i: number, sep: string) =>
    (name !== null ? name + sep : '') + (o.number ? `${i + 1}${sep}` : '');
  let hits = 0;
  if (o.count || o.quiet) {
    for (const l of lines) if (hits < o.maxCount && matches(l)) hits++;
    if (o.count && !o.quiet) ctx.out(`${name !== null ? name + ':' : ''}${hits}\n`);
    return hits;
  }
  const context = !o.only && (o.after > 0 || o.before > 0);
  let lastPrinted = -1;
  let afterLeft = 0;
  const print = (i: number, sep: string) => {
    if (context && (lastPrinted >= 0 ? i > lastPrinted + 1 : out.printed)) ctx.out('--\n');
    ctx.out(prefix(i, sep) + lines[i] + '\n');
    lastPrinted = i;
    out.printed = true;
  };
  for (let i = 0; i < lines.length; i++) {
    if (hits < o.maxCount && matches(lines[i])) {
      hits++;
      if (o.only) {
        if (o.invert) continue; // -v -o prints nothing
        re.lastIndex = 0;
        for (const m of lines[i].matchAll(re)) if (m[0]) ctx.out(prefix(i, ':') + m[0] + '\n');
        continue;
      }
      for (let b = Math.max(lastPrinted + 1, i - o.before); b < i; b++) print(b, '-');
      print(i, ':');
      afterLeft = o.after;
    } else if (afterLeft > 0) {
      afterLeft--;
      print(i, '-');
    } else if (hits >= o.maxCount) break;
  }
  return hits;
}

export const grep: Command = async (ctx) => {
  const parsed = parseArgs(ctx.argv.slice(1));
  if (typeof parsed === 'string') {
    ctx.err(parsed);
    return 2;
  }
  const { o, operands } = parsed;
  const re = compile(o);
  if (typeof re === 'string') {
    ctx.err(`grep: ${re}\n`);
    return 2;
  }
  const files = operands.length ? operands : ['-'];
  const named = o.withName ?? files.length > 1;
  let matched = false;
  let error = false;
  const out = { printed: false };
  for (const f of files) {
    const text = f === '-' ? (ctx.stdin ?? '') : readProcFile(ctx.host, ctx.net, f);
    if (text === null) {
      if (!o.noMessages) ctx.err(`grep: ${f}: No such file or directory\n`);
      error = true;
      continue;
    }
    const name = named ? (f === '-' ? '(standard input)' : f) : null;
    if (grepText(ctx, o, re, text, name, out) > 0) {
      matched = true;
      if (o.quiet) return 0;
    }
  }
  return error ? 2 : matched ? 0 : 1;
};
