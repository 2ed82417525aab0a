/**
 * grep(1) as GNU grep 3.8 prints it, over piped input (`skbtrace | grep kfree_skb`) or the files `cat` reads
 * (`grep -A1 ^Ip: /proc/net/snmp`): -v -c -i -E -F -G -w -x -n -h -H -o -q -s -l -L, -m NUM, -A/-B/-C NUM,
 * -e PATTERN and their long forms; options anywhere among the operands, as getopt_long permutes them; grep's
 * other options are refused as not modelled. Basic regular expressions are basic (`a|b` is literal, `a\|b`
 * alternates). Exit status: 0 a line matched, 1 none, 2 an error.
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
  /** -l / -L: name the files with a match, or those without one, instead of printing lines. */
  listFiles: 'with' | 'without' | null;
  noMessages: boolean;
  maxCount: number;
  /** -A / -B NUM; -1 when not given (given, even 0, it separates groups with `--`). */
  after: number;
  before: number;
  patterns: string[];
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\s',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

/** A pattern GNU grep refuses: its message (grep: MESSAGE, exit 2). */
class PatternError extends Error {}

/** RE_DUP_MAX: the largest count an interval may give. */
const RE_DUP_MAX = 32767;

/**
 * An interval's body ("2", "1,3", ",3", "2,"), checked as regcomp and dfa.c check it: null when it is not
 * one at all (an ERE then reads the '{' as itself).
 */
function interval(body: string): string | null {
  const m = /^(\d*)(,(\d*))?$/.exec(body);
  if (!m || (m[1] === '' && m[2] === undefined)) return null;
  const min = m[1] === '' ? 0 : Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  if (min > max) throw new PatternError('Invalid content of \\{\\}');
  if (min > RE_DUP_MAX || (max !== Infinity && max > RE_DUP_MAX))
    throw new PatternError('Regular expression too big');
  return `{${min}${m[2] === undefined ? '' : `,${max === Infinity ? '' : max}`}}`;
}

/**
 * A POSIX regular expression (GNU flavour) as a JavaScript one. In a basic one (BRE) `( ) { } | + ?` are
 * literal and their escaped forms are operators; in an extended one (ERE) the other way round. Both have
 * GNU's `\w \W \s \S \b \B \< \> \` \'`; any other escaped character is that character (`\d` is "d").
 * Bracket expressions take `[:digit:]`-style classes, and `\` is literal in them. Throws PatternError.
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
      const first = j;
      if (p[j] === ']') {
        body += '\\]';
        j++;
      }
      for (; j < p.length && p[j] !== ']'; j++) {
        const cls = /^\[:([a-z]*):\]/.exec(p.slice(j));
        if (cls) {
          if (!POSIX_CLASSES[cls[1]]) throw new PatternError('Invalid character class name');
          body += POSIX_CLASSES[cls[1]];
          j += cls[0].length - 1;
        } else body += p[j] === '\\' || p[j] === '[' ? `\\${p[j]}` : p[j];
      }
      if (j >= p.length) throw new PatternError('Unmatched [, [^, [:, [., or [=');
      // "[:alpha:]" meant "[[:alpha:]]": dfa.c refuses it rather than match one of its letters.
      const inner = p.slice(first, j);
      if (inner.length > 2 && inner.startsWith(':') && inner.endsWith(':'))
        throw new PatternError('character class syntax is [[:space:]], not [:space:]');
      out += `[${body}]`;
      i = j;
    } else if (c === '\\' && i + 1 < p.length) {
      const n = p[++i];
      if (n === '<') out += '\\b(?=\\w)';
      else if (n === '>') out += '\\b(?<=\\w)';
      else if (n === '`') out += '^';
      else if (n === "'") out += '$';
      else if (basic && n === '{') {
        const end = p.indexOf('\\}', i + 1);
        if (end < 0) throw new PatternError('Unmatched \\{');
        const range = interval(p.slice(i + 1, end));
        if (range === null) throw new PatternError('Invalid content of \\{\\}');
        out += range;
        i = end + 1;
      } else if (basic && '()|+?'.includes(n)) out += n;
      else if ('wWsSbB123456789'.includes(n)) out += `\\${n}`;
      else out += /[A-Za-z0-9]/.test(n) ? n : `\\${n}`;
    } else if (!basic && c === '{') {
      const end = p.indexOf('}', i + 1);
      const range = end < 0 ? null : interval(p.slice(i + 1, end));
      if (range === null) out += '\\{';
      else {
        out += range;
        i = end;
      }
    } else if (basic && '(){}|+?'.includes(c)) out += `\\${c}`;
    else if (c === '*' && (out === '' || out === '^'))
      out += '\\*'; // a leading * is literal
    else out += c === '}' ? '\\}' : c;
  }
  return out;
}

function compile(o: Opts): RegExp | string {
  const alternatives = o.patterns.flatMap((p) => p.split('\n'));
  let src: string;
  try {
    src = alternatives
      .map((p) =>
        o.syntax === 'F' ? p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : posixToJs(p, o.syntax === 'G'),
      )
      .map((p) => (o.line ? `^(?:${p})$` : o.word ? `(?<![\\w])(?:${p})(?![\\w])` : `(?:${p})`))
      .join('|');
  } catch (e) {
    if (e instanceof PatternError) return e.message;
    throw e;
  }
  try {
    return new RegExp(src, o.icase ? 'gi' : 'g');
  } catch {
    const opens = (s: string) => (s.match(o.syntax === 'G' ? /\\\(/g : /(?<!\\)\(/g) ?? []).length;
    const closes = (s: string) => (s.match(o.syntax === 'G' ? /\\\)/g : /(?<!\\)\)/g) ?? []).length;
    const all = alternatives.join('');
    if (opens(all) > closes(all)) return 'Unmatched ( or \\(';
    if (opens(all) < closes(all)) return 'Unmatched ) or \\)';
    return 'Invalid regular expression';
  }
}

/**
 * GNU grep 3.8's long options in the order of its table (getopt_long lists an ambiguous prefix's
 * possibilities in that order): name, what it stands for (a short option, or the long name itself where
 * there is none), and whether it takes an argument (0 no, 1 yes, 2 optional).
 */
// prettier-ignore
const LONG: Array<[string, string, 0 | 1 | 2]> = [
  ['basic-regexp', 'G', 0], ['extended-regexp', 'E', 0], ['fixed-regexp', 'F', 0], ['fixed-strings', 'F', 0],
  ['perl-regexp', 'P', 0], ['after-context', 'A', 1], ['before-context', 'B', 1],
  ['binary-files', 'binary-files', 1], ['byte-offset', 'b', 0], ['context', 'C', 1], ['color', 'color', 2],
  ['colour', 'color', 2], ['count', 'c', 0], ['devices', 'D', 1], ['directories', 'd', 1],
  ['dereference-recursive', 'R', 0], ['exclude', 'exclude', 1], ['exclude-from', 'exclude-from', 1],
  ['exclude-dir', 'exclude-dir', 1], ['file', 'f', 1], ['files-with-matches', 'l', 0],
  ['files-without-match', 'L', 0], ['group-separator', 'group-separator', 1], ['help', 'help', 0],
  ['include', 'include', 1], ['ignore-case', 'i', 0], ['no-ignore-case', 'no-ignore-case', 0],
  ['initial-tab', 'T', 0], ['label', 'label', 1], ['line-buffered', 'line-buffered', 0],
  ['line-number', 'n', 0], ['line-regexp', 'x', 0], ['max-count', 'm', 1], ['no-filename', 'h', 0],
  ['no-group-separator', 'group-separator', 0], ['no-messages', 's', 0], ['null', 'Z', 0],
  ['null-data', 'z', 0], ['only-matching', 'o', 0], ['quiet', 'q', 0], ['recursive', 'r', 0],
  ['regexp', 'e', 1], ['invert-match', 'v', 0], ['silent', 'q', 0], ['text', 'a', 0], ['binary', 'U', 0],
  ['unix-byte-offsets', 'u', 0], ['version', 'V', 0], ['with-filename', 'H', 0], ['word-regexp', 'w', 0],
];

/** GNU grep's short options (its getopt string, without the -NUM digits). */
const SHORT = 'A:B:C:D:EFGHIJLPTUVX:abcd:e:f:hiLlm:noqRrsuvwxyZz';

/** The short options modelled here; grep's others, and its long-only ones, are refused as unmodelled. */
const MODELLED = 'ABCcEeFGHhiLlmnoqsvwx';

/**
 * getopt_long's part: `--name[=value]` before any `--`, as `-X`. A prefix names an option when every option
 * it begins stands for the same thing; otherwise it is ambiguous, and the possibilities are the first and
 * those unlike it (glibc's process_long_option).
 */
function expandLong(args: string[]): string[] | string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return [...out, ...args.slice(i)];
    if (!a.startsWith('--')) {
      out.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const value = eq < 0 ? undefined : a.slice(eq + 1);
    const exact = LONG.find(([n]) => n === name);
    const found = exact ?? LONG.find(([n]) => n.startsWith(name));
    if (!found) return `grep: unrecognized option '${a}'\n${USAGE}`;
    const unlike = exact
      ? []
      : LONG.filter(([n, k, h]) => n.startsWith(name) && (k !== found[1] || h !== found[2]));
    if (unlike.length) {
      const possible = LONG.filter((o) => o === found || unlike.includes(o)).map(([n]) => ` '--${n}'`);
      return `grep: option '${a}' is ambiguous; possibilities:${possible.join('')}\n${USAGE}`;
    }
    const [long, key, hasArg] = found;
    if (!hasArg && value !== undefined) return `grep: option '--${long}' doesn't allow an argument\n${USAGE}`;
    if (hasArg === 1 && value === undefined && i + 1 >= args.length)
      return `grep: option '--${long}' requires an argument\n${USAGE}`;
    if (key.length > 1 || !MODELLED.includes(key)) return `grep: --${long}: not modelled in this lab\n`;
    out.push(`-${key}`, ...(hasArg ? [value ?? args[++i]] : []));
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
    listFiles: null,
    noMessages: false,
    maxCount: Infinity,
    after: -1,
    before: -1,
    patterns: [],
  };
  const context = (v: string): number | string =>
    /^\d+$/.test(v) ? Number(v) : `grep: ${v}: invalid context length argument\n`;
  // -C NUM is the default of -A and -B: given on their own, they win whatever the order.
  let contextDefault = -1;
  const expanded = expandLong(args);
  if (typeof expanded === 'string') return expanded;
  const g = getopt(expanded, SHORT, 'grep');
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
    l: (x) => (x.listFiles = 'with'),
    L: (x) => (x.listFiles = 'without'),
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
      if (c === 'A') o.after = n;
      else if (c === 'B') o.before = n;
      else contextDefault = n;
    } else if (FLAGS[c]) FLAGS[c](o);
    else return `grep: -${c}: not modelled in this lab\n`;
  }
  if (g.error) return `${g.error}\n${USAGE}`;
  if (o.after < 0) o.after = contextDefault;
  if (o.before < 0) o.before = contextDefault;
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
  if (o.count || o.quiet || o.listFiles) {
    // -l and -L need one match, no more.
    const enough = o.listFiles ? Math.min(1, o.maxCount) : o.maxCount;
    for (const l of lines) if (hits < enough && matches(l)) hits++;
    if (o.count && !o.quiet && !o.listFiles) ctx.out(`${name !== null ? name + ':' : ''}${hits}\n`);
    return hits;
  }
  const context = !o.only && (o.after >= 0 || o.before >= 0);
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
      for (let b = Math.max(lastPrinted + 1, i - Math.max(0, o.before)); b < i; b++) print(b, '-');
      print(i, ':');
      afterLeft = Math.max(0, o.after);
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
    const label = f === '-' ? '(standard input)' : f;
    const hits = grepText(ctx, o, re, text, named ? label : null, out);
    if (hits > 0) {
      matched = true;
      if (o.quiet) return 0;
    }
    if (o.listFiles && hits > 0 === (o.listFiles === 'with')) ctx.out(`${label}\n`);
  }
  return error ? 2 : matched ? 0 : 1;
};
