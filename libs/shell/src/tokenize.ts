/**
 * A small POSIX-shell tokenizer: words with '…', "…" and \ escapes, the operators | & ; && ||, and #
 * comments. Enough for the command lines people type in a lab; anything else is a syntax error that the
 * shell reports the way sh does.
 */
export type Redirect = 'out-null' | 'err-null' | 'all-null' | 'err-to-out';
export type Token =
  | { kind: 'word'; value: string }
  | { kind: 'op'; value: '|' | '&' | ';' | '&&' | '||' }
  | { kind: 'redir'; value: Redirect };

/** The redirections a lab has use for: there are no files, only /dev/null and stderr to stdout. */
const REDIRECTS: Array<[RegExp, Redirect]> = [
  [/^2>&1/, 'err-to-out'],
  [/^&>\s*\/dev\/null\b/, 'all-null'],
  [/^2>\s*\/dev\/null\b/, 'err-null'],
  [/^1?>\s*\/dev\/null\b/, 'out-null'],
];

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
      if (c === '>')
        throw new ShellSyntaxError(
          'redirection to files is not supported in the lab (only >/dev/null, 2>&1)',
        );
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
    let word = '';
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
      } else if (ch === '<' || ch === '>' || ch === '(' || ch === ')' || ch === '`') {
        throw new ShellSyntaxError(`syntax error near unexpected token \`${ch}'`);
      } else if (ch === '$' && line[i + 1] === '?') {
        word += LAST_STATUS;
        i += 2;
      } else {
        word += ch;
        i++;
      }
    }
    out.push({ kind: 'word', value: word });
  }
  return out;
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
