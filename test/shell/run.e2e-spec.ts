/**
 * `skblab run SCRIPT`: a bash script, unchanged, against a lab. The script below is the kind people write
 * (namespaces, a veth pair, sysctl, ping, tc, a failing command, a loop, the system's own cat); its output
 * and exit status must be what the real kernel gives for the same script, run here in a network namespace
 * of its own (unshare -m -n with a private /run/netns) when this machine lets root do that.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeRealKernel } from '../differential/real-kernel';

const BIN = path.join(__dirname, '..', '..', 'bin', 'skblab');

const SCRIPT = `#!/bin/bash
set -u
ip netns add ns1
ip netns add ns2
ip link add veth1 netns ns1 type veth peer name veth2 netns ns2
ip -n ns1 addr add 10.0.0.1/24 dev veth1
ip -n ns2 addr add 10.0.0.2/24 dev veth2
ip -n ns1 link set veth1 up
ip -n ns2 link set veth2 up
ip netns exec ns1 sysctl -w net.ipv4.ip_forward=1
ip netns exec ns1 ping -c 2 -q 10.0.0.2 | tail -2 | head -1
echo "ping status: \${PIPESTATUS[0]}"
ip netns exec ns1 ping -c 1 -W 1 10.0.0.3 >/dev/null
echo "unreachable ping status: $?"
ip -n ns1 -4 -br addr show dev veth1
tc -n ns1 qdisc show dev veth1
ip link show nosuch
echo "status: $?"
for ns in ns1 ns2; do echo "$ns: $(ip netns exec $ns cat /proc/sys/net/ipv4/ip_forward)"; done
ip netns list | sort
cat "$0" >/dev/null && echo "the system's cat reads the script"
exit 3
`;

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-run-test-'));
  fs.writeFileSync(path.join(dir, 'lab.sh'), SCRIPT);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function skblabRun(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args], {
    encoding: 'utf8',
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

/** ping's summary line with its timing masked (it is the wall clock's on a real box). */
const masked = (s: string) => s.replace(/time \d+ms/, 'time Nms');

describe('skblab run', () => {
  jest.setTimeout(120_000);

  it('runs a bash script against the lab: its tools act on the lab, the rest is bash', () => {
    const r = skblabRun('lab.sh');
    expect(masked(r.out)).toBe(
      'net.ipv4.ip_forward = 1\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time Nms\n' +
        'ping status: 0\n' +
        'unreachable ping status: 1\n' +
        'veth1@if2        UP             10.0.0.1/24 \n' +
        'qdisc noqueue 0: root refcnt 2 \n' +
        'status: 1\n' +
        'ns1: 1\n' +
        'ns2: 0\n' +
        'ns1\n' +
        'ns2\n' +
        "the system's cat reads the script\n",
    );
    expect(r.err).toBe('Device "nosuch" does not exist.\n');
    expect(r.status).toBe(3);
  });

  const missing = probeRealKernel();
  (missing ? it.skip : it)('gives what the real kernel gives for the same script', () => {
    const r = spawnSync(
      'unshare',
      ['-m', '-n', 'bash', '-c', 'mkdir -p /run/netns && mount -t tmpfs none /run/netns && bash lab.sh'],
      { encoding: 'utf8', cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    const lab = skblabRun('lab.sh');
    expect(masked(lab.out)).toBe(masked(r.stdout));
    expect(lab.err).toBe(r.stderr);
    expect(lab.status).toBe(r.status);
  });

  it('says what is wrong with its command line, and a missing script is 127 as in bash', () => {
    expect(skblabRun()).toMatchObject({ status: 2, err: expect.stringContaining('a SCRIPT is needed') });
    expect(skblabRun('--bogus', 'lab.sh')).toMatchObject({
      status: 2,
      err: expect.stringContaining("unknown option '--bogus'"),
    });
    expect(skblabRun('nosuch.sh')).toMatchObject({
      status: 127,
      err: 'skblab run: nosuch.sh: No such file or directory\n',
    });
    expect(skblabRun('--node', 'nosuch', 'lab.sh')).toMatchObject({
      status: 1,
      err: expect.stringContaining("no node named 'nosuch'"),
    });
  });

  it('passes the arguments on, and runs on the node asked for', () => {
    fs.writeFileSync(path.join(dir, 'args.sh'), 'echo "$# $1 $2"\nip -br link show dev eth0 | cut -c1-4\n');
    const r = skblabRun('--node', 'host2', 'args.sh', 'a b', 'c');
    expect(r.out).toBe('2 a b c\neth0\n');
    expect(r.status).toBe(0);
  });

  it('runs against a running distributed lab (--lab), whose services keep what the script configured', () => {
    const lab = `${process.env.SKBLAB_TEST_LAB_ID}-run`;
    const env = { ...process.env };
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, env, timeout: 120_000 });
    fs.writeFileSync(
      path.join(dir, 'd.sh'),
      [
        'ip netns add ns1',
        'ip link add veth1 type veth peer name veth2 netns ns1',
        'ip addr add 10.9.0.1/24 dev veth1',
        'ip link set veth1 up',
        'ip -n ns1 addr add 10.9.0.2/24 dev veth2',
        'ip -n ns1 link set veth2 up',
        'ping -c 2 -q 10.9.0.2 | tail -2 | head -1',
        'ip link show nosuch; echo "status $?"',
        'exit 4',
      ].join('\n') + '\n',
    );
    expect(cli('up', '--lab', lab).status).toBe(0);
    try {
      const r = cli('run', '--lab', lab, 'd.sh');
      expect(masked(r.stdout)).toBe(
        '2 packets transmitted, 2 received, 0% packet loss, time Nms\nstatus 1\n',
      );
      expect(r.stderr).toBe('Device "nosuch" does not exist.\n');
      expect(r.status).toBe(4);
      // The configuration is the lab's, not the script's: a later shell sees it.
      const after = spawnSync(process.execPath, [BIN, 'exec', '--lab', lab], {
        encoding: 'utf8',
        env,
        input: 'ip -br addr show dev veth1\nip netns list\n',
        timeout: 60_000,
      });
      expect(after.stdout).toBe('veth1@if2        UP             10.9.0.1/24 \nns1\n');
    } finally {
      cli('down', '--lab', lab);
    }
    expect(cli('run', '--lab', `${lab}-none`, 'd.sh')).toMatchObject({
      status: 1,
      stderr: expect.stringContaining(`no lab '${lab}-none'`),
    });
  });

  it("leaves the script's input to the script: a loop reading it runs every line", () => {
    fs.writeFileSync(
      path.join(dir, 'loop.sh'),
      'printf \'a\\nb\\nc\\n\' | while read l; do cat /proc/net/dev >/dev/null; ip -br link show dev lo | cut -c1-2; echo "$l"; done\n',
    );
    const r = skblabRun('loop.sh');
    expect(r.out).toBe('lo\na\nlo\nb\nlo\nc\n');
    expect(r.status).toBe(0);
  });

  it('a tool outside skblab run says so', () => {
    const r = spawnSync(path.join(__dirname, '..', '..', 'bin', 'skblab-shim'), ['link'], {
      encoding: 'utf8',
      env: { ...process.env, SKBLAB_RUN_SOCKET: '' },
    });
    expect(r.status).toBe(127);
    expect(r.stderr).toContain("not inside 'skblab run'");
  });
});
