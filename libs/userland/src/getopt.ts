/**
 * getopt(3)-style option parsing for the tools: `-c1`, `-c 1`, grouped flags `-un`, `--` and operands.
 */
export interface GetoptResult {
  /** Each option, its argument, and the index in `args` of the word it was in. */
  opts: Array<[string, string | null, number]>;
  operands: string[];
  error: string | null;
}

/** `spec`: like getopt's optstring, "c:W:i:s:t:M:qnb" (a colon means the option takes an argument). */
export function getopt(args: string[], spec: string, prog: string): GetoptResult {
  const takes = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] === ':') continue;
    takes.set(spec[i], spec[i + 1] === ':');
  }
  const opts: Array<[string, string | null, number]> = [];
  const operands: string[] = [];
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
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (!takes.has(c)) return { opts, operands, error: `${prog}: invalid option -- '${c}'` };
      if (takes.get(c)) {
        const word = i;
        let v = a.slice(j + 1);
        if (!v) {
          if (i + 1 >= args.length)
            return { opts, operands, error: `${prog}: option requires an argument -- '${c}'` };
          v = args[++i];
        }
        opts.push([c, v, word]);
        break;
      }
      opts.push([c, null, i]);
    }
  }
  return { opts, operands, error: null };
}

/** A long option: its name, what it stands for (a short option's letter), and its argument (0 none, 1 required, 2 optional). */
export type LongOption = readonly [name: string, key: string, hasArg: 0 | 1 | 2];

/**
 * getopt_long's part, as glibc's process_long_option does it (or, with `style` 'gnu-old', the older copy
 * iperf 2 bundles, whose messages quote `--name' and do not list the possibilities): each `--name[=value]`
 * before `--`, or an unambiguous prefix of a name, becomes what `use` makes of it (by default `-key` and its
 * value). A prefix is ambiguous when the options it begins differ from the first in what they stand for or
 * take. The word after a short option that takes an argument (per `shorts`, getopt's optstring) is that
 * argument, whatever it looks like. A string is the error to print (no newline).
 */
export function expandLongOptions(
  prog: string,
  args: string[],
  table: readonly LongOption[],
  shorts = '',
  style: 'glibc' | 'gnu-old' = 'glibc',
  use: (option: LongOption, value: string | undefined) => string[] | string = (o, v) =>
    v === undefined ? [`-${o[1]}`] : [`-${o[1]}`, v],
): string[] | string {
  const q = (s: string) => (style === 'glibc' ? `'${s}'` : `\`${s}'`);
  const takesArg = (c: string) => c !== ':' && shorts.includes(c) && shorts[shorts.indexOf(c) + 1] === ':';
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return [...out, ...args.slice(i)];
    if (!a.startsWith('--')) {
      out.push(a);
      // A short option taking an argument, last in its word: the next word is that argument.
      if (/^-[^-]/.test(a)) {
        const at = [...a.slice(1)].findIndex(takesArg);
        if (at === a.length - 2 && i + 1 < args.length) out.push(args[++i]);
      }
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq >= 0 ? eq : undefined);
    let value = eq >= 0 ? a.slice(eq + 1) : undefined;
    const exact = table.find(([n]) => n === name);
    const candidates = exact ? [exact] : table.filter(([n]) => n.startsWith(name));
    if (!candidates.length) return `${prog}: unrecognized option ${q(a)}`;
    const found = candidates[0];
    const unlike = candidates.filter(([, k, h]) => k !== found[1] || h !== found[2]);
    if (unlike.length) {
      if (style === 'gnu-old') return `${prog}: option ${q(a)} is ambiguous`;
      const listed = table.filter((o) => o === found || unlike.includes(o)).map(([n]) => ` '--${n}'`);
      return `${prog}: option ${q(a)} is ambiguous; possibilities:${listed.join('')}`;
    }
    const [long, , hasArg] = found;
    if (hasArg === 0 && value !== undefined)
      return `${prog}: option ${q(`--${long}`)} doesn't allow an argument`;
    if (hasArg === 1 && value === undefined) {
      if (i + 1 >= args.length)
        return `${prog}: option ${q(style === 'glibc' ? `--${long}` : a)} requires an argument`;
      value = args[++i];
    }
    const words = use(found, value);
    if (typeof words === 'string') return words;
    out.push(...words);
  }
  return out;
}
