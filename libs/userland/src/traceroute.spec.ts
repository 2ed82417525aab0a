/**
 * traceroute's command line as traceroute 2.1.2 (Debian 12) reads it through CLIF: each message and exit
 * status below is what the real tool printed for the same words, and -t's TOS is what it put on the wire.
 */
import { runScript } from '@skblab/shell';
import { oneHost } from './testing/one-host';

async function run(line: string) {
  const { shell, io, tosOut } = oneHost();
  const status = await runScript(shell, `${line}\necho "status $?"\n`);
  return { ...io, status, tos: tosOut };
}

describe('traceroute: the command line', () => {
  it.each([
    ['-m 0 127.0.0.1', 'first hop out of range'],
    ['-f 5 -m 4 127.0.0.1', 'first hop out of range'],
    ['-m 256 127.0.0.1', 'max hops cannot be more than 255'],
    ['-m -1 127.0.0.1', 'max hops cannot be more than 255'],
    ['-q 0 -n 127.0.0.1', 'no more than 10 probes per hop'],
    ['-q 11 127.0.0.1', 'no more than 10 probes per hop'],
    ['-w -1 127.0.0.1', "bad wait specifications `-1,0,0' used"],
    ['-w 1,-2 127.0.0.1', "bad wait specifications `1,-2,0' used"],
    ['-w 1,2,3,4 127.0.0.1', "Cannot handle `-w' option with arg `1,2,3,4' (argc 2)"],
    ['-n -w 2,,3 127.0.0.1', "Cannot handle `-w' option with arg `2,,3' (argc 3)"],
    ['-n -m x 127.0.0.1 1', "Cannot handle `-m' option with arg `x' (argc 3)"],
    ['-mx 127.0.0.1', "Cannot handle `-m' option with arg `x' (argc 1)"],
    ['-t abc 127.0.0.1', "Cannot handle `-t' option with arg `abc' (argc 2)"],
    ['-n -t 0x1g 127.0.0.1', "Cannot handle `-t' option with arg `0x1g' (argc 3)"],
    ['-t 0x10 -t 127.0.0.1', "Cannot handle `-t' option with arg `127.0.0.1' (argc 4)"],
    ['-n -m', "Option `-m' (argc 2) requires an argument: `-m max_ttl'"],
    ['-nq1 127.0.0.1', "Option `-q' (argc 1) requires an argument: `-q nqueries'"],
    ['--max-hops 3 127.0.0.1', "Option `--max-hops' (argc 1) requires an argument: `--max-hops=max_ttl'"],
    ['--max=3 127.0.0.1', "Bad option `--max=3' (with arg `3') (argc 1)"],
    ['--foo 127.0.0.1', "Bad option `--foo' (argc 1)"],
    ['--queries=x 127.0.0.1', "Cannot handle `--queries' option with arg `x' (argc 1)"],
    ['-nx 127.0.0.1', "Bad option `-x' (argc 1)"],
    ['-n 127.0.0.1 -5', "Bad option `-5' (argc 3)"],
    ['-n', 'Specify "host" missing argument.'],
    ['-nm 5', 'Specify "host" missing argument.'],
    [
      'nosuch.invalid',
      'nosuch.invalid: Name or service not known\nCannot handle "host" cmdline arg `nosuch.invalid\' on position 1 (argc 1)',
    ],
    ['-n 127.0.0.1 a', 'Cannot handle "packetlen" cmdline arg `a\' on position 2 (argc 3)'],
    ['-n 127.0.0.1 0x', 'Cannot handle "packetlen" cmdline arg `0x\' on position 2 (argc 3)'],
    ['-n 127.0.0.1 40 50', "Extra arg `50' (position 3, argc 4)"],
    ['-n 127.0.0.1 65001', 'too big packetlen 65001 specified'],
  ])('traceroute %s', async (args, message) => {
    const r = await run(`traceroute ${args}`);
    expect(r.err).toBe(`${message}\n`);
    expect(r.out).toBe('status 2\n');
    expect(r.tos.size).toBe(0); // nothing was sent
  });

  it('without arguments, and with --help, prints its help to stderr and exits 0', async () => {
    for (const line of ['traceroute', 'traceroute -n 127.0.0.1 --help']) {
      const r = await run(line);
      expect(r.err).toMatch(/^Usage:\n {2}traceroute \[ -46dFITnreAUDV \]/);
      expect(r.err).toMatch(/\n {6}packetlen {5}The full packet length/);
      expect(r.out).toBe('status 0\n');
    }
  });

  it('parses the methods the lab lacks as traceroute does, then says they are not modelled', async () => {
    const r = await run('traceroute -n -I 127.0.0.1');
    expect(r.err).toBe('-I: not modelled in this lab (it traces with UDP probes only)\n');
    expect(r.out).toBe('status 2\n');
    // Their arguments are taken as traceroute takes them.
    expect((await run('traceroute --fwmark 127.0.0.1')).err).toBe(
      "Option `--fwmark' (argc 1) requires an argument: `--fwmark=num'\n",
    );
  });

  it('-V prints the version to stderr and exits 0', async () => {
    const r = await run('traceroute -nV');
    expect(r.err).toBe(
      'Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n',
    );
    expect(r.out).toBe('status 0\n');
  });

  it.each([
    ['-q 0x2 -n 127.0.0.1', 30, 60, 2],
    ['-n -m 010 127.0.0.1', 8, 60, 3],
    ['127.0.0.1 -n -q1', 30, 60, 1],
    ['-n 127.0.0.1 0x40', 30, 64, 3],
    ['-n 127.0.0.1 4294967336', 30, 40, 3],
    ['-n 127.0.0.1 -- 40', 30, 40, 3],
    ['-n 127.0.0.1 10', 30, 28, 3],
    ['--max-hops=3 -n 127.0.0.1', 3, 60, 3],
    ['-N 0 -n -p 70000 127.0.0.1', 30, 60, 3],
  ])('traceroute %s: numbers as strtoul(.., 0) reads them', async (args, hops, size, probes) => {
    const r = await run(`traceroute ${args}`);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`traceroute to 127.0.0.1 (127.0.0.1), ${hops} hops max, ${size} byte packets`);
    expect(lines[1]).toMatch(new RegExp(`^ 1  127\\.0\\.0\\.1(  \\d+\\.\\d{3} ms){${probes}}$`));
    expect(lines[2]).toBe('status 0');
  });

  it.each([
    ['0x10', 0x10],
    ['020', 0x10],
    ['-1', 0xff],
    ['256', 0],
    ['4294967297', 1],
    ['0x3', 3],
  ])('-t %s puts TOS %i on the probes (the low byte, as IP_TOS keeps it)', async (value, tos) => {
    const r = await run(`traceroute -n -q 1 -t ${value} 127.0.0.1`);
    expect(r.err).toBe('');
    expect([...r.tos]).toEqual([tos]);
  });
});
