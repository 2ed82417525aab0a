import { checkLabId, configPart } from './distributed';

describe('which shell lines every service replays', () => {
  it.each([
    ['ip addr add 10.0.0.1/24 dev veth0', true],
    ['ip -n ns1 link set veth1 up', true],
    ['ip netns exec ns1 sysctl -w net.ipv4.ip_forward=1', true],
    ['sysctl -w net.core.netdev_max_backlog=10', true],
    ['ip link add veth0 type veth peer name veth1 && ip link set veth0 up', true],
    ['ip netns add ns1; ip netns exec ns1 ip link set lo up', true],
    ['ip addr', false],
    ['ip -n ns1 route show', false],
    ['ip route get 10.0.0.2', false],
    ['ping -c 1 127.0.0.1', false],
    ['ip netns exec ns1 ping -c 1 10.0.0.1', false],
    ['ip netns exec ns1 ping -c 1 10.0.0.1 && ip -n ns1 link show', false],
    ['nc -u -l 9000 &', false],
  ])('%s → %s', (line, expected) => {
    expect(configPart(line) !== null).toBe(expected);
  });

  it('replays the configuration part of a mixed line', () => {
    expect(configPart('ip link set lo up; ping -c 1 127.0.0.1')).toBe('ip link set lo up');
    expect(
      configPart('ip addr add 10.0.0.1/24 dev veth0 && ip netns exec ns1 sysctl -w net.ipv4.ip_forward=1'),
    ).toBe('ip addr add 10.0.0.1/24 dev veth0 ; ip netns exec ns1 sysctl -w net.ipv4.ip_forward=1');
    expect(configPart('ping -c 1 10.0.0.2 && ip neigh')).toBeNull();
  });

  it('takes lab ids that Kafka topics and Redis keys can carry', () => {
    expect(checkLabId('ci-1')).toBeNull();
    expect(checkLabId('Lab_1')).toMatch(/invalid lab id/);
    expect(checkLabId('-x')).toMatch(/invalid lab id/);
  });
});
