/**
 * The labs that come with skblab (labs/*.yaml): each one's reference solution passes every check, and the
 * untouched lab fails every check. Then the lab file parser's errors, the reports, and the shell's `lab`
 * builtin.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChecks, type CheckResult } from './checks';
import { formatJson, formatJunit, formatText } from './report';
import { LabSession } from './session';
import { isLabError, labNames, labsDir, loadLab, parseLab, type LabDef } from './spec';

function lab(name: string): LabDef {
  const def = loadLab(name);
  if (isLabError(def)) throw new Error(def.error);
  return def;
}

async function grade(def: LabDef, lines: string[]): Promise<{ results: CheckResult[]; out: string }> {
  let out = '';
  const s = await LabSession.open(def, { out: (t) => void (out += t), err: (t) => void (out += t) });
  if (typeof s === 'string') throw new Error(s);
  for (const l of lines) await s.runLine(l);
  await s.shell.stopBackground();
  return { results: runChecks(s), out };
}

describe('the labs in labs/', () => {
  const names = labNames();

  it('are at least eight, each with a title, tasks, hints, checks and a solution', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const n of names) {
      const def = lab(n);
      expect(def.title).not.toBe('');
      expect(def.tasks).not.toBe('');
      expect(def.hints.length).toBeGreaterThan(0);
      expect(def.checks.length).toBeGreaterThanOrEqual(3);
      expect(def.solution.length).toBeGreaterThan(0);
    }
  });

  it.each(names)('%s: the reference solution passes every check', async (n) => {
    const def = lab(n);
    const { results } = await grade(def, def.solution);
    const failed = results.filter((r) => !r.passed).map((r) => `${r.id}. ${r.name}: ${r.why}`);
    expect(failed).toEqual([]);
    expect(results).toHaveLength(def.checks.length);
  });

  it.each(names)('%s: the untouched lab fails every check', async (n) => {
    const def = lab(n);
    const { results } = await grade(def, []);
    const passed = results.filter((r) => r.passed).map((r) => `${r.id}. ${r.name}: ${r.why}`);
    expect(passed).toEqual([]);
  });
});

describe('checks', () => {
  it('half a solution passes some checks, fails the others, and says why', async () => {
    const def = lab('forwarding-ttl');
    // The route, but router2 still does not forward: the request dies there.
    const { results } = await grade(def, [
      'on router1 ip route add 192.168.2.0/24 via 10.0.12.2',
      'ping -c 1 -W 1 192.168.2.1',
    ]);
    const by = new Map(results.map((r) => [r.id, r]));
    expect(by.get(1)!.passed).toBe(true);
    expect(by.get(2)).toMatchObject({ passed: false, why: 'net.ipv4.ip_forward = 0 on router2, expected 1' });
    expect(by.get(3)!.why).toBe(
      'IcmpInEchoReps on host1 moved by 0 (0 → 0) since the lab started; expected at least 1',
    );
    // The last ping reached router2 through router1, and was not forwarded there.
    expect(by.get(5)!.passed).toBe(true);
    expect(by.get(6)!.passed).toBe(false);
    expect(by.get(6)!.why).toMatch(
      /^the last ping \(line 2: ping -c 1 -W 1 192\.168\.2\.1\) did not go through ip_forward, __icmp_send on router2 \(/,
    );
  });

  it('a route check lists the routes there are when the one asked for is missing', async () => {
    const def = lab('forwarding-ttl');
    const { results } = await grade(def, ['on router1 ip route add 192.168.2.0/24 via 10.0.12.1']);
    expect(results[0]).toMatchObject({
      passed: false,
      why: 'router1 has no route to 192.168.2.0/24 via 10.0.12.2 in table main (it has 192.168.2.0/24 via 10.0.12.1 dev eth1)',
    });
  });

  it('a check on a namespace that does not exist says so', async () => {
    const def = lab('arp-namespaces');
    const { results } = await grade(def, ['ip netns add ns1']);
    expect(results[1].why).toBe("host1 has no network namespace 'ns2' (ip netns add ns2)");
    expect(results[0].why).toBe(
      'host1 (netns ns1) has no route to 10.0.0.0/24 dev veth1 in table main (its routes: none)',
    );
  });

  it('counters count from the end of boot: what the boot did is not the learner’s', async () => {
    const def = lab('loopback');
    // The boot brought eth0 up; nothing was sent since.
    const { results } = await grade(def, ['ping -c 1 127.0.0.1']);
    expect(results[2].why).toBe(
      'lo rx_packets on host1 moved by 2 (0 → 2) since the lab started; expected at least 4',
    );
    expect(results[0].passed).toBe(true);
    expect(results[1].why).toBe(
      'no ping to 192.168.1.1 has run in the lab yet (or the trace no longer holds it)',
    );
  });

  it('the pmtu check reads the path MTU host1 learned (its route exception)', async () => {
    const def = lab('fragmentation-pmtu');
    const { results } = await grade(def, ['ping -c 1 -M do -s 1472 192.168.2.1']);
    expect(results[4]).toMatchObject({ passed: true, why: 'host1 learned path MTU 1400 for 192.168.2.1' });
    expect(results[1].passed).toBe(false);
  });
});

describe('lab files', () => {
  const parse = (text: string) => parseLab(text, 'bad.yaml', 'bad', labsDir());
  const base = `title: t
tasks: do it
topology:
  hosts:
    host1:
      cpus: 2
solution: [true]
checks:
`;
  it('a check with a mistake is reported at its line and column', () => {
    const cases: Array<[string, string]> = [
      [
        '  - name: x\n    counter: {host: host1, snmp: IpInRecieves, at_least: 1}\n',
        "bad.yaml:10:34: checks[0].counter.snmp: no counter 'IpInRecieves' in /proc/net/snmp or /proc/net/netstat (nstat's names: IpInReceives, IcmpOutEchos, TcpExtTCPTimeouts, ...)",
      ],
      [
        '  - name: x\n    journey: {through: arp_solict}\n',
        "bad.yaml:10:24: checks[0].journey.through: no kernel function 'arp_solict' in the model (docs/kernel-map.md lists them)",
      ],
      [
        '  - name: x\n    route: {host: host9, to: 10.0.0.0/8}\n',
        "bad.yaml:10:19: checks[0].route.host: no host 'host9' in the topology (hosts: host1)",
      ],
      [
        '  - name: x\n    counter: {host: host1, softnet: 2, stat: dropped, at_least: 1}\n',
        "bad.yaml:10:37: checks[0].counter.softnet: expected an integer from 0 to 1, got '2'",
      ],
      [
        '  - name: x\n    tcp: {host: host1, state: TIMEWAIT}\n',
        "bad.yaml:10:31: checks[0].tcp.state: expected one of ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING, NEW_SYN_RECV, got 'TIMEWAIT'",
      ],
      [
        '  - name: x\n    qdisc: {host: host1, dev: lo, kind: fq}\n    pmtu: {}\n',
        'bad.yaml:11:5: checks[0]: expected exactly one of route, counter, journey, qdisc, sysctl, neigh, tcp, pmtu, got qdisc and pmtu',
      ],
      [
        '  - nam: x\n',
        "bad.yaml:9:5: checks[0]: unknown key 'nam' (expected one of: name, route, counter, journey, qdisc, sysctl, neigh, tcp, pmtu)",
      ],
    ];
    for (const [checks, error] of cases) expect(parse(base + checks)).toEqual({ error });
  });

  it('a YAML syntax error, a missing key and a mistake in the inline topology are reported where they are', () => {
    expect(parse('title: [x\ntasks: y\n')).toEqual({
      error: expect.stringMatching(/^bad\.yaml:\d+:\d+: YAML syntax: /),
    });
    expect(parse('title: t\n')).toEqual({ error: "bad.yaml:1:1: missing key 'topology'" });
    // The topology's own parser, at the lab file's line and column.
    expect(
      parse(base.replace('cpus: 2', 'cpus: two') + '  - name: x\n    route: {host: host1, to: default}\n'),
    ).toEqual({
      error: "bad.yaml:6:13: topology.hosts.host1.cpus: expected an integer from 1 to 64, got 'two'",
    });
  });

  it('an unknown lab name lists the labs there are', () => {
    const r = loadLab('nope');
    expect(isLabError(r) && r.error).toMatch(/^skblab lab: no lab 'nope' \(labs: loopback, arp-namespaces, /);
  });

  it('a boot line that fails names its line in the lab file', async () => {
    const def = parse(
      base.replace('cpus: 2', 'cpus: 2\n      exec:\n        - ip route add 10.0.0.0/8 via 1.2.3.4') +
        '  - name: x\n    route: {host: host1, to: default}\n',
    );
    if (isLabError(def)) throw new Error(def.error);
    const s = await LabSession.open(def, { out: () => undefined, err: () => undefined });
    expect(s).toBe(
      "bad.yaml:8:11: host1: 'ip route add 10.0.0.0/8 via 1.2.3.4' failed: Error: Nexthop has invalid gateway.",
    );
  });
});

describe('reports', () => {
  const def = { name: 'demo', title: 'A <demo> & more', file: 'x.yaml' } as LabDef;
  const results: CheckResult[] = [
    { id: 1, name: 'route', passed: true, why: 'host1 has a route' },
    { id: 2, name: 'counter "x"', passed: false, why: 'moved by 0 < 1' },
  ];
  it('text: each check, PASS or FAIL and why, and a total', () => {
    expect(formatText(def, results)).toBe(
      'lab demo: A <demo> & more\n' +
        '  PASS  1. route\n        host1 has a route\n' +
        '  FAIL  2. counter "x"\n        moved by 0 < 1\n' +
        '1 of 2 checks passed.\n',
    );
  });
  it('JSON and JUnit XML', () => {
    const j = JSON.parse(formatJson(def, results));
    expect(j).toMatchObject({ lab: 'demo', passed: false, total: 2, passedCount: 1, failedCount: 1 });
    expect(j.checks[1]).toEqual({ id: 2, name: 'counter "x"', passed: false, why: 'moved by 0 < 1' });
    const x = formatJunit(def, results, new Date('2025-01-02T03:04:05.678Z'));
    expect(x).toContain(
      '<testsuite name="skblab.lab.demo" tests="2" failures="1" errors="0" skipped="0" timestamp="2025-01-02T03:04:05">',
    );
    expect(x).toContain('<property name="title" value="A &lt;demo&gt; &amp; more"/>');
    expect(x).toContain(
      '<testcase classname="skblab.lab.demo" name="2. counter &quot;x&quot;">\n      <failure message="moved by 0 &lt; 1" type="check">',
    );
    expect(x).toContain('<system-out>host1 has a route</system-out>');
  });
});

describe('the lab shell', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-lab-spec-'));
    process.env.XDG_STATE_HOME = dir;
  });
  afterEach(() => {
    delete process.env.XDG_STATE_HOME;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the lines typed, and a check outside grades their replay', async () => {
    const { labMain } = await import('./lab');
    const def = lab('loopback');
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (writes.push(String(s)), true));
    const errSpy = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((s) => (writes.push(String(s)), true));
    try {
      const stateFile = path.join(dir, 'skblab', 'labs', 'loopback.json');
      fs.mkdirSync(path.dirname(stateFile), { recursive: true });
      fs.writeFileSync(
        stateFile,
        JSON.stringify({ lab: 'loopback', lines: def.solution.map((line) => ({ line })), hintsShown: 0 }),
      );
      expect(await labMain(['check', 'loopback', '--json'])).toBe(0);
      const j = JSON.parse(writes.join(''));
      expect(j.passed).toBe(true);
      writes.length = 0;
      expect(await labMain(['hint', 'loopback'])).toBe(0);
      expect(await labMain(['hint', 'loopback'])).toBe(0);
      expect(writes.join('')).toMatch(
        /^hint 1 of 3 \('hint' again for the next\):\n {2}skbtrace[^]*\nhint 2 of 3/,
      );
      writes.length = 0;
      expect(await labMain(['reset', 'loopback'])).toBe(0);
      expect(fs.existsSync(stateFile)).toBe(false);
      expect(await labMain(['check', 'loopback'])).toBe(1);
      expect(writes.join('')).toContain('0 of 4 checks passed.');
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
    }
  });
});
