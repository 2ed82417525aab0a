/**
 * redis-server and redis-cli in a one-host lab, through the shell, against what the real Redis 7.0.15 printed
 * in a network namespace of this machine (redis-cli's raw output to a pipe, its formatted output to a tty).
 */
import { formatRaw, formatTTY } from './redis-cli';
import { parseReply, sdscatrepr, sdssplitargs, stringmatch } from './redis-resp';
import { snmp_seq_show, type Host } from '@skblab/kernel';
import { runOnOneHost } from './testing/one-host';

/** One group of the host's /proc/net/snmp, by counter name. */
function snmp(host: Host, group: string): Record<string, number> {
  const [head, values] = snmp_seq_show(host.initNet)
    .split('\n')
    .filter((l) => l.startsWith(`${group}:`));
  const v = values.split(' ').slice(1);
  return Object.fromEntries(
    head
      .split(' ')
      .slice(1)
      .map((k, i) => [k, Number(v[i])]),
  );
}

const SERVE = "redis-server --port 6379 --save '' > /dev/null &\nsleep 0.2\n";

describe('redis-cli against redis-server on 127.0.0.1', () => {
  it("the issue's lines, raw: OK, v, an empty line for nil, bare integers, errors and their empty line", async () => {
    const r = await runOnOneHost(
      SERVE +
        'redis-cli -p 6379 set k v\nredis-cli -p 6379 get k\nredis-cli get nope\nredis-cli incr n\n' +
        'redis-cli incr k\nredis-cli foo bar baz\nredis-cli get\nredis-cli ping\nredis-cli ping hi\n' +
        "redis-cli keys '*'\nredis-cli mget k nope n\n",
    );
    expect(r.out).toBe(
      'OK\nv\n\n1\nERR value is not an integer or out of range\n\n' +
        "ERR unknown command 'foo', with args beginning with: 'bar' 'baz' \n\n" +
        "ERR wrong number of arguments for 'get' command\n\nPONG\nhi\n" +
        // KEYS lists in hash order (random on a real server): the two names, in some order.
        (r.out.includes('\nk\nn\n') ? 'k\nn\n' : 'n\nk\n') +
        'v\n\n1\n',
    );
    expect(r.err).toBe('');
  });

  it('to a terminal: "v", (nil), (integer) 1, (error), numbered arrays and (empty array)', async () => {
    const r = await runOnOneHost(
      SERVE +
        'redis-cli set k v\nredis-cli get k\nredis-cli get nope\nredis-cli incr n\nredis-cli foo a\n' +
        "redis-cli keys 'z*'\nredis-cli mget k nope\nredis-cli --raw get k\nredis-cli exists k n x\n",
      true,
    );
    expect(r.out).toBe(
      'OK\n"v"\n(nil)\n(integer) 1\n' +
        "(error) ERR unknown command 'foo', with args beginning with: 'a' \n" +
        '(empty array)\n1) "v"\n2) (nil)\nv\n(integer) 2\n',
    );
  });

  it('a refused connection: the message on stderr, exit 1 (and the connect is tried twice)', async () => {
    const r = await runOnOneHost('redis-cli ping; echo rc=$?\nredis-cli -p 6380; echo rc=$?\n');
    expect(r.out).toBe('rc=1\nrc=0\n');
    expect(r.err).toBe(
      'Could not connect to Redis at 127.0.0.1:6379: Connection refused\n' +
        'Could not connect to Redis at 127.0.0.1:6380: Connection refused\n',
    );
    const tcp = snmp(r.host, 'Tcp');
    expect([tcp.ActiveOpens, tcp.AttemptFails, tcp.OutRsts]).toEqual([4, 4, 4]);
  });

  it('SET with NX, XX, EX and PX; keys expire on the lab clock; INFO counters move', async () => {
    const r = await runOnOneHost(
      SERVE +
        'redis-cli set x 1 NX\nredis-cli set x 2 NX\nredis-cli set x 3 XX\nredis-cli set y 3 XX\n' +
        'redis-cli set z 1 EX 0\nredis-cli set z 1 EX abc\nredis-cli set z 1 foo\nredis-cli set t v PX 100\n' +
        'redis-cli get t\nsleep 0.2\nredis-cli get t\nredis-cli get x\nredis-cli dbsize\n' +
        "redis-cli info stats | grep -E '^(total_conn|total_comm|keyspace_|expired_keys|total_err)'\n" +
        'redis-cli info keyspace\n',
    );
    expect(r.out).toBe(
      'OK\n\nOK\n\n' +
        "ERR invalid expire time in 'set' command\n\nERR value is not an integer or out of range\n\n" +
        'ERR syntax error\n\nOK\nv\n\n3\n1\n' +
        'total_connections_received:13\r\ntotal_commands_processed:12\r\nexpired_keys:1\r\n' +
        'keyspace_hits:2\r\nkeyspace_misses:1\r\ntotal_error_replies:3\r\n' +
        '# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n',
    );
  });

  it('standard input as the commands (echo ... | redis-cli), and -n selecting a database', async () => {
    const r = await runOnOneHost(
      SERVE +
        "echo 'set a \"b c\"' | redis-cli\necho 'get a' | redis-cli\nredis-cli -n 1 get a\nredis-cli -n 1 dbsize\n",
    );
    expect(r.out).toBe('OK\nb c\n\n0\n');
  });

  it('the inline protocol and protocol errors over nc, as a telnet user sees them', async () => {
    const r = await runOnOneHost(
      SERVE +
        "echo 'PING' | nc -N 127.0.0.1 6379\necho 'GET' | nc -N 127.0.0.1 6379\n" +
        "echo '*x' | nc -N 127.0.0.1 6379\necho 'GET \"a' | nc -N 127.0.0.1 6379\n",
    );
    expect(r.out).toBe(
      '+PONG\r\n' +
        "-ERR wrong number of arguments for 'get' command\r\n" +
        // `*x` without its \r is an incomplete count: the server waits, then sees the FIN (no reply).
        '-ERR Protocol error: unbalanced quotes in request\r\n',
    );
  });

  it('AF_UNIX: --unixsocket and -s; the socket file is removed at shutdown; no IP counter moves', async () => {
    const r = await runOnOneHost(
      "redis-server --port 0 --save '' --unixsocket /tmp/r.sock > /dev/null &\nsleep 0.2\n" +
        'redis-cli -s /tmp/r.sock set k v\nredis-cli -s /tmp/r.sock get k\nredis-cli get k; echo rc=$?\n' +
        'redis-cli -s /tmp/nope.sock ping; echo rc=$?\n',
    );
    expect(r.out).toBe('OK\nv\nrc=1\nrc=1\n');
    expect(r.err).toBe(
      'Could not connect to Redis at 127.0.0.1:6379: Connection refused\n' +
        'Could not connect to Redis at /tmp/nope.sock: No such file or directory\n',
    );
    const r2 = await runOnOneHost(
      "redis-server --port 0 --save '' --unixsocket /tmp/r.sock > /dev/null &\nsleep 0.2\n" +
        'redis-cli -s /tmp/r.sock ping\n',
    );
    expect(r2.out).toBe('PONG\n');
    expect(snmp(r2.host, 'Ip').InReceives).toBe(0);
    expect(snmp(r2.host, 'Tcp').ActiveOpens).toBe(0);
  });

  it("protected mode: a client from the host's own non-loopback address gets DENIED (exit 0)", async () => {
    const r = await runOnOneHost(
      'ip addr add 10.9.0.1/24 dev lo\n' +
        SERVE +
        'redis-cli -h 10.9.0.1 ping; echo rc=$?\n' +
        "redis-server --port 6390 --save '' --protected-mode no > /dev/null &\nsleep 0.1\nredis-cli -h 10.9.0.1 -p 6390 ping\n",
    );
    expect(r.out).toMatch(
      /^DENIED Redis is running in protected mode because protected mode is enabled .* from the outside\.\n\nrc=0\nPONG\n$/s,
    );
  });

  it("the server's log (notice level), the bind and configuration errors", async () => {
    const r = await runOnOneHost(
      "redis-server --save '' &\nsleep 0.1\nredis-server --port 6379; echo rc=$?\n" +
        'redis-server --port 70000; echo rc=$?\nredis-server --port 6381 --foo bar; echo rc=$?\n',
    );
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(
      /^\d+:C 01 Jan 1970 00:00:00\.000 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo$/,
    );
    expect(r.out).toContain(' * Running mode=standalone, port=6379.\n');
    expect(r.out).toContain(' * Ready to accept connections\n');
    expect(r.out).toContain(
      ' # Warning: Could not create server TCP listening socket *:6379: bind: Address already in use\n',
    );
    expect(r.out).toContain(' # Failed listening on port 6379 (TCP), aborting.\nrc=1\n');
    expect(r.err).toBe(
      '\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n' +
        `>>> 'port "70000"'\nargument must be between 0 and 65535 inclusive\n` +
        '\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n' +
        `>>> 'foo "bar"'\nBad directive or wrong number of arguments\n`,
    );
    expect(r.out).toMatch(/rc=1\nrc=1\n.*Received SIGINT scheduling shutdown/s);
  });
});

describe('RESP and the sds helpers', () => {
  it('parses replies, splits arguments, quotes and globs as Redis does', () => {
    const p = parseReply(Buffer.from('*2\r\n$1\r\nk\r\n$-1\r\n'));
    expect(p).toEqual({
      reply: { type: 'array', items: [{ type: 'string', buf: Buffer.from('k') }, { type: 'nil' }] },
      end: 16,
    });
    expect(parseReply(Buffer.from('$5\r\nab'))).toBeNull();
    expect(sdssplitargs(`set "a\\x41\\n" 'b c' d`)).toEqual(['set', 'aA\n', 'b c', 'd']);
    expect(sdssplitargs('get "a')).toBeNull();
    expect(sdssplitargs('get "a"b')).toBeNull();
    expect(sdscatrepr(Buffer.from('a"b\n\x01'))).toBe('"a\\"b\\n\\x01"');
    expect(stringmatch('k*', 'key')).toBe(true);
    expect(stringmatch('k?y', 'key')).toBe(true);
    expect(stringmatch('[a-c]x', 'bx')).toBe(true);
    expect(stringmatch('[^a-c]x', 'bx')).toBe(false);
    expect(stringmatch('a\\*', 'a*')).toBe(true);
    expect(stringmatch('a\\*', 'ab')).toBe(false);
    const arr = {
      type: 'array' as const,
      items: Array.from({ length: 10 }, (_, i) => ({ type: 'integer' as const, value: BigInt(i) })),
    };
    expect(formatTTY(arr).split('\n').slice(0, 1)[0]).toBe(' 1) (integer) 0');
    expect(formatTTY(arr).split('\n')[9]).toBe('10) (integer) 9');
    expect(formatRaw(arr).toString()).toBe('0\n1\n2\n3\n4\n5\n6\n7\n8\n9');
  });
});

describe('KEYS patterns (stringmatchlen)', () => {
  it('matches globs as Redis does, and gives up on a hopeless pattern at once, as 7.0.9+ does', () => {
    expect(stringmatch('a*b*c', 'axbyc')).toBe(true);
    expect(stringmatch('a*b*c', 'axbyd')).toBe(false);
    expect(stringmatch('*x*y', 'axbyxy')).toBe(true);
    expect(stringmatch('h[ae]llo', 'hallo')).toBe(true);
    expect(stringmatch('*a*', 'xyz')).toBe(false);
    // Without skipLongerMatches this tries every split of 60 characters among 12 stars.
    expect(stringmatch('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(60))).toBe(false);
  });
});
