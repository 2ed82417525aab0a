/**
 * packetdrill's TCP scripts (../shared/packetdrill, GPL test data read in place) run against the lab, as
 * `skblab packetdrill` runs them: every script runs, the passes are printed per directory, and each script
 * of expected-pass.txt must pass (a regression fails here).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KSFT_DEFINES, runScriptFile } from '@skblab/packetdrill';

const ROOT = path.resolve(__dirname, '../../../shared/packetdrill');

function scripts(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...scripts(p));
    else if (e.name.endsWith('.pkt')) out.push(p);
  }
  return out.sort();
}

const expected = fs
  .readFileSync(path.join(__dirname, 'expected-pass.txt'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));

describe('packetdrill scripts', () => {
  it('pass at least the expected ones', async () => {
    const files = scripts(path.join(ROOT, 'tcp'));
    expect(files.length).toBeGreaterThanOrEqual(110);
    const failures = new Map<string, string>();
    const perDir = new Map<string, [number, number]>();
    for (const f of files) {
      const rel = path.relative(ROOT, f);
      const err = await runScriptFile(f, {
        defines: KSFT_DEFINES,
        out: () => undefined,
        err: () => undefined,
      });
      if (err !== null) failures.set(rel, err);
      const dir = path.dirname(rel);
      const [p, n] = perDir.get(dir) ?? [0, 0];
      perDir.set(dir, [p + (err === null ? 1 : 0), n + 1]);
    }
    const lines = [...perDir].map(([d, [p, n]]) => `${d}: ${p}/${n}`);
    const passed = files.length - failures.size;
    console.log(`packetdrill: ${passed}/${files.length} scripts pass\n${lines.join('\n')}`);
    const regressions = expected.filter((e) => failures.has(e)).map((e) => `${e}: ${failures.get(e)}`);
    expect(regressions).toEqual([]);
  }, 600_000);

  it('reports a malformed script at its line and column, without a stack trace', async () => {
    const tmp = fs.mkdtempSync('/tmp/pd-');
    const f = path.join(tmp, 'bad.pkt');
    fs.writeFileSync(f, '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 > S 0:0(0 <mss 1460>\n');
    expect(await runScriptFile(f, { out: () => undefined, err: () => undefined })).toBe(
      `${f}:2:14: syntax error`,
    );
    fs.writeFileSync(f, '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 close(3) = 7\n');
    expect(await runScriptFile(f, { out: () => undefined, err: () => undefined })).toBe(
      `${f}:2: runtime error in close call: Expected result 7 but got 0 with errno 0 (Unknown error 0)`,
    );
    fs.rmSync(tmp, { recursive: true });
  });
});
