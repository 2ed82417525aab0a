import { Lab } from '@skblab/runtime';
import { defaultCommands } from '@skblab/userland';
import { newShell, runScript } from './session';
import { parse, tokenize, ShellSyntaxError } from './tokenize';

async function run(script: string) {
  const lab = new Lab();
  const host = lab.addHost('host1');
  let out = '';
  let err = '';
  const shell = newShell(lab, host, defaultCommands(), { out: (s) => (out += s), err: (s) => (err += s) });
  const status = await runScript(shell, script);
  return { out, err, status, lab };
}

describe('tokenize and parse', () => {
  it('splits words, quotes, escapes and operators like sh', () => {
    expect(tokenize(`echo 'a b' "c \\"d\\"" e\\ f # comment`)).toEqual([
      { kind: 'word', value: 'echo' },
      { kind: 'word', value: 'a b' },
      { kind: 'word', value: 'c "d"' },
      { kind: 'word', value: 'e f' },
    ]);
    const items = parse(tokenize('echo hi | nc -u 127.0.0.1 9 && ping -c 1 x & sleep 1; true || false'));
    expect(items.map((i) => [i.join, i.pipeline.commands.length, i.pipeline.background])).toEqual([
      [';', 2, false],
      ['&&', 1, true],
      [';', 1, false],
      [';', 1, false],
      ['||', 1, false],
    ]);
  });

  it('reports syntax errors instead of guessing', () => {
    expect(() => tokenize("echo 'open")).toThrow(ShellSyntaxError);
    expect(() => parse(tokenize('| echo'))).toThrow(ShellSyntaxError);
    expect(() => parse(tokenize('echo &&'))).toThrow(ShellSyntaxError);
    expect(() => tokenize('echo >')).toThrow(/unexpected token `newline'/);
    expect(() => tokenize('echo (')).toThrow(/unexpected token `\('/);
  });
});

describe('the shell', () => {
  it('runs lines in order and ends with the last status', async () => {
    const r = await run('echo one\necho two\nfalse\n');
    expect(r.out).toBe('one\ntwo\n');
    expect(r.status).toBe(1);
  });

  it('answers an unknown command like bash, with status 127, and keeps going', async () => {
    const r = await run('nosuchcmd -x\necho $?\necho still here\n');
    expect(r.err).toBe('bash: nosuchcmd: command not found\n');
    expect(r.out).toBe('127\nstill here\n');
  });

  it('redirects to /dev/null and stderr to stdout', async () => {
    const r = await run(
      'ping -c 1 192.0.2.1 2>/dev/null; echo $?\nping -c 1 127.0.0.1 >/dev/null && echo quiet\nnosuch 2>&1 | grep -c found\n',
    );
    expect(r.err).toBe('');
    expect(r.out).toBe('2\nquiet\n1\n');
  });

  it('supports ;, &&, || and $?', async () => {
    const r = await run('false && echo no; true && echo yes; false || echo alt; echo $?\n');
    expect(r.out).toBe('yes\nalt\n0\n');
  });

  it('exit ends the script with its status', async () => {
    const r = await run('echo a\nexit 3\necho never\n');
    expect(r.out).toBe('a\n');
    expect(r.status).toBe(3);
  });

  it('exit in a pipeline or a background job ends only that subshell, as in bash', async () => {
    const r = await run(
      'exit 3 &\nwait\necho "w $?"\necho x | exit 4\necho "p $?"\nexit 5 | cat\necho "q $?"\n',
    );
    expect(r.err).toBe('');
    expect(r.out).toBe('w 0\np 4\nq 0\n');
    expect(r.status).toBe(0);
  });

  it('exit in bash -c ends that child with its status, and the script goes on', async () => {
    const r = await run(
      `bash -c 'echo in; exit 3; echo no'\necho "s $?"\nsh -c 'exit 2 | cat; echo x'\necho "t $?"\n`,
    );
    expect(r.out).toBe('in\ns 3\nx\nt 0\n');
    expect(r.status).toBe(0);
  });

  it('$? is the last status outside single quotes; bash -c keeps its own; exit with too many arguments', async () => {
    const r = await run(
      [
        `bash -c 'false; exit'; echo "a $?"`,
        `false; bash -c 'exit'; echo "b $?"`,
        `bash -c 'false; echo $?'`,
        `echo '$?' "$?" \\$?`,
        'exit 1 2',
        'echo "still $?"',
        '',
      ].join('\n'),
    );
    expect(r.out).toBe('a 1\nb 0\n1\n$? 0 $?\nstill 1\n');
    expect(r.err).toBe('bash: exit: too many arguments\n');
    expect(r.status).toBe(0);
  });

  it('sleeps in simulated time and rejects bad intervals like coreutils', async () => {
    const r = await run('sleep 2.5\nsleep abc\n');
    expect(r.lab.now()).toBeGreaterThanOrEqual(2.5e9);
    expect(r.err).toBe("sleep: invalid time interval 'abc'\nTry 'sleep --help' for more information.\n");
    expect(r.status).toBe(1);
  });

  it('sh -c runs a list, a pipe feeds echo into the next command', async () => {
    const r = await run(`sh -c 'echo a; echo b | cat'\n`);
    expect(r.out).toBe('a\nb\n');
  });

  it('taskset -c picks the CPU whose backlog the command uses, and refuses a CPU that does not exist', async () => {
    const r = await run('taskset -c 1 ping -c 1 127.0.0.1\ncat /proc/net/softnet_stat\ntaskset -c 7 true\n');
    const lines = r.out.trim().split('\n').slice(-2);
    expect(lines[0].split(' ')[0]).toBe('00000000');
    expect(lines[1].split(' ')[0]).toBe('00000002');
    expect(r.err).toContain('taskset: failed to set pid');
    expect(r.status).toBe(1);
  });

  it('stops background jobs at the end of input', async () => {
    const r = await run('ping 127.0.0.1 &\nsleep 3\n');
    expect(r.out).toMatch(/icmp_seq=3 /);
    expect(r.out).toContain('--- 127.0.0.1 ping statistics ---');
  });
});

describe('tools', () => {
  it('ping 127.0.0.1 prints what iputils prints', async () => {
    const r = await run('ping -c 2 -i 0.2 127.0.0.1\n');
    expect(r.out).toMatch(
      /^PING 127\.0\.0\.1 \(127\.0\.0\.1\) 56\(84\) bytes of data\.\n64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=\d+\.\d{3} ms\n64 bytes from 127\.0\.0\.1: icmp_seq=2 ttl=64 time=\d+\.\d{3} ms\n\n--- 127\.0\.0\.1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 200ms\nrtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n$/,
    );
    expect(r.status).toBe(0);
  });

  it('ping errors and exit statuses match iputils', async () => {
    expect((await run('ping -c abc 127.0.0.1\n')).err).toBe("ping: invalid argument: 'abc'\n");
    expect((await run('ping\n')).err).toBe('ping: usage error: Destination address required\n');
    const nr = await run('ping -c 1 192.0.2.1\n');
    expect(nr.err).toBe('ping: connect: Network is unreachable\n');
    expect(nr.status).toBe(2);
    expect((await run('ping -c 0 127.0.0.1\n')).err).toBe(
      "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n",
    );
    const small = await run('ping -c 1 -s 8 127.0.0.1\n');
    expect(small.out).toContain('16 bytes from 127.0.0.1: icmp_seq=1 ttl=64\n');
  });

  it('sysctl reads, writes and refuses like procps', async () => {
    const r = await run(
      'sysctl net.core.netdev_max_backlog\nsysctl -w net.core.netdev_max_backlog=10\nsysctl -n net.core.netdev_max_backlog\nsysctl net.ipv4.ip_default_ttl=300\nsysctl net.nope\n',
    );
    expect(r.out).toBe('net.core.netdev_max_backlog = 1000\nnet.core.netdev_max_backlog = 10\n10\n');
    expect(r.err).toBe(
      'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument\nsysctl: cannot stat /proc/sys/net/nope: No such file or directory\n',
    );
  });

  it('cat reads the modelled /proc files and nothing else', async () => {
    const r = await run('cat /proc/net/dev\ncat /etc/passwd\n');
    expect(r.out).toContain(
      '    lo:       0       0    0    0    0     0          0         0        0       0',
    );
    expect(r.err).toBe('cat: /etc/passwd: No such file or directory\n');
    expect(r.status).toBe(1);
  });

  it('skbtrace shows the request and the reply of a ping, and --json the same journeys', async () => {
    const r = await run('ping -c 1 127.0.0.1\nskbtrace\nskbtrace -n 2 --json\n');
    const table = r.out.split('\n').filter((l) => l.startsWith('0xffff'));
    expect(table[0]).toMatch(/^0xffff888000000001 0 +\[ping\] +4026531840 .* __sys_sendto /);
    expect(table.some((l) => /0xffff888000000002 .*ping_recvmsg/.test(l))).toBe(true);
    const json = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(json).toHaveLength(2);
    expect(json[1].steps.at(-1).func).toBe('ping_recvmsg');
  });
});
