/**
 * grep(1) over piped input (`skbtrace | grep kfree_skb`): -v -c -i -E -F -w, GNU grep's exit statuses
 * (0 a line matched, 1 none, 2 an error).
 */
import type { Command } from './command';

export const grep: Command = async (ctx) => {
  let invert = false;
  let count = false;
  let icase = false;
  let fixed = false;
  let word = false;
  let pattern: string | null = null;
  const files: string[] = [];
  for (const a of ctx.argv.slice(1)) {
    if (pattern === null && /^-[vciEFw]+$/.test(a)) {
      invert ||= a.includes('v');
      count ||= a.includes('c');
      icase ||= a.includes('i');
      fixed ||= a.includes('F');
      word ||= a.includes('w');
    } else if (pattern === null && a.startsWith('-') && a !== '-') {
      ctx.err(
        `grep: invalid option -- '${a[1]}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n`,
      );
      return 2;
    } else if (pattern === null) pattern = a;
    else files.push(a);
  }
  if (pattern === null) {
    ctx.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  if (files.length) {
    ctx.err(`grep: ${files[0]}: No such file or directory\n`);
    return 2;
  }
  let re: RegExp;
  try {
    const src = fixed ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
    re = new RegExp(word ? `\\b(?:${src})\\b` : src, icase ? 'i' : '');
  } catch {
    ctx.err('grep: Unmatched ( or \\(\n');
    return 2;
  }
  const lines = (ctx.stdin ?? '').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const hits = lines.filter((l) => re.test(l) !== invert);
  if (count) ctx.out(`${hits.length}\n`);
  else for (const l of hits) ctx.out(l + '\n');
  return hits.length ? 0 : 1;
};
