import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScript } from '@skblab/shell';
import { oneHost } from './testing/one-host';

async function run(script: string) {
  const { shell, io } = oneHost();
  const status = await runScript(shell, script);
  return { ...io, status };
}

describe('tcpdump', () => {
  it('shows each packet on lo once, in tcpdump -n wording, and stops after -c packets', async () => {
    const r = await run('tcpdump -i lo -c 2 &\nping -c 1 127.0.0.1 >/dev/null\nwait\n');
    expect(r.out).toMatch(
      /^\d\d:\d\d:\d\d\.\d{6} IP 127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo request, id \d+, seq 1, length 64\n\d\d:\d\d:\d\d\.\d{6} IP 127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo reply, id \d+, seq 1, length 64\n$/,
    );
    expect(r.err).toContain('listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes');
    expect(r.err).toContain('2 packets captured');
  });

  it('-v puts the IPv4 header on a line of its own, the TOS ping -Q set included', async () => {
    const r = await run('tcpdump -i lo -v -c 2 &\nping -c 1 -Q 0x10 127.0.0.1 >/dev/null\nwait\n');
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{6} IP \(tos 0x10, ttl 64, id \d+, offset 0, flags \[DF\], proto ICMP \(1\), length 84\)$/,
    );
    expect(lines[1]).toMatch(
      /^ {4}127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo request, id \d+, seq 1, length 64$/,
    );
    // The reply keeps the request's TOS (icmp_reply) and, unlike the request, has no DF.
    expect(lines[2]).toMatch(
      / IP \(tos 0x10, ttl 64, id \d+, offset 0, flags \[none\], proto ICMP \(1\), length 84\)$/,
    );
    expect(r.err).not.toContain('verbose output suppressed');
    expect(r.err).toContain('tcpdump: listening on lo');
  });

  it('an expression picks the packets, and only those count as received by the filter', async () => {
    const r = await run(
      [
        'tcpdump -i lo -c 1 udp port 5000 &',
        'ping -c 1 127.0.0.1 >/dev/null',
        'nc -u -l 5000 > /dev/null &',
        'echo hi | nc -u -w1 127.0.0.1 5000',
        'wait',
      ].join('\n') + '\n',
    );
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ IP 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.5000: UDP, length 3$/);
    // The datagram passes lo's two taps; the ping's packets are not the filter's.
    expect(r.err).toContain('1 packet captured\n2 packets received by filter\n');
    // Past the count, nothing more is counted: the reply is not, on either pass.
    const icmp = await run('tcpdump -i lo -c 1 icmp &\nping -c 1 127.0.0.1 >/dev/null\nwait\n');
    expect(icmp.err).toContain('1 packet captured\n2 packets received by filter\n');
  });

  it("refuses an expression with libpcap's message, before listening", async () => {
    const r = await run('tcpdump -i lo udp port x\ntcpdump -i lo net 10.0.0.1/24\ntcpdump -i lo tcp and\n');
    expect(r.out).toBe('');
    expect(r.err).toBe(
      "tcpdump: unknown port 'x'\n" +
        'tcpdump: non-network bits set in "10.0.0.1/24"\n' +
        "tcpdump: can't parse filter expression: syntax error\n",
    );
    expect(r.status).toBe(1);
  });

  it("-vv checks UDP checksums: lo's are partial (offloaded), so tcpdump calls them bad, as on a real box", async () => {
    const r = await run(
      'tcpdump -vv -i lo -c 1 udp &\nnc -u -l 5000 > /dev/null &\necho hi | nc -u -w1 127.0.0.1 5000\nwait\n',
    );
    expect(r.out).toMatch(
      /\n {4}127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.5000: \[bad udp cksum 0x[0-9a-f]{4} -> 0x[0-9a-f]{4}!\] UDP, length 3\n$/,
    );
  });

  it('-vvv is refused as not modelled', async () => {
    const r = await run('tcpdump -vvv -i lo -c 1\n');
    expect(r).toEqual({
      out: '',
      err: 'tcpdump: -vvv is not modelled in skblab (-v and -vv are)\n',
      status: 1,
    });
  });

  it('sees both directions on a veth, ARP included, with -e link headers', async () => {
    const r = await run(
      [
        'ip link add veth0 type veth peer name veth1',
        'ip addr add 10.0.0.1/24 dev veth0',
        'ip netns add ns1',
        'ip link set veth1 netns ns1',
        'ip -n ns1 addr add 10.0.0.2/24 dev veth1',
        'ip -n ns1 link set veth1 up',
        'ip link set veth0 up',
        'tcpdump -e -i veth0 -c 4 &',
        'ping -c 1 10.0.0.2 >/dev/null',
        'wait',
      ].join('\n') + '\n',
    );
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length 42: Request who-has 10\.0\.0\.2 tell 10\.0\.0\.1, length 28$/,
    );
    expect(lines[1]).toMatch(
      /ethertype ARP \(0x0806\), length 42: Reply 10\.0\.0\.2 is-at [0-9a-f:]{17}, length 28$/,
    );
    expect(lines[2]).toMatch(
      /ethertype IPv4 \(0x0800\), length 98: 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request/,
    );
    expect(lines[3]).toMatch(/length 98: 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply/);
  });

  it('writes a pcap file with one record per frame (-w)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'skbpcap-')), 'lo.pcap');
    await run(`tcpdump -i lo -w ${file} -c 2 &\nping -c 1 127.0.0.1 >/dev/null\nwait\n`);
    const b = fs.readFileSync(file);
    expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(b.readUInt32LE(20)).toBe(1); // LINKTYPE_ETHERNET
    const caplen1 = b.readUInt32LE(24 + 8);
    expect(caplen1).toBe(98);
    expect(b.length).toBe(24 + 2 * (16 + 98));
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('refuses an unknown device and a bad count like tcpdump', async () => {
    expect((await run('tcpdump -i nosuch\n')).err).toBe(
      'tcpdump: nosuch: No such device exists\n(No such device exists)\n',
    );
    expect((await run('tcpdump -c abc\n')).err).toBe('tcpdump: invalid packet count abc\n');
  });
});
