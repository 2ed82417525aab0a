/**
 * `ip rule` and the rule-aware `ip route get`. Expected strings are what iproute2 6.1 printed on Linux 6.18
 * for the same commands in a fresh network namespace (unshare -n).
 */
import { IpHarness } from './testing';

const DEFAULTS = '0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n';

async function veth(): Promise<IpHarness> {
  const h = new IpHarness();
  await h.setup([
    'ip link set lo up',
    'ip link add veth0 type veth peer name veth1',
    'ip addr add 10.0.0.1/24 dev veth0',
    'ip link set veth0 up',
    'ip link set veth1 up',
    'ip route add 10.9.0.0/16 via 10.0.0.2 table 100',
  ]);
  return h;
}

describe('ip rule', () => {
  it('lists the default rules, as text and JSON', async () => {
    const h = new IpHarness();
    expect(await h.run('ip rule')).toEqual({ out: DEFAULTS, err: '', status: 0 });
    expect((await h.run('ip rule list')).out).toBe(DEFAULTS);
    expect((await h.run('ip -j rule')).out).toBe(
      '[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"},' +
        '{"priority":32767,"src":"all","table":"default"}]\n',
    );
  });

  it('adds rules in preference order and prints every selector as print_rule does', async () => {
    const h = await veth();
    for (const line of [
      'ip rule add from 10.0.0.1 table 100 pref 1000',
      'ip rule add fwmark 0x10/0xff table 100 pref 1001',
      'ip rule add iif veth1 table 100 pref 1002',
      'ip rule add not to 10.0.0.0/8 tos 0x08 ipproto udp sport 1000-2000 dport 53 uidrange 100-200 table main pref 1004 protocol static',
      'ip rule add blackhole fwmark 0x5/0xf iif lo oif eth9 tos 0x10 pref 200',
      'ip rule add goto 32766 pref 10',
      'ip rule add nop pref 50',
      'ip rule add from all fwmark 7 lookup main suppress_prefixlength 0',
    ])
      expect(await h.run(line)).toEqual({ out: '', err: '', status: 0 });
    expect((await h.run('ip rule')).out).toBe(
      '0:\tfrom all lookup local\n' +
        '9:\tfrom all fwmark 0x7 lookup main suppress_prefixlength 0\n' +
        '10:\tfrom all goto 32766\n' +
        '50:\tfrom all nop\n' +
        '200:\tfrom all tos 0x10 fwmark 0x5/0xf iif lo oif eth9 [detached] blackhole\n' +
        '1000:\tfrom 10.0.0.1 lookup 100\n' +
        '1001:\tfrom all fwmark 0x10/0xff lookup 100\n' +
        '1002:\tfrom all iif veth1 lookup 100\n' +
        '1004:\tnot from all to 10.0.0.0/8 tos 0x08 uidrange 100-200 ipproto udp sport 1000-2000 dport 53 lookup main proto static\n' +
        '32766:\tfrom all lookup main\n' +
        '32767:\tfrom all lookup default\n',
    );
    expect((await h.run('ip rule show table 100 iif veth1')).out).toBe(
      '1002:\tfrom all iif veth1 lookup 100\n',
    );
    expect((await h.run('ip rule list 10.0.0.0/8')).out).toContain('1004:\tnot from all to 10.0.0.0/8');
    expect((await h.run('ip rule list not')).out.split('\n')).toHaveLength(2);
  });

  it('answers errors with iproute2 and the kernel messages and statuses', async () => {
    const h = new IpHarness();
    await h.run('ip rule add from 10.1.0.0/24 table 100');
    // No preference: just before the second rule, so a second identical add does not clash.
    expect((await h.run('ip rule add from 10.1.0.0/24 table 100')).status).toBe(0);
    expect(await h.run('ip rule add from 10.1.0.0/24 table 100 pref 32765')).toEqual({
      out: '',
      err: 'RTNETLINK answers: File exists\n',
      status: 2,
    });
    expect(await h.run('ip rule del from 10.9.0.0/24')).toEqual({
      out: '',
      err: 'RTNETLINK answers: No such file or directory\n',
      status: 2,
    });
    expect(await h.run('ip rule add pref abc')).toEqual({
      out: '',
      err: 'Error: argument "abc" is wrong: preference value is invalid\n\n',
      status: 255,
    });
    expect((await h.run('ip rule add goto 5 pref 10')).err).toBe('Error: Backward goto not supported.\n');
    expect((await h.run('ip rule add tos 0x3 table 5')).err).toBe(
      'Error: Invalid dsfield (tos): ECN bits must be 0.\n',
    );
    expect((await h.run('ip rule add tos 0x20 table 5')).err).toBe('Error: Invalid tos.\n');
    expect(await h.run('ip rule add foo')).toEqual({
      out: '',
      err: 'Error: argument "foo" is wrong: Failed to parse rule type\n',
      status: 255,
    });
    expect(await h.run('ip rule add from 1.2.3.4/33')).toEqual({
      out: '',
      err: 'Error: any valid prefix is expected rather than "1.2.3.4/33".\n',
      status: 1,
    });
    expect(await h.run('ip rule add')).toEqual({
      out: '',
      err: '"ip rule add" requires arguments.\n',
      status: 1,
    });
    expect((await h.run('ip rule add goto')).err).toBe('Command line is not complete. Try option "help"\n');
    // A rule's table is not made by the rule: the route dump still finds none.
    expect((await h.run('ip route show table 100')).err).toBe(
      'Error: ipv4: FIB table does not exist.\nDump terminated\n',
    );
  });

  it('deletes by any selector, and flush keeps only the rules of preference 0', async () => {
    const h = new IpHarness();
    await h.setup([
      'ip rule add prohibit to 192.0.2.0/24 pref 100',
      'ip rule add unreachable to 198.51.100.0/24 pref 101',
      'ip rule add blackhole to 203.0.113.0/24 pref 102',
      'ip rule del pref 100',
      'ip rule del blackhole',
    ]);
    expect((await h.run('ip rule')).out).toBe(
      '0:\tfrom all lookup local\n101:\tfrom all to 198.51.100.0/24 unreachable\n' +
        '32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n',
    );
    expect((await h.run('ip rule flush')).status).toBe(0);
    expect((await h.run('ip rule')).out).toBe('0:\tfrom all lookup local\n');
    // Table 0: fib_empty_table gives the first free id; without a preference it goes at 0.
    await h.setup(['ip rule add pref 0 table local', 'ip rule add table main', 'ip rule add table 0']);
    expect((await h.run('ip rule')).out).toBe(
      '0:\tfrom all lookup local\n0:\tfrom all lookup local\n0:\tfrom all lookup main\n0:\tfrom all lookup 1\n',
    );
  });

  it('makes ip route get follow the rules: table, mark, iif, and the actions errors', async () => {
    const h = await veth();
    await h.setup([
      'ip rule add from 10.0.0.1 table 100 pref 1000',
      'ip rule add fwmark 0x10/0xff table 100 pref 1001',
      'ip rule add prohibit to 192.0.2.0/24 pref 100',
      'ip rule add unreachable to 198.51.100.0/24 pref 101',
      'ip rule add blackhole to 203.0.113.0/24 pref 102',
    ]);
    expect((await h.run('ip route get 10.9.1.1')).err).toBe('RTNETLINK answers: Network is unreachable\n');
    expect((await h.run('ip route get 10.9.1.1 from 10.0.0.1')).out).toBe(
      '10.9.1.1 from 10.0.0.1 via 10.0.0.2 dev veth0 table 100 uid 0 \n    cache \n',
    );
    expect((await h.run('ip route get 10.9.1.1 mark 16')).out).toBe(
      '10.9.1.1 via 10.0.0.2 dev veth0 table 100 src 10.0.0.1 mark 0x10 uid 0 \n    cache \n',
    );
    expect((await h.run('ip route get 127.0.0.1')).out).toBe(
      'local 127.0.0.1 dev lo table local src 127.0.0.1 uid 0 \n    cache <local> \n',
    );
    expect((await h.run('ip route get fibmatch 10.9.1.1 from 10.0.0.1')).out).toBe(
      '10.9.0.0/16 via 10.0.0.2 dev veth0 table 100 \n',
    );
    expect((await h.run('ip route get 192.0.2.1')).err).toBe('RTNETLINK answers: Permission denied\n');
    expect((await h.run('ip route get 198.51.100.1')).err).toBe(
      'RTNETLINK answers: Network is unreachable\n',
    );
    expect((await h.run('ip route get 203.0.113.1')).err).toBe('RTNETLINK answers: Invalid argument\n');
    expect((await h.run('ip route get 10.9.1.1 from 10.0.0.2 iif veth0')).err).toBe(
      'RTNETLINK answers: No route to host\n',
    );
    // uid, ipproto and ports reach the rules (fib_rule_tests.sh's uidrange, ipproto, sport/dport checks).
    await h.setup([
      'ip rule add uidrange 100-100 table 100 pref 1003',
      'ip rule add ipproto tcp dport 53 table 100 pref 1004',
    ]);
    expect((await h.run('ip route get 10.9.1.1 uid 100')).out).toBe(
      '10.9.1.1 via 10.0.0.2 dev veth0 table 100 src 10.0.0.1 uid 100 \n    cache \n',
    );
    expect((await h.run('ip route get 10.9.1.1 uid 101')).status).toBe(2);
    expect((await h.run('ip route get 10.9.1.1 ipproto tcp dport 53')).out).toContain('table 100');
    expect((await h.run('ip route get 10.9.1.1 ipproto udp dport 53')).status).toBe(2);
    expect((await h.run('ip route get 10.9.1.1 ipproto foo')).err).toBe(
      'Error: argument "foo" is wrong: Invalid "ipproto" value\n\n',
    );
    await h.setup(['ip rule add iif veth1 table 100 pref 1002']);
    h.host.initNet.sysctl.ipForward = 1;
    expect((await h.run('ip route get 10.9.1.1 from 10.0.0.2 iif veth1')).out).toBe(
      '10.9.1.1 from 10.0.0.2 via 10.0.0.2 dev veth0 table 100 \n    cache iif veth1 \n',
    );
    expect((await h.run('ip route get 10.0.0.1 from 10.0.0.2 iif veth1')).out).toBe(
      'local 10.0.0.1 from 10.0.0.2 dev lo table local \n    cache <local> iif veth1 \n',
    );
    expect((await h.run('ip route get 10.0.0.2 from 10.0.0.1 iif veth1')).err).toBe(
      'RTNETLINK answers: Invalid argument\n',
    );
  });
});
