/**
 * The `%{ }%` blocks: packetdrill writes each block after a snapshot of the socket's struct tcp_info (its
 * fields as variables, tcpi_state, tcpi_snd_cwnd, ...) into one python file and runs it when the script
 * ends. This evaluates the small subset of Python those blocks use: assert, print, assignments (= and +=),
 * arithmetic, comparisons (chained), bit operations, `and`/`or`/`not`, and `'fmt' % value`. Anything else
 * is an error naming what is not supported.
 */

export class CodeError extends Error {}

/** An assert that failed: its message is the assert's second expression (or empty), as Python prints it. */
export class AssertionFailed extends Error {}

type Value = number | string | boolean | null;

interface Tok {
  t: 'num' | 'str' | 'name' | 'op' | 'nl' | 'end';
  v: string;
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /[ \t\r]*(?:(#[^\n]*)|(\n)|(0[xX][0-9a-fA-F]+|\d+\.\d*|\.\d+|\d+)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|\/\/|==|!=|<=|>=|<<|>>|\+=|-=|\*=|[-+*/%<>()&|^~=,;:.[\]]))/y;
  let i = 0;
  for (;;) {
    // Explicit line joining: a backslash at the end of a line continues it.
    const ws = /(?:[ \t\r]|\\\r?\n)*/y;
    ws.lastIndex = i;
    ws.exec(src);
    i = ws.lastIndex;
    if (i >= src.length) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new CodeError(`unsupported python: ${JSON.stringify(src.slice(i, i + 20))}`);
    i = re.lastIndex;
    if (m[1]) continue;
    if (m[2]) out.push({ t: 'nl', v: '\n' });
    else if (m[3]) out.push({ t: 'num', v: m[3] });
    else if (m[4]) out.push({ t: 'str', v: m[4].slice(1, -1) });
    else if (m[5]) out.push({ t: 'name', v: m[5] });
    else out.push({ t: 'op', v: m[6] });
  }
  out.push({ t: 'end', v: '' });
  return out;
}

function truthy(v: Value): boolean {
  return !(v === 0 || v === '' || v === false || v === null);
}

function num(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new CodeError(`TypeError: unsupported operand ${JSON.stringify(v)}`);
}

function str(v: Value): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** Python's `fmt % args` for %d, %s, %u, %x, %f. */
function format(fmt: string, args: Value[]): string {
  let k = 0;
  return fmt.replace(/%([-0-9.]*)([dsuxf%])/g, (_m, _w, c: string) => {
    if (c === '%') return '%';
    const a = args[k++];
    if (c === 'd' || c === 'u') return String(Math.trunc(num(a)));
    if (c === 'x') return Math.trunc(num(a)).toString(16);
    if (c === 'f') return num(a).toFixed(6);
    return str(a);
  });
}

export class Python {
  readonly vars = new Map<string, Value>();
  private toks: Tok[] = [];
  private p = 0;
  constructor(private readonly print: (s: string) => void) {}

  /** Run a block with `env` (the snapshot's variables) set first. Throws AssertionFailed or CodeError. */
  run(src: string, env: Record<string, number>): void {
    for (const [k, v] of Object.entries(env)) this.vars.set(k, v);
    // A block's lines share one indentation: Python would reject an indented first line, packetdrill
    // strips it.
    this.toks = tokenize(src);
    this.p = 0;
    for (;;) {
      while (this.is('nl') || this.isOp(';')) this.p++;
      if (this.is('end')) return;
      this.statement();
    }
  }

  private is(t: Tok['t']): boolean {
    return this.toks[this.p].t === t;
  }

  private isOp(v: string): boolean {
    const k = this.toks[this.p];
    return k.t === 'op' && k.v === v;
  }

  private isName(v: string): boolean {
    const k = this.toks[this.p];
    return k.t === 'name' && k.v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new CodeError(`SyntaxError: expected '${v}' at '${this.toks[this.p].v}'`);
    this.p++;
  }

  private statement(): void {
    if (this.isName('assert')) {
      this.p++;
      const ok = truthy(this.expr());
      let msg: Value = '';
      if (this.isOp(',')) {
        this.p++;
        msg = this.expr();
      }
      if (!ok) throw new AssertionFailed(str(msg));
    } else if (this.isName('print')) {
      this.p++;
      this.expectOp('(');
      const args: Value[] = [];
      if (!this.isOp(')')) {
        args.push(this.expr());
        while (this.isOp(',')) {
          this.p++;
          args.push(this.expr());
        }
      }
      this.expectOp(')');
      this.print(args.map(str).join(' ') + '\n');
    } else if (
      this.is('name') &&
      this.toks[this.p + 1].t === 'op' &&
      /^[-+*]?=$/.test(this.toks[this.p + 1].v)
    ) {
      const name = this.toks[this.p].v;
      const op = this.toks[this.p + 1].v;
      this.p += 2;
      const v = this.expr();
      if (op === '=') this.vars.set(name, v);
      else {
        const old = this.lookup(name);
        this.vars.set(
          name,
          op === '+=' ? num(old) + num(v) : op === '-=' ? num(old) - num(v) : num(old) * num(v),
        );
      }
    } else if (this.is('name') && ['import', 'if', 'for', 'while', 'def'].includes(this.toks[this.p].v)) {
      throw new CodeError(`unsupported python statement '${this.toks[this.p].v}'`);
    } else this.expr();
    if (!this.is('nl') && !this.is('end') && !this.isOp(';'))
      throw new CodeError(`SyntaxError: invalid syntax at '${this.toks[this.p].v}'`);
  }

  private lookup(name: string): Value {
    if (name === 'True') return true;
    if (name === 'False') return false;
    if (name === 'None') return null;
    if (!this.vars.has(name)) throw new CodeError(`NameError: name '${name}' is not defined`);
    return this.vars.get(name)!;
  }

  private expr(): Value {
    let a = this.and();
    while (this.isName('or')) {
      this.p++;
      const b = this.and();
      a = truthy(a) ? a : b;
    }
    return a;
  }

  private and(): Value {
    let a = this.not();
    while (this.isName('and')) {
      this.p++;
      const b = this.not();
      a = truthy(a) ? b : a;
    }
    return a;
  }

  private not(): Value {
    if (this.isName('not')) {
      this.p++;
      return !truthy(this.not());
    }
    return this.comparison();
  }

  private comparison(): Value {
    let a = this.bitor();
    let result: Value = null;
    for (;;) {
      const k = this.toks[this.p];
      if (k.t !== 'op' || !['==', '!=', '<', '<=', '>', '>='].includes(k.v)) break;
      this.p++;
      const b = this.bitor();
      const x = typeof a === 'string' ? a : num(a);
      const y = typeof b === 'string' ? b : num(b);
      const r =
        k.v === '=='
          ? x === y
          : k.v === '!='
            ? x !== y
            : k.v === '<'
              ? x < y
              : k.v === '<='
                ? x <= y
                : k.v === '>'
                  ? x > y
                  : x >= y;
      result = result === null ? r : result && r;
      a = b;
    }
    return result === null ? a : result;
  }

  private bitor(): Value {
    let a = this.bitxor();
    while (this.isOp('|')) {
      this.p++;
      a = num(a) | num(this.bitxor());
    }
    return a;
  }

  private bitxor(): Value {
    let a = this.bitand();
    while (this.isOp('^')) {
      this.p++;
      a = num(a) ^ num(this.bitand());
    }
    return a;
  }

  private bitand(): Value {
    let a = this.shift();
    while (this.isOp('&')) {
      this.p++;
      a = num(a) & num(this.shift());
    }
    return a;
  }

  private shift(): Value {
    let a = this.sum();
    while (this.isOp('<<') || this.isOp('>>')) {
      const op = this.toks[this.p++].v;
      const b = num(this.sum());
      a = op === '<<' ? num(a) * 2 ** b : Math.floor(num(a) / 2 ** b);
    }
    return a;
  }

  private sum(): Value {
    let a = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.toks[this.p++].v;
      const b = this.term();
      if (op === '+' && typeof a === 'string' && typeof b === 'string') a = a + b;
      else a = op === '+' ? num(a) + num(b) : num(a) - num(b);
    }
    return a;
  }

  private term(): Value {
    let a = this.unary();
    for (;;) {
      const k = this.toks[this.p];
      if (k.t !== 'op' || !['*', '/', '//', '%'].includes(k.v)) return a;
      this.p++;
      if (k.v === '%' && typeof a === 'string') {
        if (this.isOp('(')) {
          this.p++;
          const args: Value[] = [this.expr()];
          while (this.isOp(',')) {
            this.p++;
            args.push(this.expr());
          }
          this.expectOp(')');
          a = format(a, args);
        } else a = format(a, [this.unary()]);
        continue;
      }
      const b = num(this.unary());
      const x = num(a);
      if ((k.v === '/' || k.v === '//' || k.v === '%') && b === 0)
        throw new CodeError('ZeroDivisionError: division by zero');
      a =
        k.v === '*'
          ? x * b
          : k.v === '/'
            ? x / b
            : k.v === '//'
              ? Math.floor(x / b)
              : x - b * Math.floor(x / b);
    }
  }

  private unary(): Value {
    if (this.isOp('-')) {
      this.p++;
      return -num(this.unary());
    }
    if (this.isOp('+')) {
      this.p++;
      return num(this.unary());
    }
    if (this.isOp('~')) {
      this.p++;
      return ~num(this.unary());
    }
    return this.atom();
  }

  private atom(): Value {
    const k = this.toks[this.p++];
    if (k.t === 'num') return k.v.startsWith('0x') || k.v.startsWith('0X') ? parseInt(k.v, 16) : Number(k.v);
    if (k.t === 'str') return k.v;
    if (k.t === 'op' && k.v === '(') {
      const v = this.expr();
      this.expectOp(')');
      return v;
    }
    if (k.t === 'name') {
      if (this.isOp('(')) {
        this.p++;
        const args: Value[] = [];
        if (!this.isOp(')')) {
          args.push(this.expr());
          while (this.isOp(',')) {
            this.p++;
            args.push(this.expr());
          }
        }
        this.expectOp(')');
        switch (k.v) {
          case 'int':
            return Math.trunc(num(args[0]));
          case 'abs':
            return Math.abs(num(args[0]));
          case 'min':
            return Math.min(...args.map(num));
          case 'max':
            return Math.max(...args.map(num));
          case 'str':
            return str(args[0]);
        }
        throw new CodeError(`unsupported python function '${k.v}'`);
      }
      return this.lookup(k.v);
    }
    throw new CodeError(`SyntaxError: invalid syntax at '${k.v}'`);
  }
}
