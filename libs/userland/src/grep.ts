/**
 * grep(1) as GNU grep 3.8 prints it, over piped input (`skbtrace | grep kfree_skb`) or the files `cat` reads
 * (`grep -A1 ^Ip: /proc/net/snmp`): -v -c -i -E -F -G -w -x -n -h -H -o -q -s, -m NUM, -A/-B/-C NUM, -e
 * PATTERN; options anywhere among the operands, as getopt_long permutes them. Basic regular expressions are
 * basic (`a|b` is literal, `a\|b` alternates). Exit status: 0 a line matched, 1 none, 2 an error.
 */
import type { Command, CommandContext } from './command';
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
  const operands: string[] = [];
  const context = (v: string): number | string =>
    /^\d+$/.test(v) ? Number(v) : `grep: ${v}: invalid context length argument\n`;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.length < 2 || a[0] !== '-') {
      operands.push(a);
      continue;
    }
    if (a.startsWith('--')) return `grep: unrecognized option '${a}'\n${USAGE}`;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if ('ABCem'.includes(c)) {
        let v = a.slice(j + 1);
        if (!v) {
          if (i + 1 >= args.length) return `grep: option requires an argument -- '${c}'\n${USAGE}`;
          v = args[++i];
        }
        if (c === 'e') o.patterns.push(v);
        else if (c === 'm') {
          if (!/^-?\d+$/.test(v)) return 'grep: invalid max count\n';
          o.maxCount = Number(v) < 0 ? Infinity : Number(v);
        } else {
          const n = context(v);
          if (typeof n === 'string') return n;
          if (c !== 'B') o.after = n;
          if (c !== 'A') o.before = n;
        }
        break;
      }
      switch (c) {
        case 'v':
          o.invert = true;
          break;
        case 'c':
          o.count = true;
          break;
        case 'i':
          o.icase = true;
          break;
        case 'E':
        case 'F':
        case 'G':
          o.syntax = c;
          break;
        case 'w':
          o.word = true;
          break;
        case 'x':
          o.line = true;
          break;
        case 'n':
          o.number = true;
          break;
        case 'H':
          o.withName = true;
          break;
        case 'h':
          o.withName = false;
          break;
        case 'o':
          o.only = true;
          break;
        case 'q':
          o.quiet = true;
          break;
        case 's':
          o.noMessages = true;
          break;
        default:
          return `grep: invalid option -- '${c}'\n${USAGE}`;
      }
    }
  }
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
