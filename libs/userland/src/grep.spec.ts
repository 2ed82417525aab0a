/**
 * grep against GNU grep 3.8 itself: the same arguments over the same text (a /proc file of a booted lab, as a
 * file operand and piped), compared byte for byte with the real one's stdout, stderr and exit status.
 */
import { againstReal } from './testing/against-real';

const real = againstReal(['ping -c 2 10.0.0.2', 'ping -c 1 10.0.0.9']);
const lab = real.lab;
/** Both greps on `args`; for `piped`, the file comes on standard input. */
const both = (args: string[], piped?: string) => real.both(['grep', ...args], piped);

const CASES: string[][] = [
  ['Ip:', '/proc/net/snmp'],
  ['-A1', '^Ip:', '/proc/net/snmp'],
  ['-A', '1', '-n', '^Icmp:', '/proc/net/snmp'],
  ['-B1', 'eth0', '/proc/net/dev'],
  ['-C1', '-n', 'lo\\|eth0', '/proc/net/dev'],
  ['lo|eth0', '/proc/net/dev'],
  ['-E', 'lo|eth0', '/proc/net/dev'],
  ['-E', '^(Udp|Ip):', '/proc/net/snmp'],
  ['-c', 'Ip', '/proc/net/snmp', '/proc/net/dev'],
  ['-H', '-m', '1', 'Udp', '/proc/net/snmp'],
  ['-h', 'eth0', '/proc/net/dev', '/proc/interrupts'],
  ['-A1', 'eth0', '/proc/net/dev', '/proc/interrupts'],
  ['-o', '[[:digit:]]\\+', '/proc/interrupts'],
  ['-ow', 'eth0', '/proc/net/dev'],
  ['-x', 'Ip: Forwarding DefaultTTL InReceives InHdrErrors', '/proc/net/snmp'],
  ['-vc', 'Ip', '/proc/net/snmp'],
  ['-i', 'icmpmsg', '/proc/net/snmp'],
  ['-F', '.', '/proc/net/snmp'],
  ['-e', 'Udp:', '-e', 'Tcp:', '/proc/net/snmp'],
  ['-q', 'Ip', '/proc/net/snmp'],
  ['-q', 'nothing-here', '/proc/net/snmp'],
  ['Ip', '/proc/net/nope'],
  ['-s', 'Ip', '/proc/net/nope', '/proc/net/snmp'],
  ['-m', '2', '-A', '3', 'I', '/proc/net/snmp'],
  ['\\<eth', '/proc/net/dev'],
  ['-A', 'x', 'Ip', '/proc/net/snmp'],
  ['-j', 'Ip', '/proc/net/snmp'],
  ['--count', 'Ip', '/proc/net/snmp'],
  ['--after-context=1', '--line-number', '^Udp:', '/proc/net/snmp'],
  ['--max-count', '1', '--regexp=Icmp', '/proc/net/snmp'],
  ['--nope', 'Ip', '/proc/net/snmp'],
  ['--count=3', 'Ip', '/proc/net/snmp'],
  ['Ip', '/proc/net/snmp', '--context'],
  ['-A', 'x', '-j', 'Ip', '/proc/net/snmp'],
  ['-n', '--', '-Ip', '/proc/net/snmp'],
  ['-m'],
  ['-e'],
  [],
  ['\\(', '/proc/net/snmp'],
  ['-E', '(', '/proc/net/snmp'],
  ['[abc', '/proc/net/snmp'],
  ['-A0', 'I', '/proc/net/snmp'],
  ['-C0', '-n', 'eth0\\|lo', '/proc/net/dev'],
  ['-B0', 'Udp', '/proc/net/snmp'],
  ['-o', '-A1', 'Ip', '/proc/net/snmp'],
  ['-o', '-C1', 'eth[0-9]', '/proc/net/dev'],
  ['--cou', 'Ip', '/proc/net/snmp'],
  ['--co', 'Ip', '/proc/net/snmp'],
  ['--after=1', '^Udp:', '/proc/net/snmp'],
  ['\\d', '/proc/net/snmp'],
  ['I\\p', '/proc/net/snmp'],
  ['-c', '[[:print:]]', '/proc/net/snmp'],
  ['-c', '[[:graph:]]', '/proc/net/dev'],
  ['-c', '[[:cntrl:]]', '/proc/net/dev'],
  ['-c', '[[:punct:]]', '/proc/net/dev'],
  ['-c', '[[:xdigit:]]', '/proc/net/dev'],
  ['-c', '[[:blank:]]', '/proc/net/dev'],
  ['[:digit:]', '/proc/net/snmp'],
  ['[[:foo:]]', '/proc/net/snmp'],
  ['-E', 'I{1', '/proc/net/snmp'],
  ['I\\{1', '/proc/net/snmp'],
  ['-l', 'Ip', '/proc/net/snmp', '/proc/net/dev'],
  ['-L', 'Ip', '/proc/net/snmp', '/proc/net/dev'],
  ['-w', 'Ip', '/proc/net/snmp'],
  ['-A0', '-C1', '^Udp:', '/proc/net/snmp'],
  ['-C1', '-B0', '^Udp:', '/proc/net/snmp'],
  ['-lc', 'Ip', '/proc/net/snmp', '/proc/net/dev'],
  ['-Lv', 'Ip', '/proc/net/snmp', '/proc/net/dev'],
  ['-lq', 'Ip', '/proc/net/snmp'],
  ['--files', 'Ip', '/proc/net/snmp'],
  ['--files-with', 'Ip', '/proc/net/snmp', '/proc/net/dev'],
  ['--fixed', '.', '/proc/net/snmp'],
  ['--n', 'Ip', '/proc/net/snmp'],
  ['-E', 'I{1,0}', '/proc/net/snmp'],
  ['-E', 'p{2}|I{1}c', '/proc/net/snmp'],
  ['I\\{1,0\\}', '/proc/net/snmp'],
  ['p\\{1,\\}I', '/proc/net/snmp'],
  ['\\w\\+:', '/proc/net/dev'],
  ["Udp\\'", '/proc/net/snmp'],
  // A repetition of a repetition; back-references, numbered across -e patterns.
  ['-c', 'a**', '/proc/net/snmp'],
  ['-cE', 'a+*', '/proc/net/snmp'],
  ['-cE', 'p?+:', '/proc/net/snmp'],
  ['-cE', 'I{1}*', '/proc/net/snmp'],
  ['-c', 'a\\{1,2\\}\\{2\\}', '/proc/net/snmp'],
  ['-c', '-e', '\\(I\\)\\1', '-e', '\\(p\\)\\1', '/proc/net/snmp'],
  ['-E', '-o', '-e', '(c)\\1', '-e', '(t)\\1', '/proc/net/snmp'],
  ['\\1', '/proc/net/snmp'],
  ['-E', '(I)\\2', '/proc/net/snmp'],
  // -NUM, numbers as xstrtoimax reads them, -m 0.
  ['-2', 'Forw', '/proc/net/snmp'],
  ['-1n2', 'Udp:', '/proc/net/snmp'],
  ['-A', '+1', 'Udp:', '/proc/net/snmp'],
  ['-A', ' 1', 'Udp:', '/proc/net/snmp'],
  ['-A', '-1', 'Udp:', '/proc/net/snmp'],
  ['-m', '+1', 'I', '/proc/net/snmp'],
  ['-c', '-m0', 'Ip', '/proc/net/snmp'],
  ['-m0', '[', '/proc/net/nope'],
  // Nothing to repeat, and the patterns GNU regex refuses.
  ['-c', 'x\\|*I', '/proc/net/snmp'],
  ['-cE', '*Ip', '/proc/net/snmp'],
  ['-cE', 'x|+Ip', '/proc/net/snmp'],
  ['-E', ')', '/proc/net/snmp'],
  ['-E', 'I{}', '/proc/net/snmp'],
  ['Ip\\', '/proc/net/snmp'],
  ['[z-a]', '/proc/net/snmp'],
  ['[[:alpha:]-z]', '/proc/net/snmp'],
  ['-c', '[a-c-e]', '/proc/net/snmp'],
  ['-c', '[[.a.]]', '/proc/net/snmp'],
  ['-c', '[[=a=]]', '/proc/net/snmp'],
  ['[[.ab.]]', '/proc/net/snmp'],
  ['-c', '[]a]', '/proc/net/snmp'],
  ['-c', '[^]a-z]', '/proc/net/dev'],
  // A BRE's ^ and $ anchor only at the ends of the pattern, a group or an alternative.
  ['-c', 'p^I', '/proc/net/snmp'],
  ['-c', 's$ I', '/proc/net/snmp'],
  ['-c', '\\(^Ip\\)', '/proc/net/snmp'],
  ['-c', 'rs$\\|^Tcp', '/proc/net/snmp'],
  ['-c', '^^I', '/proc/net/snmp'],
  ['-cE', 'p^I', '/proc/net/snmp'],
];

describe('grep, against GNU grep 3.8 on the same text', () => {
  it.each(CASES.map((c) => [c.join(' '), c]))('grep %s', async (_, args) => {
    const { ours, real } = await both(args as string[]);
    expect(ours).toEqual(real);
  });

  it.each([
    [['-n', 'Udp'], '/proc/net/snmp'],
    [['-H', '-c', 'lo'], '/proc/net/dev'],
    [['-A1', 'Ip:'], '/proc/net/snmp'],
    [['-l', 'Ip'], '/proc/net/snmp'],
  ])('%j piped from cat %s', async (args, file) => {
    const { ours, real } = await both(args, file);
    expect(ours).toEqual(real);
  });
});

describe("grep's options the lab does not model", () => {
  it.each([
    ['grep --color Ip /proc/net/snmp', 'grep: --color: not modelled in this lab\n'],
    ['grep --colour=never Ip /proc/net/snmp', 'grep: --colour: not modelled in this lab\n'],
    ['grep -r Ip /proc/net', 'grep: -r: not modelled in this lab\n'],
  ])('%s says so, and exits 2 as for any bad usage', async (line, err) => {
    const r = await lab.run(lab.h1, line);
    expect(r).toEqual({ out: '', err, status: 2 });
  });
});
