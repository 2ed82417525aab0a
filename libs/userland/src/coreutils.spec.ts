/**
 * head, tail and wc against GNU coreutils 9.1 itself (LC_ALL=C): the same arguments over the same text (a
 * /proc file of a booted lab, piped, or as a file operand for head and tail), compared byte for byte with
 * the real tools' stdout, stderr and exit status.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readProcFile } from './procfs';
import { twoHosts } from './testing/two-hosts';

const lab = twoHosts();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-coreutils-'));

beforeAll(async () => {
  await lab.setup();
  await lab.run(lab.h1, 'ping -c 2 10.0.0.2');
  for (const f of ['/proc/net/snmp', '/proc/net/dev', '/proc/interrupts']) {
    const text = readProcFile(lab.h1.host, lab.h1.host.initNet, f)!;
    fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The real tool and ours on `args` (file operands written /proc/...); `piped`: that file on stdin. */
async function both(args: string[], piped?: string) {
  const [prog, ...rest] = args;
  const real = spawnSync(
    prog,
    rest.map((a) => (a.startsWith('/proc/') ? a.slice(1) : a)),
    {
      cwd: dir,
      encoding: 'utf8',
      input: piped ? fs.readFileSync(path.join(dir, piped)) : undefined,
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  if (real.error) throw real.error;
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const ours = await lab.run(lab.h1, `${piped ? `cat ${piped} | ` : ''}${args.map(quote).join(' ')}`);
  const unroot = (s: string) => s.replace(/\/proc\//g, 'proc/');
  return {
    ours: { out: unroot(ours.out), err: unroot(ours.err), status: ours.status },
    real: { out: real.stdout, err: real.stderr, status: real.status },
  };
}

const SNMP = '/proc/net/snmp';
const DEV = '/proc/net/dev';

describe('head, tail and wc, against GNU coreutils on the same text', () => {
  it.each([
    ['head', SNMP],
    ['head', '-n', '3', SNMP],
    ['head', '-3', SNMP],
    ['head', '-n', '-2', SNMP],
    ['head', '-c', '20', SNMP],
    ['head', '-c', '-1000', SNMP],
    ['head', '-n', '1K', SNMP],
    ['head', SNMP, DEV],
    ['head', '-q', '-n', '1', SNMP, DEV],
    ['head', '-v', '-n', '1', SNMP],
    ['head', '--lines=2', DEV],
    ['head', '-n', 'x', SNMP],
    ['head', '-n', '5x', SNMP],
    ['head', '-n'],
    ['head', '--foo'],
    ['head', '-x'],
    ['head', '/proc/net/nope', SNMP],
    ['tail', SNMP],
    ['tail', '-n', '2', SNMP],
    ['tail', '-2', SNMP],
    ['tail', '-n', '+3', DEV],
    ['tail', '-n', '0', SNMP],
    ['tail', '-c', '30', SNMP],
    ['tail', '-c', '+1300', SNMP],
    ['tail', '-n', '1', SNMP, DEV],
    ['tail', '-c', 'x', SNMP],
    ['tail', '/proc/net/nope'],
    ['wc', '--lines=x'],
    ['wc', '-x'],
    ['wc', '--l'],
  ])('%s', async (...args) => {
    const { ours, real } = await both(args as string[]);
    expect(ours).toEqual(real);
  });

  it.each([
    [['head', '-n', '2'], SNMP],
    [['head', '-n', '-3', '-'], DEV],
    [['tail', '-n', '+2'], DEV],
    [['wc'], SNMP],
    [['wc', '-l'], SNMP],
    [['wc', '-w', '-c'], DEV],
    [['wc', '-L'], '/proc/interrupts'],
    [['wc', '-m', '-'], SNMP],
    [['wc', '--words'], DEV],
  ])('%j piped from cat %s', async (args, file) => {
    const { ours, real } = await both(args, file);
    expect(ours).toEqual(real);
  });

  it('wc of /proc files: their size is 0, so the columns are as narrow as the numbers (1)', async () => {
    const r = await lab.run(lab.h1, `wc ${SNMP} ${DEV}`);
    const count = (f: string) => {
      const t = readProcFile(lab.h1.host, lab.h1.host.initNet, f)!;
      return [t.split('\n').length - 1, t.split(/\s+/).filter(Boolean).length, t.length];
    };
    const [a, b] = [count(SNMP), count(DEV)];
    expect(r.out).toBe(
      `${a.join(' ')} ${SNMP}\n${b.join(' ')} ${DEV}\n${a.map((v, i) => v + b[i]).join(' ')} total\n`,
    );
    expect(r.status).toBe(0);
  });
});
