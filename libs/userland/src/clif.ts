/**
 * CLIF, the command-line parser of traceroute 2.1 (libsupp/clif.c), as traceroute 2.1.2 shows it: options
 * anywhere among the arguments and `--` ends them; short flags cluster (-nF); a short option's argument
 * joins it only as the first letter of its word (-q1, while -nq1 is an error) or is the next word (-nq 1);
 * a long option takes its argument after '=' and matches only in full. Its messages name the index of the
 * word in argv ("argc").
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
  let position = 0;
  let optionsEnded = false;
  const cannot = (name: string, v: string, argc: number) => ({
    error: `Cannot handle \`${name}' option with arg \`${v}' (argc ${argc})\n`,
  });
  const run = (verdict: ClifVerdict, name: string, v: string, argc: number) =>
    verdict === 'refused' ? cannot(name, v, argc) : verdict === 'done' ? { done: true as const } : null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const argc = i + 1;
    if (!optionsEnded && a === '--') {
      optionsEnded = true;
      continue;
    }
    if (!optionsEnded && a.startsWith('--')) {
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
    if (!optionsEnded && a.startsWith('-') && a.length > 1) {
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
      continue;
    }
    const operand = operands[position++];
    if (!operand) return { error: `Extra arg \`${a}' (position ${position}, argc ${argc})\n` };
    const verdict = operand.handle(a);
    if (verdict === 'done') return { done: true };
    if (verdict === 'refused')
      return {
        error: `Cannot handle "${operand.name}" cmdline arg \`${a}' on position ${position} (argc ${argc})\n`,
      };
  }
  const missing = operands.slice(position).find((x) => x.required);
  if (missing) return { error: `Specify "${missing.name}" missing argument.\n` };
  return null;
}
