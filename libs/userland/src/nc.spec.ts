/**
 * nc driven through the shell in a real Lab, against what netcat-openbsd 1.219-1 (Debian 12) prints and
 * returns in a network namespace, and the /proc/net/snmp counters each scenario moves.
 */
import { Lab } from '@skblab/runtime';
import { newShell, runScript } from '@skblab/shell';
import { snmp_seq_show, type Net } from '@skblab/kernel';
import { defaultCommands } from './index';
import { strtonum, udpServiceByName, udpServiceByPort } from './nc';

type Counters = Record<string, number>;

/** The Udp and Icmp rows of /proc/net/snmp as name → value. */
function snmp(net: Net): Counters {
  const lines = snmp_seq_show(net).split('\n');
  const out: Counters = {};
  for (const group of ['Udp', 'Icmp']) {
    const rows = lines.filter((l) => l.startsWith(group + ':'));
    const names = rows[0].split(' ').slice(1);
    const values = rows[1].split(' ').slice(1).map(Number);
    names.forEach((n, i) => (out[`${group}.${n}`] = values[i]));
  }
  return out;
}

/** The counters that moved. */
function delta(before: Counters, after: Counters): Counters {
  const d: Counters = {};
  for (const k of Object.keys(after)) if (after[k] !== before[k]) d[k] = after[k] - before[k];
  return d;
}

async function run(script: string, setup = '') {
  const lab = new Lab();
  const host = lab.addHost('host1');
  let out = '';
  let err = '';
  const shell = newShell(lab, host, defaultCommands(), { out: (s) => (out += s), err: (s) => (err += s) });
  for (const line of setup.split('\n').filter((l) => l.trim())) await shell.runLine(line);
  const before = snmp(host.initNet);
  const t0 = lab.now();
  const status = await runScript(shell, script);
  return {
    out,
    err,
    status,
    lab,
    host,
    shell,
    udp: delta(before, snmp(host.initNet)),
    before,
    elapsed: lab.now() - t0,
  };
}

/** Ephemeral ports vary with the seed: mask them. */
const maskPorts = (s: string) => s.replace(/(on (localhost|127\.0\.0\.1)) \d+/g, '$1 P');

const USAGE = `usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]
\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]
\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]
\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]
\t  [destination] [port]
`;

describe('nc -u: a client and a listener on 127.0.0.1', () => {
  it('delivers one datagram: the listener prints it; Udp OutDatagrams +1, InDatagrams +1', async () => {
    const r = await run('nc -u -l 5000 &\necho hi | nc -u -w1 127.0.0.1 5000\necho $?\n');
    expect(r.out).toBe('hi\n0\n');
    expect(r.err).toBe('');
    expect(r.udp).toEqual({ 'Udp.OutDatagrams': 1, 'Udp.InDatagrams': 1 });
  });

  it('waits -w seconds of simulated time for replies, then exits 0', async () => {
    const r = await run('nc -u -l 5000 &\necho hi | nc -u -w1 127.0.0.1 5000\n');
    expect(r.elapsed).toBeGreaterThanOrEqual(1e9);
    expect(r.elapsed).toBeLessThan(1.01e9);
  });

  it('connects the listener to its first peer: a datagram from another port is refused by the kernel', async () => {
    const r = await run(
      'nc -u -l 5000 &\necho hi | nc -u -w1 127.0.0.1 5000\necho $?\necho second | nc -u -w1 127.0.0.1 5000\necho $?\n',
    );
    // netcat prints nothing for the refusal and exits 0 at once (POLLERR ends its read loop).
    expect(r.out).toBe('hi\n0\n0\n');
    expect(r.udp).toEqual({
      'Udp.OutDatagrams': 2,
      'Udp.InDatagrams': 1,
      'Udp.NoPorts': 1,
      'Icmp.InMsgs': 1,
      'Icmp.InDestUnreachs': 1,
      'Icmp.OutMsgs': 1,
      'Icmp.OutDestUnreachs': 1,
    });
  });

  it('keeps reading from the same peer, and sends its own standard input back to it', async () => {
    const r = await run('echo reply | nc -u -l -p 5000 &\necho hi | nc -u -w1 127.0.0.1 5000\n');
    expect(r.out).toBe('hi\nreply\n');
    expect(r.udp).toEqual({ 'Udp.OutDatagrams': 2, 'Udp.InDatagrams': 2 });
  });

  it('listens on a given address (nc -u -l 127.0.0.1 5000)', async () => {
    const r = await run('nc -u -l 127.0.0.1 5000 &\necho hi | nc -u -w1 127.0.0.1 5000\n');
    expect(r.out).toBe('hi\n');
  });

  it('-p and -s choose the source port and address', async () => {
    const r = await run('nc -v -u -l 5000 &\necho hi | nc -u -w1 -p 43210 -s 127.0.0.1 127.0.0.1 5000\n');
    expect(r.out).toBe('hi\n');
    expect(r.err).toBe(
      `nc: getnameinfo: Temporary failure in name resolution\nConnection received on localhost 43210\n`,
    );
  });

  it('-k keeps the listener unconnected: every peer is read, -v names none of them, stdin cannot be sent', async () => {
    const r = await run(
      'echo reply | nc -v -u -l -k 5000 &\necho k1 | nc -u -w1 127.0.0.1 5000\necho k2 | nc -u -w1 127.0.0.1 5000\n',
    );
    // netcat 1.219-1 neither peeks nor connects with -k: its write(2) of "reply" fails EDESTADDRREQ.
    expect(r.out).toBe('k1\nk2\n');
    expect(r.err).toBe('nc: getnameinfo: Temporary failure in name resolution\n');
    expect(r.udp).toEqual({ 'Udp.OutDatagrams': 2, 'Udp.InDatagrams': 2 });
  });

  it('-W 1 ends the listener after one datagram', async () => {
    const r = await run('nc -u -l -W1 5000 &\necho w1 | nc -u -w1 127.0.0.1 5000\nwait\necho $?\n');
    expect(r.out).toBe('w1\n0\n');
  });

  it('-q 0 quits as soon as standard input is sent; -q 1 one second later', async () => {
    const q0 = await run('nc -u -l 5000 &\necho hi | nc -u -q0 127.0.0.1 5000\necho $?\n');
    expect(q0.out).toBe('hi\n0\n');
    expect(q0.elapsed).toBeLessThan(1e6);
    const q1 = await run('nc -u -l 5000 &\necho hi | nc -u -q1 127.0.0.1 5000\necho $?\n');
    expect(q1.out).toBe('hi\n0\n');
    expect(q1.elapsed).toBeGreaterThanOrEqual(1e9);
  });

  it('-d does not read standard input: nothing is sent', async () => {
    const r = await run('nc -u -l 5000 &\necho hi | nc -d -u -w1 127.0.0.1 5000\necho $?\n');
    expect(r.out).toBe('0\n');
    expect(r.udp).toEqual({});
  });

  it('a listener that is never reached ends like Ctrl-C (130) when nothing else can happen', async () => {
    const r = await run('nc -u -l 5000\necho $?\n');
    expect(r.out).toBe('130\n');
  });

  it('without -w the client waits for replies until it is stopped', async () => {
    const r = await run('nc -u -l 5000 &\necho hi | nc -u 127.0.0.1 5000\necho $?\n');
    expect(r.out).toBe('hi\n130\n');
  });
});

describe('nc -u: port unreachable', () => {
  it('echo hi | nc -u -w1 127.0.0.1 9: silent, status 0; NoPorts and an ICMP port unreachable out and in', async () => {
    const r = await run('echo hi | nc -u -w1 127.0.0.1 9\necho $?\n');
    expect(r.out).toBe('0\n');
    expect(r.err).toBe('');
    // ECONNREFUSED ends the read loop at once: no -w wait.
    expect(r.elapsed).toBeLessThan(1e6);
    expect(r.udp).toEqual({
      'Udp.OutDatagrams': 1,
      'Udp.NoPorts': 1,
      'Icmp.InMsgs': 1,
      'Icmp.InDestUnreachs': 1,
      'Icmp.OutMsgs': 1,
      'Icmp.OutDestUnreachs': 1,
    });
  });

  it('the same without -w: status 0 at once', async () => {
    const r = await run('echo hi | nc -u 127.0.0.1 9\necho $?\n');
    expect(r.out).toBe('0\n');
  });

  it('-v probes with "X" first: the second write fails ECONNREFUSED, nc exits 1 without a word', async () => {
    const r = await run('echo hi | nc -v -u -w1 127.0.0.1 9\necho $?\n');
    expect(r.out).toBe('1\n');
    expect(r.err).toBe('');
    expect(r.udp).toEqual({
      'Udp.OutDatagrams': 1,
      'Udp.NoPorts': 1,
      'Icmp.InMsgs': 1,
      'Icmp.InDestUnreachs': 1,
      'Icmp.OutMsgs': 1,
      'Icmp.OutDestUnreachs': 1,
    });
  });
});

describe('nc -v and -z', () => {
  it('-v: the listener reports its socket and peer, the client probes 3 X datagrams (1 s apart for -w1)', async () => {
    const r = await run('nc -v -u -l 5000 &\necho hi | nc -v -u -w1 127.0.0.1 5000\necho $?\n');
    expect(r.out).toBe('XXXhi\n0\n');
    // Bound on 0.0.0.0: the reverse lookup of 0.0.0.0 fails in a box without DNS, as in a namespace.
    expect(maskPorts(r.err)).toBe(
      'nc: getnameinfo: Temporary failure in name resolution\n' +
        'Connection received on localhost P\n' +
        'Connection to 127.0.0.1 5000 port [udp/*] succeeded!\n',
    );
    expect(r.udp).toEqual({ 'Udp.OutDatagrams': 4, 'Udp.InDatagrams': 4 });
    expect(r.elapsed).toBeGreaterThanOrEqual(2e9);
  });

  it('-vn prints addresses: Bound on 0.0.0.0, Connection received on 127.0.0.1', async () => {
    const r = await run('nc -vn -u -l 5000 &\necho hi | nc -vn -u -w1 127.0.0.1 5000\n');
    expect(maskPorts(r.err)).toBe(
      'Bound on 0.0.0.0 5000\nConnection received on 127.0.0.1 P\nConnection to 127.0.0.1 5000 port [udp/*] succeeded!\n',
    );
  });

  it('-v names the service and the address of a host name', async () => {
    const r = await run('nc -u -l 53 &\nnc -zv -u -w1 localhost 53\n');
    expect(r.err).toBe('Connection to localhost (127.0.0.1) 53 port [udp/domain] succeeded!\n');
  });

  it('-z alone only connects: nothing is sent, status 0 even to a closed port', async () => {
    const r = await run('nc -z -u 127.0.0.1 9\necho $?\n');
    expect(r.out).toBe('0\n');
    expect(r.err).toBe('');
    expect(r.udp).toEqual({});
  });

  it('-zv to a listener: 2 X, then one per second for 3 s (UDP_SCAN_TIMEOUT), and the message', async () => {
    const r = await run('nc -u -l 5000 &\nnc -zv -u 127.0.0.1 5000\necho $?\n');
    expect(r.out).toBe('XXXXX0\n');
    expect(r.err).toBe('Connection to 127.0.0.1 5000 port [udp/*] succeeded!\n');
    expect(r.elapsed).toBeGreaterThanOrEqual(3e9);
    expect(r.udp).toEqual({ 'Udp.OutDatagrams': 5, 'Udp.InDatagrams': 5 });
  });

  it("-zv over a range: closed ports are silent, the status is the last port's", async () => {
    const r = await run(
      'nc -u -l 5001 &\nnc -zv -u -w1 127.0.0.1 5000-5002\necho $?\nnc -zv -u -w0 127.0.0.1 5001-5002\necho $?\n',
    );
    expect(r.err).toBe('Connection to 127.0.0.1 5001 port [udp/*] succeeded!\n');
    // The listener got connected to the first scanner's socket, so the second scan is refused too.
    expect(r.out).toBe('XXX1\n1\n');
  });

  it('-v reports a connect() failure with the errno text; without -v nc just exits 1', async () => {
    const r = await run('nc -u 192.0.2.1 5000\necho $?\nnc -v -u 192.0.2.1 5000\necho $?\n');
    expect(r.out).toBe('1\n1\n');
    expect(r.err).toBe('nc: connect to 192.0.2.1 port 5000 (udp) failed: Network is unreachable\n');
  });
});

describe('nc: usage and errors, as netcat-openbsd prints them', () => {
  const cases: Array<[string, string, number]> = [
    ['nc', USAGE, 1],
    ['nc -u 127.0.0.1', 'nc: missing port number\n', 1],
    ['nc -u -l', 'nc: missing port number\n', 1],
    ['nc -u 127.0.0.1 99999', 'nc: port number too large: 99999\n', 1],
    ['nc -u 127.0.0.1 0', 'nc: port number too small: 0\n', 1],
    ['nc -u 127.0.0.1 abc', 'nc: port number invalid: abc\n', 1],
    ['nc -u 127.0.0.1 5-3x', 'nc: port number invalid: 3x\n', 1],
    ['nc -u 127.0.0.1 -5', "nc: invalid option -- '5'\n" + USAGE, 1],
    ['nc -y', "nc: invalid option -- 'y'\n" + USAGE, 1],
    ['nc -w', "nc: option requires an argument -- 'w'\n" + USAGE, 1],
    ['nc -u -w abc 127.0.0.1 5000', 'nc: timeout invalid: abc\n', 1],
    ['nc -u -w 99999999 127.0.0.1 5000', 'nc: timeout too large: 99999999\n', 1],
    ['nc -u -w -1 127.0.0.1 5000', 'nc: timeout too small: -1\n', 1],
    ['nc -u -p abc 127.0.0.1 5000', 'nc: getaddrinfo: Servname not supported for ai_socktype\n', 1],
    ['nc -u -s 10.9.9.9 127.0.0.1 5000', 'nc: bind failed: Cannot assign requested address\n', 1],
    ['nc -u -s abc 127.0.0.1 5000', 'nc: getaddrinfo: Temporary failure in name resolution\n', 1],
    [
      'nc -u nosuchhost 5000',
      'nc: getaddrinfo for host "nosuchhost" port 5000: Temporary failure in name resolution\n',
      1,
    ],
    [
      'nc -n -u localhost 5000',
      'nc: getaddrinfo for host "localhost" port 5000: Name or service not known\n',
      1,
    ],
    ['nc -u -l -p 5000 127.0.0.1', USAGE, 1],
    ['nc -u -l -s 127.0.0.1 5000', USAGE, 1],
    ['nc -u -l 127.0.0.1 5000 6000', USAGE, 1],
    ['nc -u -z -l 5000', 'nc: cannot use -z and -l\n', 1],
    ['nc -u -k 127.0.0.1 5000', 'nc: must use -l with -k\n', 1],
    ['nc -u -l abc', 'nc: getaddrinfo: Servname not supported for ai_socktype\n', 1],
    ['nc -u -M 300 127.0.0.1 5000', 'nc: ttl is too large\n', 1],
    // TCP to a closed port: refused (the RST), silently without -v.
    ['nc 127.0.0.1 5000', '', 1],
    ['nc -v 127.0.0.1 5000', 'nc: connect to 127.0.0.1 port 5000 (tcp) failed: Connection refused\n', 1],
    ['nc -l http', '', 130],
    ['nc -u -C 127.0.0.1 5000', 'nc: -C (CRLF line endings) is not modelled in skblab\n', 1],
  ];
  it.each(cases)('%s', async (cmd, err, status) => {
    const r = await run(`${cmd}\necho $?\n`);
    expect(r.err).toBe(err);
    expect(r.out).toBe(`${status}\n`);
  });

  it('-h prints the help on standard error and exits 0', async () => {
    const r = await run('nc -h\necho $?\n');
    expect(r.out).toBe('0\n');
    expect(r.err.split('\n').slice(0, 2)).toEqual([
      'OpenBSD netcat (Debian patchlevel 1.219-1)',
      'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]',
    ]);
    expect(r.err).toContain('\t\t-u\t\tUDP mode\n');
    expect(r.err.endsWith('\tPort numbers can be individual or ranges: lo-hi [inclusive]\n')).toBe(true);
  });

  it('a second listener on a busy port fails to bind (the kernel has no SO_REUSEPORT yet)', async () => {
    const r = await run('nc -u -l 5000 &\nnc -u -l 5000\necho $?\n');
    expect(r.err).toBe('nc: Address already in use\n');
    expect(r.out).toBe('1\n');
  });
});

describe('nc -u across a veth pair into a namespace', () => {
  const VETH = [
    'ip netns add ns1',
    'ip link add veth0 type veth peer name veth1',
    'ip link set veth1 netns ns1',
    'ip addr add 10.0.0.1/24 dev veth0',
    'ip link set veth0 up',
    'ip -n ns1 addr add 10.0.0.2/24 dev veth1',
    'ip -n ns1 link set veth1 up',
    'ip -n ns1 link set lo up',
  ].join('\n');

  it('the listener in ns1 prints the datagram; host Udp Out +1, ns1 Udp In +1', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    let out = '';
    let err = '';
    const shell = newShell(lab, host, defaultCommands(), { out: (s) => (out += s), err: (s) => (err += s) });
    for (const l of VETH.split('\n')) await shell.runLine(l);
    const ns1 = host.namedNets.get('ns1')!;
    const [h0, n0] = [snmp(host.initNet), snmp(ns1)];
    await runScript(
      shell,
      'ip netns exec ns1 nc -u -l 10.0.0.2 5000 &\necho hi | nc -u -w1 10.0.0.2 5000\necho $?\n',
    );
    expect(out).toBe('hi\n0\n');
    expect(err).toBe('');
    expect(delta(h0, snmp(host.initNet))).toEqual({ 'Udp.OutDatagrams': 1 });
    expect(delta(n0, snmp(ns1))).toEqual({ 'Udp.InDatagrams': 1 });
  });

  it('to a closed port in ns1: ns1 answers port unreachable, the client exits 0', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    let out = '';
    const shell = newShell(lab, host, defaultCommands(), { out: (s) => (out += s), err: (s) => (out += s) });
    for (const l of VETH.split('\n')) await shell.runLine(l);
    const ns1 = host.namedNets.get('ns1')!;
    const [h0, n0] = [snmp(host.initNet), snmp(ns1)];
    await runScript(shell, 'echo hi | nc -u -w1 10.0.0.2 9\necho $?\n');
    expect(out).toBe('0\n');
    expect(delta(h0, snmp(host.initNet))).toEqual({
      'Udp.OutDatagrams': 1,
      'Icmp.InMsgs': 1,
      'Icmp.InDestUnreachs': 1,
    });
    expect(delta(n0, snmp(ns1))).toEqual({ 'Udp.NoPorts': 1, 'Icmp.OutMsgs': 1, 'Icmp.OutDestUnreachs': 1 });
  });

  it('connect() to a broadcast address needs -b (EACCES otherwise)', async () => {
    const r = await run(
      'echo hi | nc -v -u -w1 10.0.0.255 5000\necho $?\necho hi | nc -b -u -w1 10.0.0.255 5000\necho $?\n',
      'ip link add veth0 type veth peer name veth1\nip addr add 10.0.0.1/24 dev veth0\nip link set veth0 up\nip link set veth1 up',
    );
    expect(r.err).toBe('nc: connect to 10.0.0.255 port 5000 (udp) failed: Permission denied\n');
    expect(r.out).toBe('1\n0\n');
  });
});

describe('nc helpers', () => {
  it('strtonum words its errors like OpenBSD', () => {
    expect(strtonum('42', 1, 65535)).toBe(42);
    expect(strtonum('0', 1, 65535)).toBe('too small');
    expect(strtonum('70000', 1, 65535)).toBe('too large');
    expect(strtonum('4x', 1, 65535)).toBe('invalid');
    expect(strtonum('', 1, 65535)).toBe('invalid');
  });

  it('knows the UDP services of /etc/services', () => {
    expect(udpServiceByName('domain')).toBe(53);
    expect(udpServiceByName('sink')).toBe(9);
    expect(udpServiceByPort(9)).toBe('discard');
    expect(udpServiceByPort(5000)).toBeNull();
  });
});

describe('nc over TCP', () => {
  /** The Tcp row of /proc/net/snmp as name → value. */
  function tcp(net: Net): Counters {
    const rows = snmp_seq_show(net)
      .split('\n')
      .filter((l) => l.startsWith('Tcp:'));
    const names = rows[0].split(' ').slice(1);
    const values = rows[1].split(' ').slice(1).map(Number);
    return Object.fromEntries(names.map((n, i) => [n, values[i]]));
  }

  async function runTcp(script: string, setup: string[] = []) {
    const lab = new Lab();
    const host = lab.addHost('host1');
    let out = '';
    let err = '';
    const shell = newShell(lab, host, defaultCommands(), { out: (s) => (out += s), err: (s) => (err += s) });
    for (const l of setup) await shell.runLine(l);
    const before = tcp(host.initNet);
    const t0 = lab.now();
    const status = await runScript(shell, script);
    return { out, err, status, host, lab, tcp: delta(before, tcp(host.initNet)), elapsed: lab.now() - t0 };
  }

  it('nc -l and a client with -N exchange a line over 127.0.0.1; both exit 0', async () => {
    const r = await runTcp('nc -l 8080 &\necho hi | nc -N 127.0.0.1 8080\necho $?\nwait\necho $?\n');
    expect(r.out).toBe('hi\n0\n0\n');
    expect(r.err).toBe('');
    expect(r.tcp).toMatchObject({ ActiveOpens: 1, PassiveOpens: 1 });
    expect(r.tcp.AttemptFails).toBeUndefined();
    expect(r.tcp.EstabResets).toBeUndefined();
    expect(r.tcp.CurrEstab).toBeUndefined();
    expect(r.tcp.InSegs).toBe(r.tcp.OutSegs);
  });

  it('each side sends its standard input to the other', async () => {
    const r = await runTcp('echo reply | nc -N -l 8080 &\necho hi | nc -N 127.0.0.1 8080\nwait\n');
    expect(r.out.split('\n').sort()).toEqual(['', 'hi', 'reply']);
  });

  it("reaches the host's own address on another interface (through lo)", async () => {
    const r = await runTcp('nc -l 8080 &\necho hello | nc -N 10.0.0.1 8080\necho $?\n', [
      'ip link add veth0 type veth peer name veth1',
      'ip addr add 10.0.0.1/24 dev veth0',
      'ip link set veth0 up',
      'ip link set veth1 up',
    ]);
    expect(r.out).toBe('hello\n0\n');
    expect(r.tcp).toMatchObject({ ActiveOpens: 1, PassiveOpens: 1 });
  });

  it('a closed port answers the SYN with a RST: Connection refused; Tcp AttemptFails +1, OutRsts +1', async () => {
    const r = await runTcp('nc -v 127.0.0.1 8081\necho $?\n');
    expect(r.err).toBe('nc: connect to 127.0.0.1 port 8081 (tcp) failed: Connection refused\n');
    expect(r.out).toBe('1\n');
    expect(r.tcp).toMatchObject({ ActiveOpens: 1, AttemptFails: 1, OutRsts: 1, InSegs: 2, OutSegs: 2 });
    expect(r.tcp.PassiveOpens).toBeUndefined();
  });

  it('-v -z: "Connection to 127.0.0.1 8080 port [tcp/http-alt] succeeded!", then the listener ends', async () => {
    const r = await runTcp('nc -l 8080 &\nnc -v -z 127.0.0.1 8080\necho $?\nwait\necho $?\n');
    expect(r.err).toBe('Connection to 127.0.0.1 8080 port [tcp/http-alt] succeeded!\n');
    expect(r.out).toBe('0\n0\n');
  });

  it('-v -n on the listener: "Listening on" and "Connection received on"', async () => {
    const r = await runTcp('nc -v -n -l 8080 &\necho hi | nc -N -p 40000 127.0.0.1 8080\n');
    expect(r.err).toBe('Listening on 0.0.0.0 8080\nConnection received on 127.0.0.1 40000\n');
    expect(r.out).toBe('hi\n');
  });

  it('-v without -n: the reverse lookups of a box without DNS', async () => {
    const r = await runTcp('nc -v -l 127.0.0.1 8080 &\necho hi | nc -N -p 40000 localhost 8080\n');
    expect(r.err).toBe('Listening on localhost 8080\nConnection received on localhost 40000\n');
  });

  it('without -N the end of standard input does not end the connection: netcat waits until stopped', async () => {
    const r = await runTcp('nc -l 8080 &\necho hi | nc 127.0.0.1 8080\necho $?\n');
    expect(r.out).toBe('hi\n130\n');
  });

  it('-q 0 quits when standard input is sent: the close sends the FIN', async () => {
    const r = await runTcp('nc -l 8080 &\necho bye | nc -q0 127.0.0.1 8080\necho $?\nwait\necho $?\n');
    expect(r.out).toBe('bye\n0\n0\n');
  });

  it('-w 1 ends an idle connection after a second', async () => {
    const r = await runTcp('nc -l 8080 &\nnc -d -w1 127.0.0.1 8080\necho $?\n');
    expect(r.out).toBe('0\n');
    expect(r.elapsed).toBeGreaterThanOrEqual(1e9);
    expect(r.elapsed).toBeLessThan(1.1e9);
  });

  it('-k accepts one connection after another', async () => {
    const r = await runTcp(
      'nc -k -l 8080 &\necho one | nc -N 127.0.0.1 8080\necho two | nc -N 127.0.0.1 8080\n',
    );
    expect(r.out).toBe('one\ntwo\n');
    expect(r.tcp).toMatchObject({ ActiveOpens: 2, PassiveOpens: 2 });
  });

  it('-zv over a range of ports: each refusal, the one that answers, status 0', async () => {
    const r = await runTcp('nc -l 8080 &\nnc -zv 127.0.0.1 8079-8081\necho $?\n');
    expect(r.err).toBe(
      'nc: connect to 127.0.0.1 port 8079 (tcp) failed: Connection refused\n' +
        'Connection to 127.0.0.1 8080 port [tcp/http-alt] succeeded!\n' +
        'nc: connect to 127.0.0.1 port 8081 (tcp) failed: Connection refused\n',
    );
    expect(r.out).toBe('0\n');
  });

  it('-w bounds the connect; an address nobody answers fails when ARP gives up (No route to host)', async () => {
    const r = await runTcp('nc -v -w 1 10.0.0.9 80\necho $?\nnc -v 10.0.0.9 80\necho $?\n', [
      'ip link add veth0 type veth peer name veth1',
      'ip addr add 10.0.0.1/24 dev veth0',
      'ip link set veth0 up',
      'ip link set veth1 up',
    ]);
    expect(r.err).toBe(
      'nc: connect to 10.0.0.9 port 80 (tcp) timed out: Operation now in progress\n' +
        'nc: connect to 10.0.0.9 port 80 (tcp) failed: No route to host\n',
    );
    expect(r.out).toBe('1\n1\n');
  });

  it('-s and -p choose the source address and port', async () => {
    const r = await runTcp('nc -l 8080 &\nnc -s 127.0.0.2 -p 41000 127.0.0.1 8080 &\nss -tn\n');
    expect(r.out).toContain('127.0.0.2:41000');
  });
});

/**
 * nc -U against what netcat-openbsd 1.219-1 printed in a network namespace of this machine (Linux 6.18):
 * the messages are warn()'s "nc: PATH: strerror" and err()'s "nc: strerror"; nothing moves in /proc/net/snmp.
 */
describe('nc -U: Unix domain sockets', () => {
  it('a stream: the listener prints what the client sends; no Udp, Icmp (or any IP) counter moves', async () => {
    const r = await run('nc -lU /tmp/s.sock &\necho hello | nc -NU /tmp/s.sock\necho $?\n');
    expect([r.out, r.err]).toEqual(['hello\n0\n', '']);
    expect(r.udp).toEqual({});
    expect(snmp_seq_show(r.host.initNet)).not.toMatch(/^Ip: 2 64 [1-9]/m);
  });

  it('-v: Bound on, Listening on, Connection received on the path', async () => {
    const r = await run('nc -lvU /tmp/s.sock &\necho hi | nc -vNU /tmp/s.sock\n');
    expect(r.err).toBe(
      'Bound on /tmp/s.sock\nListening on /tmp/s.sock\nConnection received on /tmp/s.sock\n',
    );
    expect(r.out).toBe('hi\n');
  });

  it('the listener unlinks a stale path first; its own name stays after it ends and then refuses', async () => {
    const r = await run(
      'nc -lU /tmp/s.sock &\necho one | nc -NU /tmp/s.sock\nnc -lU /tmp/s.sock &\necho two | nc -NU /tmp/s.sock\n' +
        'nc -U /tmp/s.sock\necho $?\ncat /tmp/s.sock\n',
    );
    expect(r.out).toBe('one\ntwo\n1\n');
    expect(r.err).toBe('nc: /tmp/s.sock: Connection refused\ncat: /tmp/s.sock: No such device or address\n');
  });

  it.each([
    ['nc -U /tmp/none.sock', 'nc: /tmp/none.sock: No such file or directory\n'],
    ['nc -U /tmp', 'nc: /tmp: Connection refused\n'],
    ['nc -lU /tmp', 'nc: Address already in use\n'],
    ['nc -U @none', 'nc: @none: Connection refused\n'],
    ['nc -U /tmp/x 80', 'nc: cannot use port with -U\n'],
    ['nc -lU', 'nc: missing socket pathname\n'],
  ])('%s: %j, status 1', async (cmd, err) => {
    const r = await run(`${cmd}\necho $?\n`);
    expect([r.err, r.out]).toEqual([err, '1\n']);
  });

  it('an abstract name: a second listener on it is refused, a client reaches the first', async () => {
    const r = await run('nc -lU @abs &\nnc -lU @abs\necho $?\necho hi | nc -NU @abs\n');
    expect([r.err, r.out]).toEqual(['nc: Address already in use\n', '1\nhi\n']);
  });

  it('-u: a datagram from a temporary /tmp/nc-XXXXXX/recv.sock, removed when the client ends', async () => {
    const r = await run('nc -luU /tmp/d.sock &\necho hi | nc -uU -w1 /tmp/d.sock\necho $?\nss -xa\n');
    expect(r.out.split('\n').slice(0, 2)).toEqual(['hi', '0']);
    // The listener connected to the client's name; the client is gone: its peer's inode is 0.
    expect(r.out).toMatch(/u_dgr ESTAB 0 +0 +\/tmp\/d\.sock \d+ +\* 0/);
    expect([...r.host.fs.dentries.keys()].filter((k) => k.startsWith('/tmp/nc-'))).toEqual([]);
  });

  it('-uv: the client reports its own bind too', async () => {
    const r = await run('nc -luvU /tmp/d.sock &\necho hi | nc -uvU -w1 /tmp/d.sock\n');
    expect(r.err).toMatch(
      /^Bound on \/tmp\/d\.sock\nBound on \/tmp\/nc-[A-Za-z0-9]{6}\/recv\.sock\nConnection received on \/tmp\/d\.sock\n$/,
    );
  });

  it('-u to a stream listener: Protocol wrong type for socket', async () => {
    const r = await run('nc -lU /tmp/s.sock &\necho hi | nc -uU -w1 /tmp/s.sock\necho $?\n');
    expect([r.err, r.out]).toEqual(['nc: /tmp/s.sock: Protocol wrong type for socket\n', '1\n']);
  });
});
