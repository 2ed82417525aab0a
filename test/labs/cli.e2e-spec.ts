/**
 * `skblab lab` from the command line, as a learner and a learning platform use it: list, start (the lab's
 * shell, here fed on standard input, with its `lab` builtin), check from outside (the lines typed, replayed),
 * --solution, --json, --junit, hint, reset, and the errors.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'skblab');

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-labs-e2e-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function skblab(args: string[], input = ''): { status: number | null; out: string; err: string } {
  const r = spawnSync(BIN, ['lab', ...args], {
    input,
    encoding: 'utf8',
    cwd: path.join(__dirname, '..', '..'),
    env: { ...process.env, XDG_STATE_HOME: path.join(dir, 'state') },
    timeout: 120_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('skblab lab', () => {
  it('list shows at least eight labs, and --help tells the subcommands', () => {
    const r = skblab(['list']);
    expect(r.status).toBe(0);
    const rows = r.out.split('\n').filter((l) => /^[a-z]/.test(l) && !l.startsWith("'"));
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(r.out).toMatch(/^NAME +TITLE +PROGRESS\nloopback +127\.0\.0\.1 versus the host's own address\n/);
    const h = skblab(['--help']);
    expect(h.status).toBe(0);
    expect(h.out).toContain(
      'skblab lab check NAME [--solution | --script FILE] [--json] [--junit FILE] [-v]',
    );
  });

  it('check --solution passes, with a JUnit report; the untouched lab fails with status 1', () => {
    const junit = path.join(dir, 'report.xml');
    const ok = skblab(['check', 'tcp-handshake-retrans', '--solution', '--junit', junit]);
    expect(ok.status).toBe(0);
    expect(ok.out).toContain('All 6 checks passed.');
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuite name="skblab.lab.tcp-handshake-retrans" tests="6" failures="0"');
    const bad = skblab(['check', 'tcp-handshake-retrans', '--json']);
    expect(bad.status).toBe(1);
    const j = JSON.parse(bad.out);
    expect(j).toMatchObject({ lab: 'tcp-handshake-retrans', passed: false, passedCount: 0, failedCount: 6 });
    expect(j.checks[2].why).toBe(
      'host1 has no TCP connection on port 8080 in TIME_WAIT (no TCP sockets there)',
    );
  });

  it('start runs the lines given, its lab builtin grades the running lab, and check outside replays them', () => {
    const start = skblab(
      ['start', 'arp-namespaces'],
      [
        'ip netns add ns1',
        'ip netns add ns2',
        'ip link add veth1 netns ns1 type veth peer name veth2 netns ns2',
        'ip -n ns1 addr add 10.0.0.1/24 dev veth1',
        'ip -n ns2 addr add 10.0.0.2/24 dev veth2',
        'ip -n ns1 link set veth1 up',
        'ip -n ns2 link set veth2 up',
        'lab check',
        'lab hint',
        'ip netns exec ns1 ping -c 1 10.0.0.2 > /dev/null',
        'lab check',
      ].join('\n') + '\n',
    );
    expect(start.status).toBe(0);
    expect(start.out).toContain('skblab lab arp-namespaces: Two namespaces and ARP\n');
    expect(start.out).toContain('Tasks:\n  1. Make two namespaces, ns1 and ns2 (ip netns add).');
    // The first `lab check`: the routes are there, no ping yet; the second: all pass.
    expect(start.out).toContain('2 of 5 checks passed.');
    expect(start.out).toContain('  FAIL  3. the last ping to 10.0.0.2 asked for its MAC address first');
    expect(start.out).toContain('hint 1 of 3');
    expect(start.out).toContain('All 5 checks passed.');

    // From outside: the 8 lines typed (not the lab builtins), replayed into a fresh lab.
    const state = JSON.parse(
      fs.readFileSync(path.join(dir, 'state', 'skblab', 'labs', 'arp-namespaces.json'), 'utf8'),
    );
    expect(state.lines).toHaveLength(8);
    expect(state.hintsShown).toBe(1);
    const check = skblab(['check', 'arp-namespaces']);
    expect(check.status).toBe(0);
    expect(check.out).toContain('All 5 checks passed.');
    expect(skblab(['list']).out).toMatch(/\narp-namespaces +Two namespaces and ARP +8 lines typed\n/);
    // The next hint is the second; hint N shows that one.
    expect(skblab(['hint', 'arp-namespaces']).out).toMatch(/^hint 2 of 3/);
    expect(skblab(['hint', 'arp-namespaces', '3']).out).toMatch(
      /^hint 3 of 3 \(the last one\):\n {2}ip netns exec ns1 ping/,
    );

    // start again resumes; lab reset inside starts afresh.
    const again = skblab(['start', 'arp-namespaces'], 'lab check\nlab reset\nlab check\n');
    expect(again.out).toContain('Resumed: the 8 lines you typed before were run again');
    expect(again.out).toContain('All 5 checks passed.');
    expect(again.out).toContain('lab arp-namespaces: reset to a fresh copy of its topology');
    expect(again.out).toContain('0 of 5 checks passed.');
    expect(skblab(['check', 'arp-namespaces']).status).toBe(1);
    expect(skblab(['reset', 'arp-namespaces']).out).toBe(
      "lab arp-namespaces: reset; 'skblab lab start arp-namespaces' starts it afresh\n",
    );
  });

  it('check --script grades a script of the learner’s', () => {
    const script = path.join(dir, 'answer.sh');
    fs.writeFileSync(script, 'ping -c 1 127.0.0.1\nping -c 1 192.168.1.1\n');
    const r = skblab(['check', 'loopback', '--script', script]);
    expect(r.status).toBe(0);
    expect(r.out).toContain('  PASS  2. ping 192.168.1.1 went through lo too, never through eth0');
  });

  it('an unknown lab, a bad lab file and a bad option are clear errors with status 2', () => {
    const unknown = skblab(['start', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.err).toMatch(/^skblab lab: no lab 'nope' \(labs: loopback, arp-namespaces, /);
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'title: t\ntasks: x\ntopology: ../nowhere.yaml\nchecks: []\nsolution: [true]\n');
    const r = skblab(['check', bad]);
    expect(r.status).toBe(2);
    expect(r.err).toBe(`${bad}:3:11: topology: ../nowhere.yaml: No such file or directory\n`);
    // A boot line of the lab's topology that fails is the lab file's mistake too, at its line.
    const boot = path.join(dir, 'boot.yaml');
    fs.writeFileSync(
      boot,
      'title: t\ntasks: x\ntopology:\n  hosts:\n    host1:\n      exec:\n        - ip route add 10.0.0.0/8 via 1.2.3.4\n' +
        'checks:\n  - name: c\n    route: {host: host1, to: default}\nsolution: [true]\n',
    );
    const b = skblab(['check', boot, '--solution']);
    expect([b.status, b.err]).toEqual([
      2,
      `${boot}:7:11: host1: 'ip route add 10.0.0.0/8 via 1.2.3.4' failed: Error: Nexthop has invalid gateway.\n`,
    ]);
    // A script that is not a file: said as the tools say it.
    const notFile = skblab(['check', 'loopback', '--script', dir]);
    expect([notFile.status, notFile.err]).toEqual([2, `skblab lab: ${dir}: Is a directory\n`]);
    const opt = skblab(['check', 'loopback', '--jsn']);
    expect(opt.status).toBe(2);
    expect(opt.err).toMatch(/^skblab lab: unknown option '--jsn'\n\nUsage: skblab lab list/);
  });
});
