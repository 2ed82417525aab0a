/**
 * A small POSIX-shell tokenizer: words with '…', "…" and \ escapes, the operators | & ; && ||, and #
 * comments. Enough for the command lines people type in a lab; anything else is a syntax error that the
 * shell reports the way sh does.
 */
export type Redirect = 'out-null' | 'err-null' | 'all-null' | 'err-to-out' | 'out-to-err' | FileRedirect;
/** `> FILE`, `>> FILE`, `2> FILE`, `2>> FILE`, `&> FILE`, `&>> FILE`: an output to a file of the host. */
export interface FileRedirect {
  fd: 1 | 2 | 'all';
  path: string;
  append: boolean;
}
export type Token =
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: '|' | '&' | ';' | '&&' | '||' }
  | { kind: 'redir'; value: Redirect };

/** Redirections that need no file: /dev/null (kept apart so a null output costs nothing) and dups. */
const REDIRECTS: Array<[RegExp, Redirect]> = [
  [/^2>&1/, 'err-to-out'],
  [/^1?>&2/, 'out-to-err'],
  [/^&>\s*\/dev\/null(?![^\s|&;])/, 'all-null'],
  [/^2>\s*\/dev\/null(?![^\s|&;])/, 'err-null'],
  [/^1?>\s*\/dev\/null(?![^\s|&;])/, 'out-null'],
];

/** The operator of a file redirection at the start of a line's rest: its fd, whether it appends, its length. */
const FILE_REDIRECT = /^(&|1|2)?>(>?)/;

export class ShellSyntaxError extends Error {}

/** What a word holds where it said `$?` outside single quotes: the shell puts the last status there. */
export const LAST_STATUS = '\u0000?';

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '>' || c === '&' || ((c === '1' || c === '2') && line[i + 1] === '>')) {
      const rest = line.slice(i);
      const r = REDIRECTS.find(([re]) => re.test(rest));
      if (r) {
        out.push({ kind: 'redir', value: r[1] });
        i += rest.match(r[0])![0].length;
        continue;
      }
      const m = FILE_REDIRECT.exec(rest);
      if (m && (m[1] !== '&' || rest[1] === '>')) {
        i += m[0].length;
        while (line[i] === ' ' || line[i] === '\t') i++;
        // The target is a word; an operator or the end of the line there is bash's syntax error.
        const next = line[i];
        if (i >= n || '|&;<>()'.includes(next) || next === '\r' || next === '\n')
          throw new ShellSyntaxError(`syntax error near unexpected token \`${i >= n ? 'newline' : next}'`);
        const w = readWord(line, i);
        i = w.end;
        const fd = m[1] === '&' ? 'all' : m[1] === '2' ? 2 : 1;
        out.push({ kind: 'redir', value: { fd, path: w.word, append: m[2] === '>' } });
        continue;
      }
    }
    if (c === '|' || c === '&' || c === ';') {
      const two = line.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        out.push({ kind: 'op', value: two });
        i += 2;
      } else {
        out.push({ kind: 'op', value: c as '|' | '&' | ';' });
        i++;
      }
      continue;
    }
    if (c === '<' || c === '>' || c === '(' || c === ')' || c === '`') {
      throw new ShellSyntaxError(`syntax error near unexpected token \`${c}'`);
    }
    const w = readWord(line, i);
    i = w.end;
    const word = w.word;
    out.push({ kind: 'word', value: word });
  }
  return out;
}

/** One word from `i`: its text with quotes and escapes resolved, and where it ends. */
function readWord(line: string, i: number): { word: string; end: number } {
  let word = '';
  const n = line.length;
  while (i < n) {
    const ch = line[i];
    if (ch === ' ' || ch === '\t' || ch === '|' || ch === '&' || ch === ';' || ch === '\r' || ch === '\n')
      break;
    if (ch === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
      word += line.slice(i + 1, j);
      i = j + 1;
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = line[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < n && '"\\$`'.includes(line[i + 1])) {
          word += line[i + 1];
          i += 2;
        } else if (d === '$' && line[i + 1] === '?') {
          word += LAST_STATUS;
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
    } else if (ch === '\\') {
      if (i + 1 < n) word += line[i + 1];
      i += 2;
    } else if (ch === '>') {
      // `echo hi>f`: the redirection ends the word.
      break;
    } else if (ch === '<' || ch === '(' || ch === ')' || ch === '`') {
      throw new ShellSyntaxError(`syntax error near unexpected token \`${ch}'`);
    } else if (ch === '$' && line[i + 1] === '?') {
      word += LAST_STATUS;
      i += 2;
    } else {
      word += ch;
      i++;
    }
  }
  return { word, end: i };
}

export interface SimpleCommand {
  argv: string[];
  redirects: Redirect[];
}
export interface Pipeline {
  commands: SimpleCommand[];
  background: boolean;
}
export interface ListItem {
  pipeline: Pipeline;
  /** How this item joins the previous one. */
  join: ';' | '&&' | '||';
}

/** Parse tokens into `a | b && c & d ; e` lists. */
export function parse(tokens: Token[]): ListItem[] {
  const items: ListItem[] = [];
  let cur: SimpleCommand = { argv: [], redirects: [] };
  let pipe: Pipeline = { commands: [], background: false };
  let join: ListItem['join'] = ';';
  const endPipeline = (bg: boolean, nextJoin: ListItem['join'], op: string) => {
    if (cur.argv.length === 0) {
      if (pipe.commands.length === 0 && op !== 'EOF')
        throw new ShellSyntaxError(`syntax error near unexpected token \`${op}'`);
      if (pipe.commands.length > 0) throw new ShellSyntaxError(`syntax error near unexpected token \`${op}'`);
      return;
    }
    pipe.commands.push(cur);
    pipe.background = bg;
    items.push({ pipeline: pipe, join });
    cur = { argv: [], redirects: [] };
    pipe = { commands: [], background: false };
    join = nextJoin;
  };
  for (const t of tokens) {
    if (t.kind === 'word') {
      cur.argv.push(t.value);
      continue;
    }
    if (t.kind === 'redir') {
      cur.redirects.push(t.value);
      continue;
    }
    switch (t.value) {
      case '|':
        if (cur.argv.length === 0) throw new ShellSyntaxError("syntax error near unexpected token `|'");
        pipe.commands.push(cur);
        cur = { argv: [], redirects: [] };
        break;
      case '&':
        endPipeline(true, ';', '&');
        break;
      case ';':
        endPipeline(false, ';', ';');
        break;
      case '&&':
      case '||':
        if (cur.argv.length === 0)
          throw new ShellSyntaxError(`syntax error near unexpected token \`${t.value}'`);
        endPipeline(false, t.value, t.value);
        break;
    }
  }
  if (cur.argv.length === 0 && (pipe.commands.length > 0 || join !== ';'))
    throw new ShellSyntaxError('syntax error: unexpected end of file');
  if (cur.argv.length) endPipeline(false, ';', 'EOF');
  return items;
}
