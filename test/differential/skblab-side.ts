/**
 * The skblab side, black-box: `node bin/skblab shell host1` once per scenario, the whole script on stdin
 * (each command followed by `echo @@skbd <i> $?`), stdout and stderr into one file so that they interleave
 * as on a terminal. The run is cut per command at the markers.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Scenario } from './scenarios';
import { RunError, scriptOf, SideRun, splitRun, stepsOf } from './script';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/**
 * The CLI under test. SKBLAB_DIFF_BIN points the suite at another script, e.g. kernel-as-skblab.sh, which runs
 * the script on the real kernel to test the harness itself.
 */
export const SKBLAB_BIN = process.env.SKBLAB_DIFF_BIN
  ? path.resolve(process.env.SKBLAB_DIFF_BIN)
  : path.join(REPO_ROOT, 'bin', 'skblab');

/**
 * How skblab runs: the embedded lab, or distributed mode with every layer service spawned for the scenario
 * (a lab id of its own on the test run's Kafka and Redis).
 */
export type SkblabMode = { mode: 'embedded' } | { mode: 'distributed'; labId: string };

export function runSkblab(s: Scenario, how: SkblabMode = { mode: 'embedded' }): SideRun {
  if (!fs.existsSync(SKBLAB_BIN)) {
    throw new RunError(
      `skblab side: ${SKBLAB_BIN} does not exist, so the simulator cannot be run ` +
        `(expected \`node bin/skblab shell host1\` to read commands from stdin).`,
    );
  }
  const steps = stepsOf(s);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skbd-skblab-'));
  const outFile = path.join(dir, 'out.txt');
  // Spawning the services and joining their consumer groups takes seconds of its own.
  const limit = (s.timeoutSec ?? 30) + (how.mode === 'distributed' ? 60 : 0);
  // The real side's host1 is a fresh namespace with lo only: the one-host topology, not the default two.
  const topo = ['-f', path.join(REPO_ROOT, s.topology ?? 'examples/one-host.yaml')];
  const shellArgs =
    how.mode === 'distributed'
      ? ['shell', '--mode', 'distributed', '--spawn', '--lab', how.labId, ...topo, 'host1']
      : ['shell', ...topo, 'host1'];
  try {
    const fd = fs.openSync(outFile, 'w');
    let exit: string;
    try {
      // bin/skblab and other .js scripts run under this node; anything else (SKBLAB_DIFF_BIN) is executed.
      const [cmd, args] = /\.js$|\/bin\/skblab$/.test(SKBLAB_BIN)
        ? [process.execPath, [SKBLAB_BIN, ...shellArgs]]
        : [SKBLAB_BIN, shellArgs];
      const r = spawnSync(cmd, args, {
        cwd: REPO_ROOT,
        input: scriptOf(steps),
        stdio: ['pipe', fd, fd],
        timeout: limit * 1000,
        killSignal: 'SIGKILL',
        env: { ...process.env, NO_COLOR: '1', LANG: 'C', LC_ALL: 'C' },
      });
      exit = r.error
        ? `${(r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${limit} s` : String(r.error)}`
        : `status ${r.status}${r.signal ? ` signal ${r.signal}` : ''}`;
    } finally {
      fs.closeSync(fd);
    }
    return splitRun('skblab', steps, fs.readFileSync(outFile, 'utf8'), exit);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
