/**
 * grep(1) as GNU grep 3.8 prints it, over piped input (`skbtrace | grep kfree_skb`) or the files `cat` reads
 * (`grep -A1 ^Ip: /proc/net/snmp`): -v -c -i -E -F -G -w -x -n -h -H -o -q -s -l -L, -m NUM, -A/-B/-C NUM,
 * -e PATTERN and their long forms; options anywhere among the operands, as getopt_long permutes them; grep's
 * other options are refused as not modelled. Basic regular expressions are basic (`a|b` is literal, `a\|b`
 * alternates). Exit status: 0 a line matched, 1 none, 2 an error. Not modelled: POSIX's leftmost-longest
 * match (JavaScript takes the first alternative that matches, which only -o shows).
 */
import type { Command, CommandContext } from './command';
import { expandLongOptions, getopt, type LongOption } from './getopt';
import { strtol } from './libc';
import { openInputs } from './procfs';

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
  if (body === '') throw new PatternError('Invalid content of \\{\\}');
  const m = /^(\d*)(,(\d*))?$/.exec(body);
  if (!m || (m[1] === '' && m[2] === undefined)) return null;
  const min = m[1] === '' ? 0 : Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  if (min > max) throw new PatternError('Invalid content of \\{\\}');
  if (min > RE_DUP_MAX || (max !== Infinity && max > RE_DUP_MAX))
    throw new PatternError('Regular expression too big');
  return `{${min}${m[2] === undefined ? '' : `,${max === Infinity ? '' : max}`}}`;
}

/** One pattern translated: its JavaScript source and how many groups it opened. */
interface Translated {
  src: string;
  groups: number;
}

/**
 * A bracket expression from `p[i]` = '[': its JavaScript class and the index of its ']'. A ']' right after
 * '[' or '[^' is a member; '\' is literal; [:class:], [=c=] and [.c.] name characters; a range must run
 * upwards between two characters.
 */
function bracket(p: string, i: number): { cls: string; end: number } {
  let j = i + 1;
  let negate = '';
  if (p[j] === '^') {
    negate = '^';
    j++;
  }
  // Members: a character (by code) or a class (already in JavaScript form).
  const items: Array<{ c: number } | { cls: string }> = [];
  for (let first = true; j < p.length && (first || p[j] !== ']'); j++, first = false) {
    const named = /^\[([:=.])(.*?)\1\]/s.exec(p.slice(j));
    if (named) {
      const [whole, kind, name] = named;
      if (kind === ':') {
        if (!POSIX_CLASSES[name]) throw new PatternError('Invalid character class name');
        items.push({ cls: POSIX_CLASSES[name] });
      } else if (name.length !== 1) throw new PatternError('Invalid collation character');
      else items.push({ c: name.charCodeAt(0) });
      j += whole.length - 1;
    } else items.push({ c: p.charCodeAt(j) });
  }
  if (j >= p.length) throw new PatternError('Unmatched [, [^, [:, [., or [=');
  // "[:alpha:]" meant "[[:alpha:]]": dfa.c refuses it rather than match one of its letters.
  const inner = p.slice(i + 1 + negate.length, j);
  if (inner.length > 2 && inner.startsWith(':') && inner.endsWith(':'))
    throw new PatternError('character class syntax is [[:space:]], not [:space:]');
  const esc = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  let cls = '';
  for (let k = 0; k < items.length; k++) {
    const it = items[k];
    const dash = items[k + 1];
    const to = items[k + 2];
    if (dash && 'c' in dash && dash.c === 45 && to) {
      // A range: both ends characters, the first not above the last; a range's end starts no other.
      if (!('c' in it) || !('c' in to) || it.c > to.c) throw new PatternError('Invalid range end');
      const after = items[k + 3];
      if (after && 'c' in after && after.c === 45 && items[k + 4])
        throw new PatternError('Invalid range end');
      cls += `${esc(it.c)}-${esc(to.c)}`;
      k += 2;
    } else cls += 'c' in it ? esc(it.c) : it.cls;
  }
  return { cls: `[${negate}${cls}]`, end: j };
}

/**
 * A POSIX regular expression (GNU flavour) as a JavaScript one. In a basic one (BRE) `( ) { } | + ?` are
 * literal and their escaped forms are operators; in an extended one (ERE) the other way round. Both have
 * GNU's `\w \W \s \S \b \B \< \> \` \'` and back-references; any other escaped character is that character
 * (`\d` is "d"). A repetition may repeat a repetition (`a**`). With nothing to repeat, a BRE's `*` or
 * interval is literal, an ERE's is dropped with a warning. Groups are numbered from `groupBase`.
 * Throws PatternError with GNU's message.
 */
function posixToJs(p: string, basic: boolean, groupBase: number, warn: (s: string) => void): Translated {
  let out = '';
  let atom = -1; // where in `out` the last atom starts; -1: nothing to repeat here
  let repeated = false; // whether that atom already carries a repetition
  let groups = 0;
  const open: Array<{ at: number; n: number }> = [];
  const closed = new Set<number>();
  let startsAt = 0; // where the current pattern, group or alternative begins in `out`
  const emitAtom = (s: string) => {
    atom = out.length;
    repeated = false;
    out += s;
  };
  const repeat = (q: string, text: string) => {
    if (atom < 0) {
      if (basic) emitAtom(text.replace(/[\\{}*]/g, (m) => (m === '\\' ? '' : `\\${m}`)));
      else warn(`${text === '*' || text === '+' || text === '?' ? text : '{...}'} at start of expression`);
      return;
    }
    if (repeated) out = `${out.slice(0, atom)}(?:${out.slice(atom)})`;
    out += q;
    repeated = true;
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '[') {
      const b = bracket(p, i);
      emitAtom(b.cls);
      i = b.end;
    } else if (c === '\\') {
      if (i + 1 >= p.length) throw new PatternError('Trailing backslash');
      const n = p[++i];
      const op = basic ? '(){}|+?'.includes(n) : false;
      if (op && n === '(') {
        open.push({ at: out.length, n: ++groups });
        out += '(';
        atom = -1;
        startsAt = out.length;
      } else if (op && n === ')') {
        const g = open.pop();
        if (!g) throw new PatternError('Unmatched ) or \\)');
        closed.add(g.n);
        out += ')';
        atom = g.at;
        repeated = false;
      } else if (op && n === '|') {
        out += '|';
        atom = -1;
        startsAt = out.length;
      } else if (op && n === '{') {
        const end = p.indexOf('\\}', i + 1);
        if (end < 0) throw new PatternError('Unmatched \\{');
        const body = p.slice(i + 1, end);
        const range = interval(body);
        if (range === null) throw new PatternError('Invalid content of \\{\\}');
        repeat(range, `\\{${body}\\}`);
        i = end + 1;
      } else if (op) repeat(n, n);
      else if (n === '<') out += '\\b(?=\\w)';
      else if (n === '>') out += '\\b(?<=\\w)';
      else if (n === '`') out += '^';
      else if (n === "'") out += '$';
      else if ('bB'.includes(n)) out += `\\${n}`;
      else if ('wWsS'.includes(n)) emitAtom(`\\${n}`);
      else if (n >= '1' && n <= '9') {
        if (!closed.has(Number(n))) throw new PatternError('Invalid back reference');
        emitAtom(`\\${groupBase + Number(n)}`);
      } else emitAtom(/[A-Za-z0-9]/.test(n) ? n : `\\${n}`);
    } else if (!basic && c === '(') {
      open.push({ at: out.length, n: ++groups });
      out += '(';
      atom = -1;
      startsAt = out.length;
    } else if (!basic && c === ')' && open.length) {
      const g = open.pop()!;
      closed.add(g.n);
      out += ')';
      atom = g.at;
      repeated = false;
    } else if (!basic && c === '|') {
      out += '|';
      atom = -1;
      startsAt = out.length;
    } else if (!basic && c === '{') {
      const end = p.indexOf('}', i + 1);
      const range = end < 0 ? null : interval(p.slice(i + 1, end));
      if (range === null) emitAtom('\\{');
      else {
        repeat(range, '{');
        i = end;
      }
    } else if (c === '*' || (!basic && (c === '+' || c === '?'))) repeat(c, c);
    // In a BRE, ^ anchors only at the start of the pattern, a group or an alternative, and $ only at
    // their end; elsewhere each is itself.
    else if (c === '^' && (!basic || out.length === startsAt)) {
      out += '^';
      atom = -1;
    } else if (c === '$' && (!basic || i === p.length - 1 || /^\\[)|]/.test(p.slice(i + 1)))) out += '$';
    else if (c === '.') emitAtom('.');
    else emitAtom(/[A-Za-z0-9 ]/.test(c) ? c : `\\${c}`);
  }
  if (open.length) throw new PatternError('Unmatched ( or \\(');
  return { src: out, groups };
}

function compile(o: Opts, warn: (s: string) => void): RegExp | string {
  const alternatives = o.patterns.flatMap((p) => p.split('\n'));
  const parts: string[] = [];
  let groups = 0;
  try {
    for (const p of alternatives) {
      if (o.syntax === 'F') parts.push(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      else {
        // Joined with |, each pattern's groups come after the earlier ones': its \1 is renumbered.
        const t = posixToJs(p, o.syntax === 'G', groups, warn);
        groups += t.groups;
        parts.push(t.src);
      }
    }
  } catch (e) {
    if (e instanceof PatternError) return e.message;
    throw e;
  }
  const src = parts
    .map((p) => (o.line ? `^(?:${p})$` : o.word ? `(?<![\\w])(?:${p})(?![\\w])` : `(?:${p})`))
    .join('|');
  try {
    return new RegExp(src, o.icase ? 'gi' : 'g');
  } catch {
    return 'Invalid regular expression';
  }
}

/**
 * GNU grep 3.8's long options in the order of its table (getopt_long lists an ambiguous prefix's
 * possibilities in that order): name, what it stands for (a short option, or the long name itself where
 * there is none), and whether it takes an argument (0 no, 1 yes, 2 optional).
 */
// prettier-ignore
const LONG: LongOption[] = [
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

/** GNU grep's short options (its getopt string). */
const SHORT = '0123456789A:B:C:D:EFGHIJLPTUVX:abcd:e:f:hiLlm:noqRrsuvwxyZz';

/** The short options modelled here; grep's others, and its long-only ones, are refused as unmodelled. */
const MODELLED = 'ABCcEeFGHhiLlmnoqsvwx';

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
  // xstrtoimax(.., 10): blanks and a sign allowed, all of it a number; past INTMAX_MAX it saturates.
  const intmax = (v: string): number | null => {
    const r = strtol(v, 10);
    return r && r.rest === '' ? Number(r.v) : null;
  };
  const context = (v: string): number | string => {
    const n = intmax(v);
    return n !== null && n >= 0 ? n : `grep: ${v}: invalid context length argument\n`;
  };
  // -C NUM is the default of -A and -B: given on their own, they win whatever the order.
  let contextDefault = -1;
  let unmodelled = '';
  const expanded = expandLongOptions('grep', args, LONG, SHORT, 'glibc', (o, v) => {
    if (o[1].length > 1 || !MODELLED.includes(o[1]))
      return (unmodelled ||= `grep: --${o[0]}: not modelled in this lab\n`);
    return v === undefined ? [`-${o[1]}`] : [`-${o[1]}`, v];
  });
  if (unmodelled) return unmodelled;
  if (typeof expanded === 'string') return `${expanded}\n${USAGE}`;
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
  // -NUM is -C NUM: digits in a row in one word make one number (get_nondigit_option).
  let digits = '';
  let digitWord = -1;
  for (const [c, v, word] of g.opts) {
    const isDigit = c >= '0' && c <= '9';
    if (isDigit) {
      digits = word === digitWord && digits ? digits + c : c;
      digitWord = word;
      const n = context(digits);
      if (typeof n === 'string') return n;
      contextDefault = n;
      continue;
    }
    digits = '';
    if (c === 'e') o.patterns.push(v!);
    else if (c === 'm') {
      const n = intmax(v!);
      if (n === null) return 'grep: invalid max count\n';
      o.maxCount = n < 0 ? Infinity : n;
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
  // -m 0: nothing is read (not even the pattern is compiled), and nothing matched.
  if (o.maxCount === 0) return 1;
  const re = compile(o, (w) => ctx.err(`grep: warning: ${w}\n`));
  if (typeof re === 'string') {
    ctx.err(`grep: ${re}\n`);
    return 2;
  }
  const files = operands.length ? operands : ['-'];
  const named = o.withName ?? files.length > 1;
  let matched = false;
  let error = false;
  const out = { printed: false };
  const read = openInputs(ctx);
  for (const f of files) {
    const text = read(f);
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
