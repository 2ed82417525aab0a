/**
 * head, tail and wc against GNU coreutils 9.1 itself (LC_ALL=C): the same arguments over the same text (a
 * /proc file of a booted lab, piped, or as a file operand for head and tail), compared byte for byte with
 * the real tools' stdout, stderr and exit status.
 */
import { spawnSync } from 'node:child_process';
import { counts } from './coreutils';
import { readProcFile } from './procfs';
import { againstReal } from './testing/against-real';

const { lab, both } = againstReal(['ping -c 2 10.0.0.2']);

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
    ['head', '-c', '1k', SNMP],
    ['head', '-c', '1KB', SNMP],
    ['head', '-c', '1kiB', SNMP],
    ['head', '-c', '1KD', SNMP],
    ['head', '-c', '1R', SNMP],
    ['head', '-c', '1Y', SNMP],
    ['head', '-c', '1bB', SNMP],
    ['head', '-c', ' 3', SNMP],
    ['head', '-n', '99999999999999999999999', SNMP],
    ['head', '-3c', SNMP],
    ['tail', '-3c', SNMP],
    ['tail', '-2l', SNMP],
    ['tail', '+9', SNMP],
    ['tail', '-2', SNMP, DEV],
    ['tail', '+2', SNMP, DEV],
    ['head', '-n', '1', '-2', SNMP],
    ['head', '--v', SNMP],
    ['tail', '--s', SNMP],
    ['head', '--version'],
    ['tail', '--help'],
    ['wc', '--version'],
    ['head', '-h'],
    ['head', '-n', '-x', SNMP],
    ['head', '-n', '--x', SNMP],
    ['tail', '--retry', '-n', '1', SNMP],
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
    [['head', '-n', '1', '-', '-'], SNMP],
    [['tail', '-n', '1', '-', '-'], SNMP],
    [['wc', '-', '-'], SNMP],
    [['wc', '-l', '-', '/proc/net/nope'], SNMP],
    [['cat', '-', '-'], DEV],
    [['grep', '-c', 'eth', '-', '-'], DEV],
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

describe("wc's counts of bytes a lab's text cannot easily hold", () => {
  // Tabs, carriage returns, form feeds, unprintable bytes: wc -lwcL of the real wc on the same bytes.
  it.each(['a\tbc\rxy\n', '\x01\n', 'x\fyy\n\x7f z', 'a\t\tb\n\n', ' \v word  '])('%j', (text) => {
    const real = spawnSync('wc', ['-l', '-w', '-c', '-L'], {
      input: text,
      encoding: 'utf8',
      env: { LC_ALL: 'C' },
    });
    const c = counts(Buffer.from(text));
    expect([c.l, c.w, c.c, c.L].join(' ')).toBe(real.stdout.trim().split(/\s+/).join(' '));
  });
});
