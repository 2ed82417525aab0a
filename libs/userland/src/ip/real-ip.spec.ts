/**
 * Replays every scenario of __fixtures__/scenarios.ts on skblab and compares each line's stdout, stderr
 * and exit status with what the real `ip` printed for it (__fixtures__/real-ip.json, recorded by
 * __fixtures__/capture.ts on Linux with iproute2 6.1).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCENARIOS, maskMacs } from './__fixtures__/scenarios';
import type { Step } from './__fixtures__/capture';
import { IpHarness } from './testing';

const real = JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__', 'real-ip.json'), 'utf8')) as {
  captured: { ip: string; kernel: string };
  scenarios: Record<string, Step[]>;
};

/**
 * The kernel dumps neighbours in the order of a hash with a random seed: their lines (or JSON entries)
 * are compared sorted.
 */
function canonical(cmd: string, out: string): string {
  if (!/^ip( -\S+)* n(e(i(g(h(b(o(u?r)?)?)?)?)?)?)?( (show|list|lst)\b.*)?$/.test(cmd) || !out) return out;
  if (out.startsWith('[')) {
    const rows = JSON.parse(out) as Array<{ dst: string }>;
    return JSON.stringify(rows.sort((a, b) => (a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0))) + '\n';
  }
  return out.split('\n').filter(Boolean).sort().join('\n') + '\n';
}

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (name, scenario) => {
  const steps = real.scenarios[name];
  const h = new IpHarness();

  it('was captured from the real ip with the same command lines', () => {
    expect(steps.map((s) => s.cmd)).toEqual(scenario.lines.filter((l) => !l.startsWith('!')));
  });

  it.each(steps.map((s, i) => [i + 1, s.cmd, s] as const))('%i: %s', async (_i, cmd, want) => {
    const r = await h.run(cmd);
    expect({ out: canonical(cmd, maskMacs(r.out)), err: maskMacs(r.err), status: r.status }).toEqual({
      out: canonical(cmd, want.out),
      err: want.err,
      status: want.status,
    });
  });
});
