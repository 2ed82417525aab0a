/**
 * @skblab/userland: the tools people type in a lab, behaving like their Linux counterparts.
 */
import type { CommandTable } from './command';
import { bpftool } from './bpftool';
import { busybox } from './busybox';
import { cat } from './procfs';
import { curl } from './curl';
import { head, tail, wc } from './coreutils';
import { dd, ls, mkdir, rm, rmdir } from './fileutils';
import { ethtool } from './ethtool';
import { grep } from './grep';
import { ip } from './ip';
import { iperf } from './iperf';
import { nc } from './nc';
import { nstat } from './nstat';
import { ping } from './ping';
import { redisCli } from './redis-cli';
import { redisServer } from './redis-server';
import { skbtrace } from './skbtrace';
import { socat } from './socat';
import { ss } from './ss';
import { sysctl } from './sysctl';
import { tc } from './tc';
import { tcpdump } from './tcpdump';
import { traceroute } from './traceroute';

export * from './command';
export { formatTrace, traceJson, skbTuple } from './skbtrace';
export { nstatHistory } from './nstat';

export function defaultCommands(): CommandTable {
  return {
    bpftool,
    busybox,
    cat,
    curl,
    dd,
    ethtool,
    grep,
    head,
    ip,
    iperf,
    ls,
    mkdir,
    nc,
    nstat,
    ping,
    'redis-cli': redisCli,
    'redis-server': redisServer,
    rm,
    rmdir,
    skbtrace,
    socat,
    ss,
    sysctl,
    tail,
    tc,
    tcpdump,
    traceroute,
    wc,
  };
}
