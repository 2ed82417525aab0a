#!/usr/bin/env bash
# The sockmap bypass on the real kernel, run by sockmap.e2e-spec.ts inside `unshare -m -n` (a private mount
# and network namespace): bpffs mounted privately, a child cgroup v2 for this shell, the two programs
# compiled from test/bpf/*.c and attached with bpftool, then a 1 MB transfer over 127.0.0.1 with nc.
# Prints sections (=== NAME) the spec compares with the lab's. $1: a scratch directory.
set -u
D=$1
HERE=$(cd "$(dirname "$0")" && pwd)
mount -t bpf bpf /sys/fs/bpf || { echo "=== FAIL cannot mount bpffs"; exit 1; }
# sock_ops attaches to a cgroup v2: /sys/fs/cgroup itself, or the hybrid layout's /sys/fs/cgroup/unified.
CG2=
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  [ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ] && { CG2=$m; break; }
done
[ -n "$CG2" ] || { echo "=== FAIL no cgroup2 mount"; exit 1; }
CG=$CG2/skblab-sockmap-$$
mkdir "$CG" && echo $$ > "$CG/cgroup.procs" || { echo "=== FAIL cannot make a child cgroup"; exit 1; }
cleanup() { echo $$ > "$CG2/cgroup.procs"; rmdir "$CG" 2>/dev/null; }
trap cleanup EXIT
ip link set lo up
for p in sockops redir; do
  clang -target bpf -O2 -g -I/usr/include/"$(uname -m)"-linux-gnu -c "$HERE/$p.c" -o "$D/$p.o" || { echo "=== FAIL clang $p"; exit 1; }
done
M=/sys/fs/bpf/sock_ops_map
bpftool map create $M type sockhash key 16 value 4 entries 65535 name sock_ops_map &&
  bpftool prog load "$D/sockops.o" /sys/fs/bpf/bpf_sockops map name sock_ops_map pinned $M &&
  bpftool prog load "$D/redir.o" /sys/fs/bpf/bpf_redir map name sock_ops_map pinned $M &&
  bpftool cgroup attach "$CG" sock_ops pinned /sys/fs/bpf/bpf_sockops &&
  bpftool prog attach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned $M || { echo "=== FAIL bpftool"; exit 1; }
head -c 1048576 /dev/zero > "$D/1mb"
counters() {
  echo "=== snmp $1"; cat /proc/net/snmp
  echo "=== netstat $1"; cat /proc/net/netstat
  echo "=== link $1"; ip -s link show lo
}
transfer() {
  nc -l 127.0.0.1 5001 > "$D/got" & local srv=$!
  for _ in $(seq 50); do ss -Hltn 'sport = :5001' | grep -q . && break; sleep 0.05; done
  nc -N 127.0.0.1 5001 < "$D/1mb"
  wait $srv
  echo "=== received $1"; stat -c %s "$D/got"
}
counters before
transfer bypass
counters after
# A live connection: both ends in the map, under a fixed client port.
nc -l 127.0.0.1 6000 > /dev/null & srv=$!
for _ in $(seq 50); do ss -Hltn 'sport = :6000' | grep -q . && break; sleep 0.05; done
sleep 1 | nc -N -p 40000 127.0.0.1 6000 & cli=$!
for _ in $(seq 50); do [ "$(ss -Htn state established '( sport = :40000 )' | wc -l)" = 1 ] && break; sleep 0.05; done
echo "=== dump"; bpftool map dump pinned $M
wait $cli; kill $srv 2>/dev/null; wait $srv 2>/dev/null
bpftool prog detach pinned /sys/fs/bpf/bpf_redir msg_verdict pinned $M
bpftool cgroup detach "$CG" sock_ops pinned /sys/fs/bpf/bpf_sockops
counters detached-before
transfer detached
counters detached-after
echo "=== done"
