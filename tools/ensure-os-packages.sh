#!/usr/bin/env bash
# The differential suite drives the real kernel with the tools people already know. Install them when they
# are missing and we are root (our machines and CI); elsewhere the suite says what is missing and skips.
set -u
need=()
command -v ip >/dev/null || need+=(iproute2)
command -v ping >/dev/null || need+=(iputils-ping)
command -v nc >/dev/null || need+=(netcat-openbsd)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v traceroute >/dev/null || need+=(traceroute)
command -v iperf >/dev/null || need+=(iperf)
command -v curl >/dev/null || need+=(curl)
command -v busybox >/dev/null || need+=(busybox)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v socat >/dev/null || need+=(socat)
# The sockmap bypass's real-kernel check (test/bpf) compiles its two programs and attaches them with bpftool.
command -v bpftool >/dev/null || need+=(bpftool)
command -v clang >/dev/null || need+=(clang)
[ -e /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
# The web console's browser test (test/web) drives Debian's chromium with playwright-core.
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} for the differential suite and the browser test"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 ||
    echo "could not install ${need[*]}: the suites that need them will skip visibly"
fi
exit 0
