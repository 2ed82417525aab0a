/**
 * net/core/net-procfs.c: /proc/net/dev (dev_seq_show) and /proc/net/softnet_stat (softnet_seq_show, the
 * 15 hex columns of 6.12).
 */
import type { Host, Net } from '../../include/net/net_namespace';
import { inputQueueLen } from '../../include/linux/netdevice';
import { dev_get_stats } from './dev';

function pad(v: number | string, w: number): string {
  return String(v).padStart(w);
}

/** dev_seq_show */
export function dev_seq_show(net: Net): string {
  let s =
    'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
  for (const dev of [...net.devices].sort((a, b) => a.ifindex - b.ifindex)) {
    const st = dev_get_stats(dev);
    s +=
      `${pad(dev.name, 6)}: ${pad(st.rxBytes, 7)} ${pad(st.rxPackets, 7)} ${pad(st.rxErrors, 4)} ${pad(st.rxDropped + st.rxMissed, 4)} ${pad(st.rxFifoErrors, 4)} ${pad(0, 5)} ${pad(0, 10)} ${pad(st.multicast, 9)} ` +
      `${pad(st.txBytes, 8)} ${pad(st.txPackets, 7)} ${pad(st.txErrors, 4)} ${pad(st.txDropped, 4)} ${pad(0, 4)} ${pad(st.collisions, 5)} ${pad(st.txCarrier, 7)} ${pad(0, 10)}\n`;
  }
  return s;
}

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/** softnet_seq_show: one line per CPU. */
export function softnet_seq_show(host: Host): string {
  let s = '';
  for (const sd of host.softnet) {
    const iq = inputQueueLen(sd);
    const pq = sd.processQueue.length;
    s +=
      [
        sd.processed,
        sd.dropped,
        sd.timeSqueeze,
        0,
        0,
        0,
        0,
        0,
        0,
        sd.receivedRps,
        sd.flowLimitCount,
        iq + pq,
        sd.cpu,
        iq,
        pq,
      ]
        .map(hex)
        .join(' ') + '\n';
  }
  return s;
}
