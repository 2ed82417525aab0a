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
