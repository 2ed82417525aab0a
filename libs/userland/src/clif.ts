/**
 * CLIF, the command-line parser of traceroute 2.1 (libsupp/clif.c), as traceroute 2.1.2 shows it: options
 * anywhere among the arguments and `--` ends them; short flags cluster (-nF); a short option's argument
 * joins it only as the first letter of its word (-q1, while -nq1 is an error) or is the next word (-nq 1);
 * a short name of several letters (-UL) is a word of its own; a long option takes its argument after '='
 * and matches only in full; a word of three dashes or more is an operand. All options are taken first,
 * then the operands are counted, then handled in order. Its messages name the word's index in argv ("argc").
 */

/** What a handler says of its argument: taken, refused ("Cannot handle ..."), or the run is over (exit 0). */
export type ClifVerdict = 'ok' | 'refused' | 'done';

export interface ClifOption {
  short?: string;
  long?: string;
  /** The argument's name in messages ("max_ttl"); absent for a flag. */
  arg?: string;
  handle(arg: string): ClifVerdict;
}

export interface ClifArgument {
  name: string;
  /** Whether a run needs it (traceroute's host). */
  required: boolean;
  handle(arg: string): ClifVerdict;
}

/** CLIF_parse: null when all was taken, else how it ended: an error to print (exit 2) or a done run. */
export function clifParse(
  args: string[],
  options: ClifOption[],
  operands: ClifArgument[],
): { error: string } | { done: true } | null {
  let optionsEnded = false;
  const words: Array<[string, number]> = []; // the operands, with their argc
  const cannot = (name: string, v: string, argc: number) => ({
    error: `Cannot handle \`${name}' option with arg \`${v}' (argc ${argc})\n`,
  });
  const run = (verdict: ClifVerdict, name: string, v: string, argc: number) =>
    verdict === 'refused' ? cannot(name, v, argc) : verdict === 'done' ? { done: true as const } : null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const argc = i + 1;
    if (optionsEnded || a === '-' || a.startsWith('---') || !a.startsWith('-')) {
      words.push([a, argc]);
      continue;
    }
    if (a === '--') {
      optionsEnded = true;
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const o = options.find((x) => x.long === name);
      if (!o || (eq >= 0 && !o.arg))
        return {
          error: `Bad option \`${a}'${eq < 0 ? '' : ` (with arg \`${a.slice(eq + 1)}')`} (argc ${argc})\n`,
        };
      if (o.arg && eq < 0)
        return { error: `Option \`--${name}' (argc ${argc}) requires an argument: \`--${name}=${o.arg}'\n` };
      const r = run(o.handle(eq < 0 ? '' : a.slice(eq + 1)), `--${name}`, a.slice(eq + 1), argc);
      if (r) return r;
      continue;
    }
    const whole = options.find((x) => x.short && x.short.length > 1 && `-${x.short}` === a);
    if (whole && !whole.arg) {
      const r = run(whole.handle(''), a, '', argc);
      if (r) return r;
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const o = options.find((x) => x.short === a[j]);
      if (!o) return { error: `Bad option \`-${a[j]}' (argc ${argc})\n` };
      if (!o.arg) {
        const r = run(o.handle(''), `-${a[j]}`, '', argc);
        if (r) return r;
        continue;
      }
      const required = {
        error: `Option \`-${a[j]}' (argc ${argc}) requires an argument: \`-${a[j]} ${o.arg}'\n`,
      };
      let v: string;
      let at = argc;
      if (j === 1 && a.length > 2) v = a.slice(2);
      else if (j === a.length - 1 && i + 1 < args.length) {
        v = args[++i];
        at = i + 1;
      } else return required;
      const r = run(o.handle(v), `-${a[j]}`, v, at);
      if (r) return r;
      break;
    }
  }
  if (words.length > operands.length) {
    const [a, argc] = words[operands.length];
    return { error: `Extra arg \`${a}' (position ${operands.length + 1}, argc ${argc})\n` };
  }
  for (const [k, [a, argc]] of words.entries()) {
    const verdict = operands[k].handle(a);
    if (verdict === 'done') return { done: true };
    if (verdict === 'refused')
      return {
        error: `Cannot handle "${operands[k].name}" cmdline arg \`${a}' on position ${k + 1} (argc ${argc})\n`,
      };
  }
  const missing = operands.slice(words.length).find((x) => x.required);
  if (missing) return { error: `Specify "${missing.name}" missing argument.\n` };
  return null;
}
