/**
 * ss driven through the shell in a real Lab, against what iproute2 6.1's ss (Debian 12) prints for the same
 * sockets in a fresh network namespace (captured with Python sockets under `unshare -rn`). inet_diag dumps
 * the established hash in its bucket order, which the lab does not reproduce: rows are compared as a set,
 * the header and each row byte for byte.
 */
import { runScript } from '@skblab/shell';
import { oneHost } from './testing/one-host';
import { printMsTimer, ss } from './ss';

async function run(script: string) {
  const { lab, host, shell, io } = oneHost();
  const status = await runScript(shell, script);
  return { ...io, status, lab, host };
}

/** A TIME-WAIT (40001 → 8081, closed first by the client) and a live connection 40000 → 8080. */
const SCENE =
  'nc -l 8081 &\nnc -N -p 40001 127.0.0.1 8081\nwait\n' + 'nc -l 8080 &\nnc -p 40000 127.0.0.1 8080 &\n';

/** The first line, then the others sorted (inet_diag's hash order is not modelled). */
const norm = (s: string) => {
  const l = s.split('\n');
  return [l[0], ...l.slice(1).sort()];
};

describe('ss -t', () => {
  it('ss -tan: LISTEN, ESTAB both ways, TIME-WAIT, as iproute2 6.1 prints them', async () => {
    const r = await run(SCENE + 'ss -tan\n');
    expect(r.err).toBe('');
    expect(norm(r.out)).toEqual(
      norm(
        [
          'State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
          'LISTEN    0      1            0.0.0.0:8080       0.0.0.0:*           ',
          'ESTAB     0      0          127.0.0.1:40000    127.0.0.1:8080        ',
          'TIME-WAIT 0      0          127.0.0.1:40001    127.0.0.1:8081        ',
          'ESTAB     0      0          127.0.0.1:8080     127.0.0.1:40000       ',
          '',
        ].join('\n'),
      ),
    );
  });

  it('ss -ta names the services, not the ephemeral ports', async () => {
    const r = await run(SCENE + 'ss -ta\n');
    expect(norm(r.out)).toEqual(
      norm(
        [
          'State     Recv-Q Send-Q Local Address:Port     Peer Address:Port    Process',
          'LISTEN    0      1            0.0.0.0:http-alt      0.0.0.0:*              ',
          'ESTAB     0      0          127.0.0.1:40000       127.0.0.1:http-alt       ',
          'TIME-WAIT 0      0          127.0.0.1:40001       127.0.0.1:tproxy         ',
          'ESTAB     0      0          127.0.0.1:http-alt    127.0.0.1:40000          ',
          '',
        ].join('\n'),
      ),
    );
  });

  it('ss -tn shows the connections only; ss -tln the listeners only', async () => {
    const r = await run(SCENE + 'ss -tn\nss -tln\n');
    const [conn, listen] = r.out.split(/(?=State {2}Recv-Q)/);
    expect(norm(conn)).toEqual(
      norm(
        [
          'State Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
          'ESTAB 0      0          127.0.0.1:40000    127.0.0.1:8080        ',
          'ESTAB 0      0          127.0.0.1:8080     127.0.0.1:40000       ',
          '',
        ].join('\n'),
      ),
    );
    expect(listen).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
        'LISTEN 0      1            0.0.0.0:8080      0.0.0.0:*          \n',
    );
  });

  it('ss -tano: the TIME-WAIT timer counts down from 60 s', async () => {
    const r = await run(SCENE + 'sleep 1\nss -tano\n');
    expect(r.out).toContain('127.0.0.1:40001    127.0.0.1:8081  timer:(timewait,59sec,0)');
    expect(r.out.split('\n')[0]).toBe(
      'State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process                  ',
    );
  });

  it('ss -tlp and -e name the owner, the inode and the shutdown state', async () => {
    const r = await run('nc -l 8080 &\nss -tlnp\nss -tlne\n');
    expect(r.out).toMatch(
      /^LISTEN 0 {6}1 {12}0\.0\.0\.0:8080 {6}0\.0\.0\.0:\* {4}users:\(\("nc",pid=\d+,fd=3\)\)$/m,
    );
    expect(r.out).toMatch(/0\.0\.0\.0:\* {4}ino:\d+ sk:[0-9a-f]+ cgroup:\/ <->$/m);
  });

  it('ss -ti adds tcp_info on a second line, after a tab', async () => {
    const r = await run('nc -l 8080 &\nnc -p 40000 127.0.0.1 8080 &\nss -tni\n');
    const l = r.out.split('\n');
    expect(l).toHaveLength(6);
    expect(l[1]).toMatch(/^ESTAB 0 {6}0 {10}127\.0\.0\.1:(40000|8080) +127\.0\.0\.1:(8080|40000) ?$/);
    expect(l[2]).toMatch(
      /^\t cubic wscale:\d+,\d+ rto:\d+(\.\d+)? .*mss:\d+ pmtu:\d+ rcvmss:\d+ advmss:\d+ cwnd:10 /,
    );
    expect(l[4]).toMatch(/^\t cubic /);
    // The header's Process column is as wide as the longest info line (the last one's aside).
    expect(l[0].length).toBe(l[0].trimEnd().length + (l[2].length + 1 - 'Process'.length));
  });

  it('ss -tm: the socket memory', async () => {
    const r = await run('nc -l 8080 &\nnc 127.0.0.1 8080 &\nss -tnm\n');
    expect(r.out).toMatch(/^\t skmem:\(r0,rb\d+,t0,tb\d+,f0,w0,o0,bl0,d0\)/m);
  });
});

describe('ss filters', () => {
  // What iproute2 6.1's ss printed for SCENE's sockets in a new namespace, filter by filter (`ss -tan FILTER`).
  const CASES: Array<[string, string[]]> = [
    [
      'state established',
      [
        'Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
        '0      0          127.0.0.1:8080     127.0.0.1:40000       ',
        '0      0          127.0.0.1:40000    127.0.0.1:8080        ',
      ],
    ],
    [
      'state time-wait',
      [
        'Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
        '0      0          127.0.0.1:40001    127.0.0.1:8081       ',
      ],
    ],
    [
      'exclude established',
      [
        'State     Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
        'LISTEN    0      1            0.0.0.0:8080       0.0.0.0:*          ',
        'TIME-WAIT 0      0          127.0.0.1:40001    127.0.0.1:8081       ',
      ],
    ],
    [
      'dport = :8080',
      [
        'State Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
        'ESTAB 0      0          127.0.0.1:40000    127.0.0.1:8080       ',
      ],
    ],
    [
      'sport ge :8080',
      [
        'State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
        'LISTEN    0      1            0.0.0.0:8080       0.0.0.0:*           ',
        'ESTAB     0      0          127.0.0.1:8080     127.0.0.1:40000       ',
        'TIME-WAIT 0      0          127.0.0.1:40001    127.0.0.1:8081        ',
        'ESTAB     0      0          127.0.0.1:40000    127.0.0.1:8080        ',
      ],
    ],
    [
      "'( dst 127.0.0.1:8081 or sport == :8080 )'",
      [
        'State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
        'LISTEN    0      1            0.0.0.0:8080       0.0.0.0:*           ',
        'ESTAB     0      0          127.0.0.1:8080     127.0.0.1:40000       ',
        'TIME-WAIT 0      0          127.0.0.1:40001    127.0.0.1:8081        ',
      ],
    ],
    [
      'state all dport != :8080',
      [
        'State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
        'LISTEN    0      1            0.0.0.0:8080       0.0.0.0:*           ',
        'ESTAB     0      0          127.0.0.1:8080     127.0.0.1:40000       ',
        'TIME-WAIT 0      0          127.0.0.1:40001    127.0.0.1:8081        ',
      ],
    ],
  ];
  it.each(CASES)('ss -tan %s', async (filter, expected) => {
    const r = await run(SCENE + `ss -tan ${filter}\n`);
    expect(r.err).toBe('');
    expect(norm(r.out)).toEqual(norm(expected.join('\n') + '\n'));
  });

  it('refuses what ss refuses, with its messages and exit statuses', async () => {
    let r = await run('ss -tn dport\n');
    expect(r.err.split('\n')[0]).toBe('ss: bison bellows (while parsing filter): "syntax error!" Sorry.');
    expect(r.err).toContain('Usage: ss [ OPTIONS ]\n       ss [ OPTIONS ] [ FILTER ]\n');
    expect(r.status).toBe(255);
    r = await run('ss -tn foo\n');
    expect([r.err, r.status]).toEqual([
      'Error: an inet prefix is expected rather than "foo".\nCannot parse dst/src address.\n',
      1,
    ]);
    r = await run('ss -tan state bogus\n');
    expect([r.err, r.status]).toEqual(['ss: wrong state name: bogus\n', 255]);
    r = await run('ss -tn dst != 127.0.0.1\n');
    expect(r.status).toBe(255);
  });
});

describe('ss -s', () => {
  // The real box (iproute2 6.1, kernel 6.12, the same scene with netcat-openbsd and `nc -u -l 9999`) printed
  // exactly this, except that its `TCP:` total and `closed` also counted the 131 TCP sockets other
  // namespaces of that host had allocated (tcp_sockets_allocated is global): 135 and 132 there.
  const SUMMARY = [
    'Total: 4',
    'TCP:   4 (estab 2, closed 1, orphaned 0, timewait 1)',
    '',
    'Transport Total     IP        IPv6',
    'RAW\t  0         0         0        ',
    'UDP\t  1         1         0        ',
    'TCP\t  3         3         0        ',
    'INET\t  4         4         0        ',
    'FRAG\t  0         0         0        ',
    '',
    '',
  ].join('\n');

  it('counts sockets from /proc/net/sockstat and CurrEstab from /proc/net/snmp, as print_summary', async () => {
    const r = await run(SCENE + 'nc -u -l 9999 &\nss -s\ncat /proc/net/sockstat\n');
    expect(r.err).toBe('');
    expect(r.out).toBe(
      SUMMARY +
        'sockets: used 4\nTCP: inuse 3 orphan 0 tw 1 alloc 3 mem 0\nUDP: inuse 1 mem 0\nUDPLITE: inuse 0\n' +
        'RAW: inuse 0\nFRAG: inuse 0 memory 0\n',
    );
  });

  it('with -t the socket table follows the summary', async () => {
    const r = await run(SCENE + 'ss -stn\n');
    const [head, table] = [r.out.slice(0, r.out.indexOf('State')), r.out.slice(r.out.indexOf('State'))];
    expect(head).toContain('Total: 3\nTCP:   4 (estab 2, closed 1, orphaned 0, timewait 1)\n');
    expect(table.split('\n').filter((l) => l.startsWith('ESTAB'))).toHaveLength(2);
  });
});

describe('print_ms_timer', () => {
  it.each([
    [59000, '59sec'],
    [60000, '1min'],
    [200, '200ms'],
    [1500, '1.500ms'],
    [12345, '12sec'],
    [725000, '12min'],
    [65000, '1min5sec'],
  ])('%d ms: %s', (ms, s) => expect(printMsTimer(ms)).toBe(s));
});

void ss;

/**
 * ss -x as iproute2 6.1 printed it in a network namespace of this machine for the same sockets (nc -lU
 * PATH, nc -lU @NAME, nc -U PATH), with the inode numbers of this lab.
 */
describe('ss -x', () => {
  const UNIX = 'nc -lU /tmp/uxt.sock &\nnc -U /tmp/uxt.sock &\n';

  it('ss -xa: the listener (Send-Q: its backlog), then both ends, each with the other as peer', async () => {
    const r = await run(UNIX + 'ss -xa\n');
    const ino = r.out.match(/ (2\d{4}) /g)!.map((s) => s.trim());
    const [l, client, server] = [ino[0], ino[1], ino[3]];
    expect(r.out).toBe(
      [
        'Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
        `u_str LISTEN 0      5      /tmp/uxt.sock ${l}            * 0           `,
        `u_str ESTAB  0      0                  * ${client}            * ${server}       `,
        `u_str ESTAB  0      0      /tmp/uxt.sock ${server}            * ${client}       `,
        '',
      ].join('\n'),
    );
  });

  it('ss -xl: listeners only, the header unflushed as ss leaves it; ss -x: connections only', async () => {
    const r = await run('nc -lU /tmp/uxt.sock &\nss -xl\nnc -lU @uxt2 &\nss -x\n');
    const ino = /uxt\.sock (\d+)/.exec(r.out)![1];
    expect(r.out.split('\n').slice(0, 2)).toEqual([
      'Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
      `u_str LISTEN 0      5      /tmp/uxt.sock ${ino}            * 0          `,
    ]);
    expect(r.out.split('\n').slice(2)).toEqual([
      'Netid State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess',
      '',
    ]);
  });

  it('an abstract name shows with @; -p names the owner; -t -x lists unix sockets before TCP', async () => {
    const r = await run('nc -lU @uxt2 &\nnc -l 8080 &\nss -xlp\nss -txl\n');
    expect(r.out).toMatch(/u_str LISTEN 0 +5 +@uxt2 2\d{4} +\* 0 +users:\(\("nc",pid=\d+,fd=3\)\)/);
    const both = r.out.split('\n').slice(2);
    expect(both[0].startsWith('Netid State')).toBe(true);
    expect(both[1].startsWith('u_str LISTEN')).toBe(true);
    expect(both[2].startsWith('tcp   LISTEN')).toBe(true);
  });

  it('a connection not yet accepted: the listener Recv-Q 1; the client Send-Q 768, its peer 0, unlisted', async () => {
    // What ss showed on the real kernel: the unaccepted server end has no inode, so unix_diag skips it; the
    // client's 5 unread bytes hold an skb of truesize 768 (a 512-byte head and the sk_buff).
    const r = await run(
      'nc -lU /tmp/q.sock &\nsleep 0.2\nnc -U /tmp/q.sock &\nsleep 0.2\necho data | nc -U /tmp/q.sock &\nsleep 0.3\nss -xa\n',
    );
    const rows = r.out.split('\n').slice(1, -1);
    expect(rows).toHaveLength(4);
    expect(rows).toContainEqual(expect.stringMatching(/^u_str LISTEN 1 +5 +\/tmp\/q\.sock 2\d{4} +\* 0 *$/));
    expect(rows).toContainEqual(expect.stringMatching(/^u_str ESTAB +0 +768 +\* 2\d{4} +\* 0 *$/));
  });
});
