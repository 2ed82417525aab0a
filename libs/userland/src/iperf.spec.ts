/**
 * iperf -u driven through the shell in a real Lab. The expected reports are iperf 2.1.8's (Debian 12) for
 * the same commands on 127.0.0.1 in a network namespace: same datagram counts, transfers and rates
 * (iperf's own timing jitter aside); ephemeral ports are masked.
 */
import { AF_INET, SOCK_DGRAM, snmp_seq_show, type Net } from '@skblab/kernel';
import { Task } from '@skblab/runtime';
import { runScript } from '@skblab/shell';
import { oneHost } from './testing/one-host';
import { byteAtof, byteSnprintf, clientDatagram } from './iperf';

function udp(net: Net): Record<string, number> {
  const rows = snmp_seq_show(net)
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = rows[0].split(' ').slice(1);
  const values = rows[1].split(' ').slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

function delta(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(b)
      .filter((k) => a[k] !== b[k])
      .map((k) => [k, b[k] - a[k]]),
  );
}

const newLab = oneHost;

async function run(script: string) {
  const { lab, host, shell, io } = newLab();
  const before = udp(host.initNet);
  const t0 = lab.now();
  const wall = Date.now();
  const status = await runScript(shell, script);
  return {
    ...io,
    status,
    lab,
    udp: delta(before, udp(host.initNet)),
    elapsed: lab.now() - t0,
    wallMs: Date.now() - wall,
  };
}

const mask = (s: string) => s.replace(/port \d{5}/g, 'port P');
const lines = (s: string) => mask(s).split('\n');

const SEP = '------------------------------------------------------------';
const SERVER_BANNER = [
  SEP,
  'Server listening on UDP port 5001',
  'UDP buffer size:  208 KByte (default)',
  SEP,
];
const clientBanner = (len = 1470, ipg = '11215.21') => [
  SEP,
  'Client connecting to 127.0.0.1, UDP port 5001',
  `Sending ${len} byte datagrams, IPG target: ${ipg} us (kalman adjust)`,
  'UDP buffer size:  208 KByte (default)',
  SEP,
  '[  1] local 127.0.0.1 port P connected with 127.0.0.1 port 5001',
];
const JITTER_HEADER = '[ ID] Interval       Transfer     Bandwidth        Jitter   Lost/Total Datagrams';
const BW_HEADER = '[ ID] Interval       Transfer     Bandwidth';

describe('iperf -u: client and server on 127.0.0.1', () => {
  it('iperf -c 127.0.0.1 -u -t 2: 181 datagrams and the FIN at 1 Mbit/s, the server report comes back', async () => {
    const r = await run('iperf -s -u &\niperf -c 127.0.0.1 -u -t 2\necho $?\n');
    expect(lines(r.out)).toEqual([
      ...SERVER_BANNER,
      ...clientBanner(),
      '[  1] local 127.0.0.1 port 5001 connected with 127.0.0.1 port P',
      JITTER_HEADER,
      BW_HEADER,
      '[  1] 0.0000-2.0187 sec   261 KBytes  1.06 Mbits/sec',
      '[  1] Sent 183 datagrams',
      '[  1] 0.0000-2.0187 sec   261 KBytes  1.06 Mbits/sec   0.000 ms 0/182 (0%)',
      '[  1] Server Report:',
      JITTER_HEADER,
      '[  1] 0.0000-2.0187 sec   261 KBytes  1.06 Mbits/sec   0.000 ms 0/182 (0%)',
      '0',
      '',
    ]);
    expect(r.err).toBe('');
    // 182 datagrams to the server, its report back.
    expect(r.udp).toEqual({ OutDatagrams: 183, InDatagrams: 183 });
    expect(r.elapsed).toBeGreaterThan(2.01e9);
    expect(r.elapsed).toBeLessThan(2.03e9);
  });

  it('a 10 s test at the default rate runs in simulated time, in a fraction of a second', async () => {
    const r = await run('iperf -s -u &\niperf -c 127.0.0.1 -u\n');
    expect(mask(r.out)).toContain(
      '[  1] 0.0000-10.0152 sec  1.25 MBytes  1.05 Mbits/sec\n[  1] Sent 896 datagrams\n',
    );
    expect(r.out).toContain('[  1] 0.0000-10.0152 sec  1.25 MBytes  1.05 Mbits/sec   0.000 ms 0/895 (0%)\n');
    expect(r.udp).toEqual({ OutDatagrams: 896, InDatagrams: 896 });
    expect(r.elapsed).toBeGreaterThan(10e9);
    expect(r.wallMs).toBeLessThan(5000);
  });

  it('-n 100000: the last datagram carries the remaining 40 bytes', async () => {
    const r = await run('iperf -s -u &\niperf -c 127.0.0.1 -u -n 100000\n');
    expect(lines(r.out).filter((l) => /^\[ {2}1\] (0\.|Sent)/.test(l))).toEqual([
      '[  1] 0.0000-0.7626 sec  99.1 KBytes  1.06 Mbits/sec',
      '[  1] Sent 71 datagrams',
      '[  1] 0.0000-0.7626 sec  99.1 KBytes  1.06 Mbits/sec   0.000 ms 0/70 (0%)',
      '[  1] 0.0000-0.7626 sec  99.1 KBytes  1.06 Mbits/sec   0.000 ms 0/70 (0%)',
    ]);
  });

  it('-t 3 -i 1 -b 2M -l 1000: interval reports on both sides', async () => {
    const r = await run('iperf -s -u -i 1 &\niperf -c 127.0.0.1 -u -t 3 -i 1 -b 2M -l 1000\n');
    expect(lines(r.out).slice(4)).toEqual([
      ...clientBanner(1000, '3814.70'),
      '[  1] local 127.0.0.1 port 5001 connected with 127.0.0.1 port P',
      JITTER_HEADER,
      BW_HEADER,
      '[  1] 0.0000-1.0000 sec   258 KBytes  2.11 Mbits/sec',
      '[  1] 0.0000-1.0000 sec   258 KBytes  2.11 Mbits/sec   0.000 ms 0/264 (0%)',
      '[  1] 1.0000-2.0000 sec   256 KBytes  2.10 Mbits/sec',
      '[  1] 1.0000-2.0000 sec   256 KBytes  2.10 Mbits/sec   0.000 ms 0/262 (0%)',
      '[  1] 2.0000-3.0000 sec   256 KBytes  2.10 Mbits/sec',
      '[  1] 2.0000-3.0000 sec   256 KBytes  2.10 Mbits/sec   0.000 ms 0/262 (0%)',
      '[  1] 0.0000-3.0060 sec   771 KBytes  2.10 Mbits/sec',
      '[  1] Sent 791 datagrams',
      // The last 6 ms are under a quarter interval: the server folds them into the total only.
      '[  1] 0.0000-3.0060 sec   771 KBytes  2.10 Mbits/sec   0.000 ms 0/790 (0%)',
      '[  1] Server Report:',
      JITTER_HEADER,
      '[  1] 0.0000-3.0060 sec   771 KBytes  2.10 Mbits/sec   0.000 ms 0/790 (0%)',
      '',
    ]);
  });

  it('-t 2.5 -i 1: the client skips the partial last interval, the server reports it', async () => {
    const r = await run('iperf -s -u -i 1 &\niperf -c 127.0.0.1 -u -t 2.5 -i 1\n');
    const body = lines(r.out).filter((l) => /^\[ {2}1\] \d/.test(l));
    expect(body).toEqual([
      '[  1] 0.0000-1.0000 sec   131 KBytes  1.07 Mbits/sec',
      '[  1] 0.0000-1.0000 sec   131 KBytes  1.07 Mbits/sec   0.000 ms 0/91 (0%)',
      '[  1] 1.0000-2.0000 sec   128 KBytes  1.05 Mbits/sec',
      '[  1] 1.0000-2.0000 sec   128 KBytes  1.05 Mbits/sec   0.000 ms 0/89 (0%)',
      '[  1] 0.0000-2.5122 sec   324 KBytes  1.06 Mbits/sec',
      '[  1] 2.0000-2.5122 sec  66.0 KBytes  1.06 Mbits/sec   0.000 ms 0/46 (0%)',
      '[  1] 0.0000-2.5122 sec   324 KBytes  1.06 Mbits/sec   0.000 ms 0/226 (0%)',
      '[  1] 0.0000-2.5122 sec   324 KBytes  1.06 Mbits/sec   0.000 ms 0/226 (0%)',
    ]);
  });

  it('the server numbers its tests and keeps running until the job is stopped', async () => {
    const r = await run('iperf -s -u &\niperf -c 127.0.0.1 -u -t 0.3\niperf -c 127.0.0.1 -u -t 0.3\n');
    // The server's lines: one ID per test, each with its header.
    expect(
      lines(r.out).filter((l) => /^\[ {2}[12]\] (local 127.0.0.1 port 5001|.*Datagrams|.* ms )|Lost/.test(l)),
    ).toEqual([
      '[  1] local 127.0.0.1 port 5001 connected with 127.0.0.1 port P',
      JITTER_HEADER,
      '[  1] 0.0000-0.3140 sec  43.1 KBytes  1.12 Mbits/sec   0.000 ms 0/30 (0%)',
      JITTER_HEADER,
      '[  1] 0.0000-0.3140 sec  43.1 KBytes  1.12 Mbits/sec   0.000 ms 0/30 (0%)',
      '[  2] local 127.0.0.1 port 5001 connected with 127.0.0.1 port P',
      JITTER_HEADER,
      '[  2] 0.0000-0.3140 sec  43.1 KBytes  1.12 Mbits/sec   0.001 ms 0/30 (0%)',
      JITTER_HEADER,
      '[  1] 0.0000-0.3140 sec  43.1 KBytes  1.12 Mbits/sec   0.000 ms 0/30 (0%)',
    ]);
  });

  it('-p and -B choose the port and the addresses', async () => {
    const r = await run(
      'iperf -s -u -p 6000 -B 127.0.0.1 &\niperf -c 127.0.0.1 -u -p 6000 -B 127.0.0.1 -t 0.2 -l 20\n',
    );
    expect(mask(r.out)).toContain('Server listening on UDP port 6000\n');
    expect(mask(r.out)).toContain('Sending 20 byte datagrams, IPG target: 152.59 us (kalman adjust)\n');
    expect(mask(r.out)).toContain('[  1] local 127.0.0.1 port 6000 connected with 127.0.0.1 port P\n');
    expect(r.out).toMatch(/0\/1314 \(0%\)\n\[ {2}1\] Server Report:/);
  });

  it('counts lost and out-of-order datagrams from the sequence numbers', async () => {
    const { lab, host, shell, io } = newLab();
    await shell.runLine('iperf -s -u &');
    const task = new Task(lab, host, host.initNet, 'test', 0);
    const fd = task.socket(AF_INET, SOCK_DGRAM, 0);
    task.connect(fd, 0x7f000001, 5001);
    // 1 2 4 3 6 FIN(7): 5 never arrives, 3 comes late.
    for (const id of [1, 2, 4, 3, 6, -7])
      task.sendto(fd, clientDatagram(100, id, 0, 5001, 100, -100), null, 0);
    await shell.runLine('sleep 1');
    const ack = task.tryRecv(fd);
    expect(typeof ack).not.toBe('number');
    expect(io.out.split('\n').slice(-3)).toEqual([
      // All six were sent in the same instant: a few microseconds of test, hence the rate.
      '[  1] 0.0000-0.0000 sec   600 Bytes  4.80 Gbits/sec   0.000 ms 1/7 (14%)',
      '[  1] 0.0000-0.0000 sec  1 datagrams received out-of-order',
      '',
    ]);
    await runScript(shell, '');
  });
});

describe('iperf -u: no server', () => {
  it('the port unreachables make every other write fail; the FIN is never acked', async () => {
    const r = await run('iperf -c 127.0.0.1 -u -t 0.1\necho $?\n');
    expect(lines(r.out)).toEqual([
      ...clientBanner(),
      BW_HEADER,
      '[  1] 0.0000-0.1009 sec  14.4 KBytes  1.17 Mbits/sec',
      '[  1] Sent 11 datagrams',
      '0',
      '',
    ]);
    // 200 10-ms selects: a FIN resent after each quiet one, each answered by a port unreachable.
    expect(r.err).toBe(
      'read failed: Connection refused\n'.repeat(100) +
        '[  3] WARNING: did not receive ack of last datagram after 10 tries.\n',
    );
    expect(r.udp).toEqual({ OutDatagrams: 110, NoPorts: 110 });
  });

  it('-n mode says "after 1 tries", as 2.1.8 does', async () => {
    const r = await run('iperf -c 127.0.0.1 -u -n 1470\n');
    expect(r.err.split('\n').slice(-2)).toEqual([
      '[  3] WARNING: did not receive ack of last datagram after 1 tries.',
      '',
    ]);
  });

  it('an oversized -l: every write fails EMSGSIZE', async () => {
    const r = await run('iperf -c 127.0.0.1 -u -l 70000 -t 0.1\n');
    expect(lines(r.out).slice(-4)).toEqual([
      BW_HEADER,
      '[  1] 0.0000-0.5341 sec  0.000 Bytes  0.000 bits/sec',
      '[  1] Sent 1 datagrams',
      '',
    ]);
    expect(r.err).toBe(
      'send_hdr failed: Message too long\nwrite failed: Message too long\n' +
        'write-fin failed: Message too long\n'.repeat(200) +
        '[  3] WARNING: did not receive ack of last datagram after 10 tries.\n',
    );
  });
});

describe('iperf: usage and errors, as 2.1.8 prints them', () => {
  const USAGE = "Usage: iperf [-s|-c host] [options]\nTry `iperf --help' for more information.\n";
  const cases: Array<[string, string, string, number]> = [
    ['iperf', '', USAGE, 0],
    ['iperf -Q', '', 'iperf: invalid option -- Q\n' + USAGE, 0],
    ['iperf -c', '', 'iperf: option requires an argument -- c\n' + USAGE, 0],
    ['iperf --nosuch', '', "iperf: unrecognized option `--nosuch'\n" + USAGE, 0],
    ['iperf --port', '', "iperf: option `--port' requires an argument\n" + USAGE, 0],
    ['iperf --udp=1', '', "iperf: option `--udp' doesn't allow an argument\n" + USAGE, 0],
    ['iperf -v', '', 'iperf version 2.1.8 (12 August 2022) pthreads\n', 1],
    ['iperf -c nosuchhost -u', '', 'nosuchhost: Host name lookup failure\n', 1],
    [
      'iperf -c 192.0.2.1 -u -t 0.1',
      '[  1] local 0.0.0.0 port 0 connected with 192.0.2.1 port 5001\n',
      'udp connect failed: Network is unreachable\n',
      0,
    ],
    ['iperf -c 127.0.0.1 -u -n abc', '', "Invalid value for -n amount of 'abc'\n", 1],
    ['iperf -c 127.0.0.1 -u -t abc', '', "ERROR: -t value of 'abc' not recognized\n", 1],
    ['iperf -c 127.0.0.1 -u -i abc', '', "Invalid value of 'abc' for -i interval\n", 1],
    [
      'iperf -c 127.0.0.1 -u -b 0',
      '',
      'ERROR: IPG delay target of inf secs too large (max value is 60 secs)\n',
      1,
    ],
    [
      'iperf -c 127.0.0.1 -u -b 100',
      '',
      'ERROR: IPG delay target of 117.6 secs too large (max value is 60 secs)\n',
      1,
    ],
    ['iperf -c 127.0.0.1 -u -e', '', 'iperf: -e (enhanced reports) is not modelled in skblab\n', 1],
  ];
  it.each(cases)('%s', async (cmd, out, err, status) => {
    const r = await run(`${cmd}\necho $?\n`);
    expect(r.out).toBe(out + `${status}\n`);
    expect(r.err).toBe(err);
  });

  it('-h prints the long usage on standard error and exits 1', async () => {
    const r = await run('iperf --help\necho $?\n');
    expect(r.out).toBe('1\n');
    expect(
      r.err.startsWith('Usage: iperf [-s|-c host] [options]\n       iperf [-h|--help] [-v|--version]\n'),
    ).toBe(true);
    expect(r.err.endsWith('Report bugs to <iperf-users@lists.sourceforge.net>\n')).toBe(true);
  });

  it('-B with an address the host does not have: a warning, then the test runs unbound', async () => {
    const r = await run('iperf -s -u &\niperf -c 127.0.0.1 -u -B 10.9.9.9 -t 0.1\n');
    expect(r.err).toBe('bind failed: Cannot assign requested address\n');
    expect(r.out).toContain('[  1] Server Report:\n');
  });

  it('a second server on the same port cannot bind', async () => {
    const r = await run('iperf -s -u &\niperf -s -u\necho $?\n');
    expect(r.err).toBe('bind failed: Address already in use\n');
    expect(r.out.endsWith('1\n')).toBe(true);
  });
});

describe('iperf number formats', () => {
  it('byte_snprintf: 4 significant places, powers of 1024 for bytes and 1000 for bits', () => {
    expect(byteSnprintf(267540, 'A')).toBe(' 261 KByte');
    expect(byteSnprintf(101470, 'A')).toBe('99.1 KByte');
    expect(byteSnprintf(1313760, 'A')).toBe('1.25 MByte');
    expect(byteSnprintf(212992, 'A')).toBe(' 208 KByte');
    expect(byteSnprintf(0, 'A')).toBe('0.000 Byte');
    expect(byteSnprintf(132510, 'a')).toBe('1.06 Mbit');
    expect(byteSnprintf(15000, 'a')).toBe(' 120 Kbit');
    expect(byteSnprintf(135e6, 'a')).toBe('1.08 Gbit');
  });

  it('byte_atof: lowercase suffixes are powers of 1000, uppercase of 1024', () => {
    expect(byteAtof('100k')).toBe(100000);
    expect(byteAtof('100K')).toBe(102400);
    expect(byteAtof('2M')).toBe(2097152);
    expect(byteAtof('1.5m')).toBe(1500000);
    expect(byteAtof('abc')).toBe(0);
  });
});

describe('iperf -S: the TOS byte of what the client sends', () => {
  // What iperf 2.1.8 on Debian 12 put in the header for each -S (read off the wire with tcpdump -v);
  // an invalid value is reported and the test runs with TOS 0.
  it.each([
    ['0x10', 0x10, ''],
    ['020', 0x10, ''],
    ['af11', 0x28, ''],
    ['AF43', 0x98, ''],
    ['cs1', 0x20, ''],
    ['cs7', 0xe0, ''],
    ['ef', 0xb8, ''],
    ['le', 0x01, ''],
    ['nqb', 0x05, ''],
    ['nqb2', 0x2d, ''],
    ['ac_bk', 0x20, ''],
    ['ac_vi', 0x80, ''],
    ['ac_vo', 0xb8, ''],
    ['lowdelay', 0x10, ''],
    ['throughput', 0x08, ''],
    ['reliability', 0x04, ''],
    ['255', 0xff, ''],
    ['-0', 0, ''],
    ['+7', 0x07, ''],
    ['300', 0, 'Invalid --tos value of 300\n'],
    ['0x1g', 0, 'Invalid --tos value of 0x1g\n'],
    ['-1', 0, 'Invalid --tos value of -1\n'],
  ])('-S %s', async (value, tos, err) => {
    const { shell, io, tosOut: seen } = newLab();
    await runScript(shell, `iperf -s -u > /dev/null &\niperf -c 127.0.0.1 -u -n 2940 -S ${value}\n`);
    expect(io.err).toBe(err);
    // The client's datagrams carry it, and the server's report goes back with it (2.1.8 reflects it).
    expect([...seen]).toEqual([tos]);
    // Both ends say so on the "connected with" line, in hex; TOS 0 says nothing.
    const suffix = tos ? ` (tos rx=0x${tos.toString(16)})` : '';
    expect(io.out).toMatch(
      new RegExp(`connected with 127\\.0\\.0\\.1 port 5001${suffix.replace(/[()]/g, '\\$&')}\n`),
    );
  });
});

describe('iperf over TCP', () => {
  const SERVER = [SEP, 'Server listening on TCP port 5001', 'TCP window size:  128 KByte (default)', SEP];
  const CLIENT = [
    SEP,
    'Client connecting to 127.0.0.1, TCP port 5001',
    'TCP window size: 16.0 KByte (default)',
    SEP,
  ];
  const RATE = /^\[ {2}1\] 0\.0000-(\d+\.\d{4}) sec {2}1\.00 MBytes +(\d+(\.\d+)?) ([KMG])bits\/sec$/;

  it('-n 1M: the client reports what it wrote and how fast, the server what it read', async () => {
    const r = await run('iperf -s &\niperf -c 127.0.0.1 -n 1M\necho $?\n');
    const l = lines(r.out);
    expect(l.slice(0, 8)).toEqual([...SERVER, ...CLIENT]);
    // Both ends report TCP_INFO as the real iperf 2.1.8 does on lo: icwnd in KBytes (10 x mss / 1024), the
    // client's mss bounded by half the window of the SYN-ACK, the server's by half the scaled window.
    expect(l[8]).toMatch(
      /^\[ {2}1\] local 127\.0\.0\.1 port 5001 connected with 127\.0\.0\.1 port P \(icwnd\/mss\/irtt=320\/32768\/\d+\)$/,
    );
    expect(l[9]).toMatch(
      /^\[ {2}1\] local 127\.0\.0\.1 port P connected with 127\.0\.0\.1 port 5001 \(icwnd\/mss\/irtt=319\/32741\/\d+\)$/,
    );
    const reports = l.filter((x) => RATE.test(x));
    expect(reports).toHaveLength(2);
    expect(l.filter((x) => x === '[ ID] Interval       Transfer     Bandwidth')).toHaveLength(2);
    expect(l[l.length - 2]).toBe('0');
    expect(r.err).toBe('');
  });

  it('-t: the client writes for that long in simulated time', async () => {
    const r = await run('iperf -s &\niperf -c 127.0.0.1 -t 0.002 -l 16K\n');
    const total = lines(r.out).filter((x) => /^\[ {2}1\] 0\.0000-0\.00\d\d sec/.test(x));
    expect(total).toHaveLength(2);
    expect(r.elapsed).toBeGreaterThanOrEqual(2e6);
  });

  it('no server: the connect is refused', async () => {
    const r = await run('iperf -c 127.0.0.1\necho $?\n');
    expect(r.err).toBe('tcp connect failed: Connection refused\n');
    expect(lines(r.out)).toEqual([
      ...CLIENT,
      '[  1] local 0.0.0.0 port 0 connected with 127.0.0.1 port 5001',
      '0',
      '',
    ]);
  });

  it('the server keeps listening for the next client, numbering the sessions', async () => {
    const r = await run('iperf -s &\niperf -c 127.0.0.1 -n 64K\niperf -c 127.0.0.1 -n 64K\n');
    expect(r.out).toContain('[  2] local 127.0.0.1 port 5001 connected with 127.0.0.1 port ');
  });
});
