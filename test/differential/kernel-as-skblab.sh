#!/bin/sh
# Stands in for `bin/skblab shell host1` by running the script from stdin on the REAL kernel, the way the
# real side does (a fresh host1 namespace, IPv6 off, lo up; ns1... renamed to unique names). It tests the
# harness itself: `SKBLAB_DIFF_BIN=test/differential/kernel-as-skblab.sh npx jest test/differential` must pass.
# Needs root. Arguments (`shell host1`) are ignored.
P=skbdk$$
D=$(mktemp -d)
cleanup() {
  for n in $(ls /run/netns 2>/dev/null | grep "^$P"); do
    ip netns pids "$n" | xargs -r kill -9
    ip netns del "$n"
  done
  rm -rf "$D"
}
trap cleanup EXIT
ip netns add ${P}h1 || exit 1
ip netns exec ${P}h1 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n ${P}h1 link set lo up
sed -E "s/(^|[ ])(ns[0-9]+)([ ]|$)/\1${P}\2\3/g" >"$D/script.sh"
timeout -k 2 30 nsenter --net=/run/netns/${P}h1 sh "$D/script.sh" >"$D/out" 2>&1
sed -E "s/${P}(ns[0-9]+)/\1/g; s/${P}h1/host1/g" "$D/out"
