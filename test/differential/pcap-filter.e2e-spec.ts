/**
 * tcpdump's filter expressions against the real tcpdump 4.99.3 (libpcap 1.10): each expression is run by
 * the real one over the golden captures (test/golden/wire: frames of the real kernel, and synthetic ones)
 * with `tcpdump -n -t -r`, and the lines it prints must be the lines of the frames our filter passes; a
 * refused expression must give the same message.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFrame } from '@skblab/wire/print';
import { compileFilter, FilterError } from '@skblab/userland/pcap-filter';

const DIR = path.join(__dirname, '../golden/wire');
const PCAPS = ['lo.pcap', 'veth.pcap', 'fwd.pcap', 'synthetic.pcap'];

function readPcap(file: string): Uint8Array[] {
  const b = fs.readFileSync(path.join(DIR, file));
  const frames: Uint8Array[] = [];
  for (let p = 24; p < b.length; ) {
    const caplen = b.readUInt32LE(p + 8);
    frames.push(new Uint8Array(b.subarray(p + 16, p + 16 + caplen)));
    p += 16 + caplen;
  }
  return frames;
}

function real(file: string, expr: string): { lines: string[]; err: string } {
  const r = spawnSync('tcpdump', ['-n', '-t', '-r', path.join(DIR, file), expr], { encoding: 'utf8' });
  if (r.error) throw r.error;
  const err = r.stderr
    .split('\n')
    .filter((l) => l && !l.startsWith('reading from file'))
    .join('\n');
  // One record per frame: the first line of each (a hex dump or a quoted datagram follows on indented lines,
  // which the default verbosity of our printer leaves out, as print.ts says).
  return { lines: r.stdout.split('\n').filter((l) => l && !/^(\t| {4})/.test(l)), err };
}

function ours(file: string, expr: string): { lines: string[]; err: string } {
  try {
    const pass = compileFilter(expr, () => null);
    return { lines: readPcap(file).filter(pass).map(formatFrame), err: '' };
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return { lines: [], err: `tcpdump: ${e.message}` };
  }
}

const PASSING = [
  'icmp',
  'udp',
  'tcp',
  'arp',
  'ip',
  'not ip',
  'ip6',
  'udp or arp',
  'icmp and not udp',
  '! icmp && ! arp',
  'host 10.0.0.254',
  'src host 10.0.0.1',
  'dst 10.0.0.254',
  'src or dst 10.0.0.1',
  'src and dst 127.0.0.1',
  'host 10.0.0.1 or 10.0.1.2',
  'net 10.0.1.0/24',
  'net 10.0.0.0 mask 255.255.255.0',
  'net 10',
  'dst net 198.51.100.0/24',
  'port 6000',
  'udp port 6001',
  'tcp port 7000',
  'src port 5000',
  'dst port 6000 or 6001',
  'portrange 5000-5001',
  'tcp dst portrange 6000-7000',
  'ip proto 1',
  'ip proto \\udp',
  'less 60',
  'greater 1000',
  'broadcast',
  'arp host 10.0.0.254',
  'ip host 10.0.0.254',
  '(udp or icmp) and host 10.0.0.1',
  'udp or icmp and host 10.0.0.1',
  'not (port 6000 or arp)',
  'port domain',
  'icmp or (udp and not port 5000)',
  'port 6000 or 6001 and udp',
  'not udp or arp',
  'host 10.0.0.254 and not arp',
  'src 10.0.0.1 and dst port 6000',
  'ether broadcast',
  'greater 100 and icmp',
  'udp and (src port 5000 or dst port 6001)',
  'net 192.0.2',
  'host 10.0.0.1 and (udp || icmp)',
  'ip proto 1 or 17',
  'proto 1',
  'ip proto 0x11',
  'port 0x1770',
  'port 013560',
  'less 0x40',
  'portrange 6000',
  'host 127.1',
  'net 127.1',
  'host 10.1',
  'not not udp',
  'tcp or udp port 5000',
  'dst portrange 1-6000',
  'src and dst net 10.0.0.0/8',
  'multicast',
  'ip multicast',
  'ether broadcast or arp',
  'ether proto 0x0806',
  'ether src 02:00:00:00:00:01',
  'ether dst host 02:00:00:00:00:fe',
  'host 10.0.0.254 or 10.0.0.1 and udp',
];

const REFUSED = [
  'foo',
  'host',
  'port x',
  'udp port 99999',
  'tcp and',
  '(udp',
  'udp)',
  'net 10.0.0.0/33',
  'net 10.0.0.1/24',
  'src port 1 or',
  'less x',
  'not',
  'and udp',
  '10.0.0.1',
  'not 10.0.0.1',
  'udp or 10.0.0.1',
  '(host 10.0.0.1) or 10.0.0.254',
  'host 10.0.0.1 and udp and 10.0.0.2',
  'port 6000 and udp or 6001',
  'less 100 or 10.0.0.1',
  'ip proto icmp',
  'ip port 53',
  'icmp port 5',
  'arp port 5',
  'tcp host 10.0.0.1',
  'udp net 10.0.0.0/8',
  'ip6 host 10.0.0.1',
  'host 10.0.0.0/24',
  'host 10.0.0.256',
  'net 10/8',
  'net 10.0.0.0/8 mask 255.0.0.0',
  'port -1',
  'portrange 5-x',
  'Host 10.0.0.1',
  'UDP',
  'src',
  '()',
];

describe('tcpdump filter expressions, against the real tcpdump on the golden captures', () => {
  beforeAll(() => {
    const v = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
    if (v.error) throw new Error('tcpdump is needed (tools/ensure-os-packages.sh installs it)');
  });

  it.each(PASSING)('%s', (expr) => {
    for (const file of PCAPS) {
      const theirs = real(file, expr);
      expect({ file, ...ours(file, expr) }).toEqual({ file, ...theirs });
    }
  });

  it.each(REFUSED)("%s is refused with libpcap's message", (expr) => {
    const theirs = real('lo.pcap', expr);
    expect(theirs.err).toMatch(/^tcpdump: /);
    expect(ours('lo.pcap', expr)).toEqual(theirs);
  });
});
