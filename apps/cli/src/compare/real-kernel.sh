#!/usr/bin/env bash
# The real kernel's side of `skblab compare` (docs/compare.md), by hand, as root:
#   unshare -m -n --propagation private bash apps/cli/src/compare/real-kernel.sh
# In a private network namespace: 192.168.1.1/24 on a veth (the lab's eth0), redis-server on 6379 and a unix
# socket; per way, `redis-cli -r 1 ping` then `-r 1+N ping` and what /proc/net/snmp (Tcp OutSegs),
# /proc/net/dev (lo TX, veth TX+RX) and softnet_stat (processed) moved, as skblab compare computes it; then
# redis-benchmark's latency (wall clock, noisy on a shared machine). The bypass is test/bpf's two programs,
# compiled with clang and attached with bpftool to a child cgroup v2 that the shell and redis-server join.
set -u
N=${N:-200}
D=$(mktemp -d)
HERE=$(cd "$(dirname "$0")/../../../../test/bpf" && pwd)
ip link set lo up
ip link add eth0 type veth peer name eth0p && ip addr add 192.168.1.1/24 dev eth0 && ip link set eth0 up && ip link set eth0p up
snap() { # Tcp OutSegs, lo tx packets, eth0 tx+rx, softnet processed (sum, hex col 1)
  local out lo d sn
  out=$(awk '/^Tcp:/{if(h){print $12}else h=1}' /proc/net/snmp)
  lo=$(awk '$1=="lo:"{print $11}' /proc/net/dev)
  d=$(awk '$1=="eth0:"{print $3+$11}' /proc/net/dev)
  sn=0; while read -r a _; do sn=$((sn + 16#$a)); done < /proc/net/softnet_stat
  echo "$out $lo $d $sn"
}
measure() { # $1 name, rest: redis-cli args
  local name=$1; shift
  redis-cli "$@" ping > /dev/null
  local a b c
  a=$(snap); redis-cli "$@" -r 1 ping > /dev/null; b=$(snap); redis-cli "$@" -r $((N + 1)) ping > /dev/null; c=$(snap)
  python3 - "$name" "$N" "$a" "$b" "$c" <<'PY'
import sys
name, n = sys.argv[1], int(sys.argv[2])
a, b, c = ([int(x) for x in s.split()] for s in sys.argv[3:6])
one = [y - x for x, y in zip(a, b)]; many = [y - x for x, y in zip(b, c)]
per = [(m - o) / n for o, m in zip(one, many)]
print(f"{name:16s} Tcp seg/req {per[0]:.2f}  lo pkts/req {per[1]:.2f}  eth0 pkts/req {per[2]:.2f}  softnet/req {per[3]:.2f}  | per connection: Tcp seg {one[0]-per[0]:.0f} lo {one[1]-per[1]:.0f}")
PY
}
bench() { # $1 name, rest: redis-benchmark args
  local name=$1; shift
  echo "$name $(redis-benchmark "$@" -c 1 -n 50000 -t ping_mbulk --csv | tail -1)"
}
redis-server --save '' --protected-mode no --port 6379 --unixsocket "$D/redis.sock" --daemonize yes --logfile "$D/log" --pidfile "$D/pid"
for _ in $(seq 50); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done
measure 127.0.0.1 -h 127.0.0.1
measure 192.168.1.1 -h 192.168.1.1
measure AF_UNIX -s "$D/redis.sock"
echo '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
for i in 1 2; do
bench 127.0.0.1 -h 127.0.0.1
bench 192.168.1.1 -h 192.168.1.1
bench AF_UNIX -s "$D/redis.sock"
done
# The bypass (as test/bpf/real-sockmap.sh attaches it)
mount -t bpf bpf /sys/fs/bpf
CG2=
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  [ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ] && { CG2=$m; break; }
done
CG=$CG2/skblab-compare-$$
mkdir "$CG" && echo $$ > "$CG/cgroup.procs"
for p in sockops redir; do clang -target bpf -O2 -g -I/usr/include/"$(uname -m)"-linux-gnu -c "$HERE/$p.c" -o "$D/$p.o"; done
M=/sys/fs/bpf/sock_ops_map
bpftool map create $M type sockhash key 16 value 4 entries 65535 name sock_ops_map &&
  bpftool prog load "$D/sockops.o" /sys/fs/bpf/bpf_sockops map name sock_ops_map pinned $M &&
  bpftool prog load "$D/redir.o" /sys/fs/bpf/bpf_redir map name sock_ops_map pinned $M &&
  bpftool cgroup attach "$CG" sock_ops pinned /sys/fs/bpf/bpf_sockops &&
  bpftool prog attach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned $M || echo "bpftool failed"
# The server must be in the cgroup too (its accepted sockets' PASSIVE_ESTABLISHED): start it again from
# here. If the old one kept serving, the client's redirect would find no peer in the map: SK_DROP, and
# redis-cli would print "Error: Permission denied" (EACCES).
redis-cli shutdown nosave; sleep 0.5; kill "$(cat "$D/pid")" 2>/dev/null; sleep 0.3
redis-server --save '' --protected-mode no --port 6379 --daemonize yes --logfile "$D/log2" --pidfile "$D/pid2"
for _ in $(seq 50); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done
measure "sockmap bypass" -h 127.0.0.1
bench "sockmap bypass" -h 127.0.0.1
bench "sockmap bypass" -h 127.0.0.1
redis-cli shutdown nosave >/dev/null 2>&1
sleep 0.3; echo $$ > "$CG2/cgroup.procs"; rmdir "$CG"
rm -rf "$D"
