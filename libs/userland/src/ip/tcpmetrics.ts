/**
 * `ip tcp_metrics` (ip/tcp_metrics.c): `flush all` empties the kernel's per-destination cache
 * (TCP_METRICS_CMD_DEL without an address: tcp_metrics_flush_all). The lab keeps only what the Fast Open
 * client remembers (cookie, MSS, SYN losses), so listing and per-address deletion are not modelled.
 */
import { tcp_metrics_flush_all } from '@skblab/kernel/net/ipv4/tcp_fastopen';
import { fail, matches, type Ip } from './common';

export async function doTcpMetrics(ip: Ip, args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (matches(cmd, 'flush') && rest.length === 1 && rest[0] === 'all') {
    tcp_metrics_flush_all(ip.net);
    return 0;
  }
  fail(ip, `skblab: "ip tcp_metrics ${args.join(' ')}" is not modelled; the lab has "flush all"\n`, 1);
}
