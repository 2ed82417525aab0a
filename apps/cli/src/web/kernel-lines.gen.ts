/**
 * Writes kernel-lines.json: for every modelled kernel function (KERNEL_FNS), the line of Linux 6.12 where
 * its file defines it, so the console links each step to that line in the source browser. Run it again
 * when the model gains functions:
 *   npx tsx apps/cli/src/web/kernel-lines.gen.ts [/usr/src/linux-source-6.12.tar.xz]
 * A function whose definition is not found (a macro, an inline in another header) keeps only its file.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KERNEL_FNS } from '@skblab/kernel';
import '@skblab/runtime';
import '@skblab/userland';

/** The first line that starts a definition of `name`: at column 0, its name then `(`, not a prototype. */
export function definitionLine(source: string, name: string): number | null {
  const lines = source.split('\n');
  const esc = name.replace(/[$]/g, '\\$&');
  const head = new RegExp(`^(?:[A-Za-z_][\\w\\s\\*]*[\\s\\*])?${esc}\\(`);
  for (let i = 0; i < lines.length; i++) {
    if (!head.test(lines[i]) || /^\s*(?:#|\/\/|\*)/.test(lines[i])) continue;
    // A prototype ends with ');' before any '{'; a definition reaches '{' first.
    let j = i;
    let text = '';
    while (j < lines.length && j < i + 12) {
      text += lines[j] + '\n';
      if (/\)\s*;/.test(text) && !text.includes('{')) break;
      if (text.includes('{')) return i + 1;
      j++;
    }
  }
  return null;
}

function main(): void {
  const tarball = process.argv[2] ?? '/usr/src/linux-source-6.12.tar.xz';
  const files = [...new Set(KERNEL_FNS.map((f) => f.file).filter((f) => /\.[ch]$/.test(f)))];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksrc-'));
  execFileSync('tar', [
    '-xJf',
    tarball,
    '-C',
    dir,
    'linux-source-6.12/Makefile',
    ...files.map((f) => `linux-source-6.12/${f}`),
  ]);
  // The lines are the tarball's release (a stable 6.12.y): the links name that release, not v6.12.
  const mk = fs.readFileSync(path.join(dir, 'linux-source-6.12', 'Makefile'), 'utf8');
  const sub = /^SUBLEVEL = (\d+)$/m.exec(mk)?.[1] ?? '0';
  const out: Record<string, number | string> = { linux: sub === '0' ? '6.12' : `6.12.${sub}` };
  let missing = 0;
  for (const f of KERNEL_FNS) {
    const p = path.join(dir, 'linux-source-6.12', f.file);
    if (!fs.existsSync(p)) continue;
    const line = definitionLine(fs.readFileSync(p, 'utf8'), f.name);
    if (line) out[`${f.file}:${f.name}`] = line;
    else missing++;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const sorted = Object.fromEntries(
    Object.entries(out).sort(([a], [b]) => (a === 'linux' ? -1 : b === 'linux' ? 1 : a.localeCompare(b))),
  );
  fs.writeFileSync(path.join(__dirname, 'kernel-lines.json'), JSON.stringify(sorted, null, 2) + '\n');
  process.stdout.write(`${Object.keys(out).length - 1} functions located, ${missing} not found\n`);
}

if (require.main === module) main();
