#!/usr/bin/env bash
# Capture golden packets for libs/wire from the real kernel, inside throwaway namespaces.
#   A (skbwire2, 10.0.0.1/24, veth a0 02:00:00:00:00:01, mtu 1500)
#     <-> R (skbwire3, 10.0.0.254/24 on r0 02:00:00:00:00:fe mtu 1500; 10.0.1.254/24 on r1 02:00:00:00:01:fe mtu 1280)
#     <-> B (skbwire4, 10.0.1.2/24, veth b0 02:00:00:00:01:02, mtu 1280)
#   and L (skbwire1), a namespace with only lo.
# tcpdump writes lo.pcap (in L), veth.pcap (on R's r0, so every frame A and R exchange is seen) and
# fwd.pcap (on B's b0: what R forwarded, TTL decremented).
# Needs root, iproute2, iputils-ping, netcat-openbsd, tcpdump, ethtool. Usage: capture.sh [outdir]
set -eu
OUT=${1:-.}
cd "$OUT"
uname -r > kernel.txt # generate.ts names the kernel the captures came from
A=skbwire2 R=skbwire3 B=skbwire4 L=skbwire1
cleanup() { for n in $L $A $R $B; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT
# 0. loopback: ping + one UDP datagram (lo always offloads checksums, so the UDP checksum is partial)
ip netns add $L; ip -n $L link set lo up
ip netns exec $L tcpdump -i lo -w lo.pcap -U -n 2>/dev/null &
TD=$!
sleep 1.5
ip netns exec $L ping -c1 127.0.0.1
ip netns exec $L sh -c 'nc -u -l 127.0.0.1 6000 >/dev/null & L=$!; sleep 0.5; printf "abc\n" | nc -u -w1 -p 5000 127.0.0.1 6000; kill $L' || true
sleep 1
kill $TD; wait $TD || true
for n in $A $R $B; do ip netns add $n; ip -n $n link set lo up; ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip link add a0 netns $A type veth peer name r0 netns $R
ip link add r1 netns $R type veth peer name b0 netns $B
ip -n $A link set a0 address 02:00:00:00:00:01 mtu 1500 up
ip -n $R link set r0 address 02:00:00:00:00:fe mtu 1500 up
ip -n $R link set r1 address 02:00:00:00:01:fe mtu 1280 up
ip -n $B link set b0 address 02:00:00:00:01:02 mtu 1280 up
ip -n $A addr add 10.0.0.1/24 dev a0
ip -n $R addr add 10.0.0.254/24 dev r0
ip -n $R addr add 10.0.1.254/24 dev r1
ip -n $B addr add 10.0.1.2/24 dev b0
ip -n $A route add default via 10.0.0.254
ip -n $B route add default via 10.0.1.254
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
# Let A's kernel compute UDP/TCP checksums in software (veth offloads them by default: CHECKSUM_PARTIAL).
ip netns exec $A ethtool -K a0 tx off >/dev/null
sleep 1
ip netns exec $R tcpdump -i r0 -w veth.pcap -U -n 2>/dev/null &
TD=$!
ip netns exec $B tcpdump -i b0 -w fwd.pcap -U -n 2>/dev/null &
TD2=$!
sleep 1.5
# 1. ARP request/reply + ICMP echo request/reply, A -> R
ip netns exec $A ping -c1 10.0.0.254
# 2. fragmented ping across the MTU-1500 link
ip netns exec $A ping -c1 -s 3000 10.0.0.254
# 3. UDP to a closed port -> ICMP port unreachable
ip netns exec $A sh -c 'printf "abcd" | nc -u -w1 -p 5000 10.0.0.254 6000' || true
# 3b. UDP whose checksum sums to 0: the kernel must send 0xffff (RFC 768)
ip netns exec $A sh -c 'printf "ab^{" | nc -u -w1 -p 5001 10.0.0.254 6001' || true
# 4. TCP to a closed port -> SYN + RST/ACK
ip netns exec $A nc -w1 -p 40000 10.0.0.254 7000 </dev/null || true
# 5. DF ping of 1400 bytes to B through R's MTU-1280 link -> ICMP frag needed, mtu 1280
ip netns exec $A ping -c1 -M do -s 1400 10.0.1.2 || true
# 6. ping with TTL 1 to B -> ICMP time exceeded in-transit from R
ip netns exec $A ping -c1 -t 1 10.0.1.2 || true
# 7. ping B through R: R forwards it with TTL 63 (seen in fwd.pcap)
ip netns exec $A ping -c1 10.0.1.2 || true
sleep 1
kill $TD; wait $TD || true
kill $TD2; wait $TD2 || true
