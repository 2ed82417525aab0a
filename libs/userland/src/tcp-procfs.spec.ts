/**
 * TCP's files under /proc: /proc/net/tcp (tcp4_seq_show), /proc/net/netstat (TcpExt, IpExt, MPTcpExt),
 * the Tcp rows of /proc/net/snmp, and the net.ipv4.tcp_* sysctls, read with cat and sysctl in a Lab.
 */
import { runScript } from '@skblab/shell';
import { LINUX_MIB_NAMES } from '@skblab/kernel';
import { oneHost } from './testing/one-host';

async function run(script: string) {
  const { lab, host, shell, io } = oneHost();
  const status = await runScript(shell, script);
  return { ...io, status, lab, host };
}

const HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'.padEnd(
    149,
  ) + '\n';

describe('/proc/net/tcp', () => {
  it('an empty table is the header alone, padded to 149 columns', async () => {
    const r = await run('cat /proc/net/tcp\n');
    expect(r.out).toBe(HEADER);
  });

  it('a listener, both ends of a connection and a TIME-WAIT bucket', async () => {
    const r = await run(
      'nc -l 8081 &\nnc -N -p 40001 127.0.0.1 8081\nwait\nnc -l 8080 &\nnc -p 40000 127.0.0.1 8080 &\nsleep 1\ncat /proc/net/tcp\n',
    );
    const lines = r.out.split('\n').filter((l) => l);
    expect(lines[0] + '\n').toBe(HEADER);
    for (const l of lines) expect(l.length).toBeGreaterThanOrEqual(149);
    const rows = lines.slice(1).map((l) => l.trimEnd());
    // The listener comes first (tcp_seq_next walks the listening hash, then the established one).
    expect(rows[0]).toMatch(
      /^ {3}0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 {5}0 {8}0 \d+ 1 [0-9a-f]{16} 100 0 0 10 0$/,
    );
    const body = rows.slice(1).map((l) => l.replace(/^ *\d+: /, ''));
    expect(body).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^0100007F:9C40 0100007F:1F90 01 00000000:00000000 0[02]:[0-9A-F]{8} 00000000 {5}0 {8}0 \d+ \d+ [0-9a-f]{16} \d+ \d+ \d+ 10 -1$/,
        ),
        expect.stringMatching(
          /^0100007F:1F90 0100007F:9C40 01 00000000:00000000 0[02]:[0-9A-F]{8} 00000000 {5}0 {8}0 \d+ \d+ [0-9a-f]{16} \d+ \d+ \d+ 10 -1$/,
        ),
        // 59 s left of the TIME-WAIT, in clock ticks (USER_HZ 100).
        expect.stringMatching(
          /^0100007F:9C41 0100007F:1F91 06 00000000:00000000 03:0000170C 00000000 {5}0 {8}0 0 3 [0-9a-f]{16}$/,
        ),
      ]),
    );
    expect(body).toHaveLength(3);
  });

  it('unread data shows in rx_queue, unacknowledged data in tx_queue', async () => {
    const r = await run('nc -d -l 8080 &\necho 12345 | nc -p 40000 127.0.0.1 8080 &\ncat /proc/net/tcp\n');
    // The listener reads it at once (nc prints it); what is left is nothing queued either way.
    expect(r.out).toContain('12345\n');
    expect(r.out).toMatch(/0100007F:9C40 0100007F:1F90 01 00000000:00000000/);
  });
});

describe('/proc/net/netstat and /proc/net/snmp', () => {
  it('TcpExt, IpExt and MPTcpExt: a line of names, then a line of values, each', async () => {
    const r = await run('cat /proc/net/netstat\n');
    const l = r.out.split('\n');
    expect(l).toHaveLength(7);
    expect(l[0]).toBe('TcpExt: ' + LINUX_MIB_NAMES.join(' '));
    expect(l[0].startsWith('TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts')).toBe(
      true,
    );
    expect(l[1].split(' ')).toHaveLength(l[0].split(' ').length);
    expect(l[2].startsWith('IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts')).toBe(true);
    expect(l[3].split(' ')).toHaveLength(l[2].split(' ').length);
    expect(l[4].startsWith('MPTcpExt: MPCapableSYNRX MPCapableSYNTX')).toBe(true);
    expect(l[5].split(' ')).toHaveLength(l[4].split(' ').length);
    expect(l[6]).toBe('');
  });

  it('Tcp CurrEstab counts both ends of a live connection', async () => {
    const r = await run('nc -l 8080 &\nnc 127.0.0.1 8080 &\ngrep Tcp: /proc/net/snmp\n');
    const [names, values] = r.out
      .trim()
      .split('\n')
      .map((x) => x.split(' '));
    const tcp = Object.fromEntries(names.map((n, i) => [n, values[i]]));
    expect(tcp).toMatchObject({ RtoAlgorithm: '1', RtoMin: '200', RtoMax: '120000', MaxConn: '-1' });
    expect(tcp).toMatchObject({ ActiveOpens: '1', PassiveOpens: '1', CurrEstab: '2' });
  });
});

describe('sysctl net.ipv4.tcp_*', () => {
  it('reads the 6.12 defaults, in their units', async () => {
    const r = await run(
      'sysctl net.ipv4.tcp_fin_timeout net.ipv4.tcp_keepalive_time net.ipv4.tcp_rmem net.ipv4.tcp_wmem ' +
        'net.ipv4.tcp_congestion_control net.ipv4.tcp_syn_retries net.ipv4.tcp_sack net.ipv4.tcp_invalid_ratelimit\n' +
        'cat /proc/sys/net/ipv4/tcp_available_congestion_control\n',
    );
    expect(r.out).toBe(
      [
        'net.ipv4.tcp_fin_timeout = 60',
        'net.ipv4.tcp_keepalive_time = 7200',
        'net.ipv4.tcp_rmem = 4096\t131072\t6291456',
        'net.ipv4.tcp_wmem = 4096\t16384\t4194304',
        'net.ipv4.tcp_congestion_control = cubic',
        'net.ipv4.tcp_syn_retries = 6',
        'net.ipv4.tcp_sack = 1',
        'net.ipv4.tcp_invalid_ratelimit = 500',
        'reno cubic',
        '',
      ].join('\n'),
    );
  });

  it('writes go to the namespace: seconds become jiffies, bad values are refused', async () => {
    const r = await run(
      'sysctl -w net.ipv4.tcp_fin_timeout=30\nsysctl -w net.ipv4.tcp_syn_retries=0\n' +
        'sysctl -w net.ipv4.tcp_congestion_control=bbr\nsysctl -w net.ipv4.tcp_rmem="4096 65536 1048576"\n',
    );
    expect(r.out).toBe('net.ipv4.tcp_fin_timeout = 30\nnet.ipv4.tcp_rmem = 4096\t65536\t1048576\n');
    expect(r.err).toBe(
      'sysctl: setting key "net.ipv4.tcp_syn_retries": Invalid argument\n' +
        'sysctl: setting key "net.ipv4.tcp_congestion_control": No such file or directory\n',
    );
    expect(r.host.initNet.sysctl.tcp.finTimeout).toBe(30 * 250);
  });
});
