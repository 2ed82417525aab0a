/**
 * Path MTU discovery through a router: an ICMP frag-needed teaches the sender a smaller path MTU, later
 * DF sends fail locally with it, and the exception expires after 10 minutes (route.c: ip_rt_mtu_expires).
 */
import { Lab } from '@skblab/runtime';
import { defaultCommands } from '@skblab/userland';
import { newShell, runScript } from '@skblab/shell';

const TOPOLOGY = [
  'ip netns add r1',
  'ip netns add h2',
  'ip link add veth0 type veth peer name r1a',
  'ip link set r1a netns r1',
  'ip -n r1 link add r1b type veth peer name h2a',
  'ip -n r1 link set h2a netns h2',
  'ip addr add 10.0.0.1/24 dev veth0',
  'ip link set veth0 up',
  'ip route add 10.0.1.0/24 via 10.0.0.2',
  'ip -n r1 addr add 10.0.0.2/24 dev r1a',
  'ip -n r1 addr add 10.0.1.1/24 dev r1b',
  'ip -n r1 link set r1a up',
  'ip -n r1 link set r1b up',
  'ip -n r1 link set r1b mtu 1300',
  'ip netns exec r1 sysctl -q -w net.ipv4.ip_forward=1',
  'ip -n h2 addr add 10.0.1.2/24 dev h2a',
  'ip -n h2 link set h2a mtu 1300',
  'ip -n h2 link set h2a up',
  'ip -n h2 route add default via 10.0.1.1',
];

describe('path MTU discovery', () => {
  it('learns the router’s smaller MTU from ICMP frag-needed, uses it, and forgets it after 10 minutes', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    let out = '';
    const shell = newShell(lab, host, defaultCommands(), { out: (s) => (out += s), err: (s) => (out += s) });
    await runScript(shell, TOPOLOGY.join('\n') + '\n');
    out = '';
    await shell.runLine('ping -c 1 -W 1 -M do -s 1400 10.0.1.2');
    expect(out).toContain('From 10.0.0.2 icmp_seq=1 Frag needed and DF set (mtu = 1300)');
    out = '';
    await shell.runLine('ping -c 1 -W 1 -M do -s 1400 10.0.1.2');
    expect(out).toContain('ping: local error: message too long, mtu=1300');
    out = '';
    await shell.runLine('ping -c 1 -W 1 -s 1400 10.0.1.2');
    expect(out).toContain('1 received');
    out = '';
    await shell.runLine('sleep 601');
    await shell.runLine('ping -c 1 -W 1 -M do -s 1400 10.0.1.2');
    expect(out).toContain('Frag needed and DF set (mtu = 1300)');
  });
});
