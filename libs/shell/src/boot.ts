/**
 * Booting a topology: what each host runs at start (its addresses, links up, sysctls, routes, then the
 * file's exec lines), through that host's shell, as a real box's network configuration would. A line that
 * fails stops the boot with an error naming where the file wrote it.
 */
import { bootLines, type Lab } from '@skblab/runtime';
import type { TopologySpec } from '@skblab/topology';

import type { ShellOptions } from './shell';
import { newShell } from './session';

export async function bootTopology(
  lab: Lab,
  spec: TopologySpec,
  commands: Parameters<typeof newShell>[2],
  aroundLine?: (host: string) => ShellOptions['aroundLine'],
): Promise<string | null> {
  for (const [name, lines] of bootLines(spec)) {
    const host = lab.hosts.get(name)!;
    let out = '';
    const sh = newShell(lab, host, commands, {
      out: (s) => void (out += s),
      err: (s) => void (out += s),
      aroundLine: aroundLine?.(name),
    });
    for (const { line, pos } of lines) {
      out = '';
      const status = await sh.runLine(line);
      if (status !== 0) {
        const why = out.trim().split('\n')[0] || `exit status ${status}`;
        return `${spec.file}:${pos.line}:${pos.col}: ${name}: '${line}' failed: ${why}`;
      }
    }
  }
  return null;
}
