/**
 * A text tool of the lab against the real one on the same text: a booted two-host lab (after `setup`
 * lines on h1), its /proc files written under a temporary folder for the real tool, and `both(argv,
 * piped?)` running the same command line in both (file operands written /proc/...; `piped`: that file on
 * standard input), with the real one in the C locale. Call it at the top of a spec: it adds the hooks.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readProcFile } from '../procfs';
import { twoHosts } from './two-hosts';

const FILES = ['/proc/net/snmp', '/proc/net/dev', '/proc/interrupts'];

export function againstReal(setup: string[]) {
  const lab = twoHosts();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-real-'));
  beforeAll(async () => {
    await lab.setup();
    for (const line of setup) await lab.run(lab.h1, line);
    for (const f of FILES) {
      fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), readProcFile(lab.h1.host, lab.h1.host.initNet, f)!);
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function both(argv: string[], piped?: string) {
    const [prog, ...args] = argv;
    const real = spawnSync(
      prog,
      args.map((a) => (a.startsWith('/proc/') ? a.slice(1) : a)),
      {
        cwd: dir,
        encoding: 'utf8',
        input: piped ? fs.readFileSync(path.join(dir, piped)) : undefined,
        env: { ...process.env, LC_ALL: 'C' },
      },
    );
    if (real.error) throw real.error;
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const ours = await lab.run(lab.h1, `${piped ? `cat ${piped} | ` : ''}${argv.map(quote).join(' ')}`);
    const unroot = (s: string) => s.replace(/\/proc\//g, 'proc/');
    return {
      ours: { out: unroot(ours.out), err: unroot(ours.err), status: ours.status },
      real: { out: real.stdout, err: real.stderr, status: real.status },
    };
  }
  return { lab, both };
}
