/**
 * net/ethernet/eth.c: eth_header (build the 14-byte header) and eth_type_trans (classify a received frame
 * and pull the header off).
 */
import type { SkBuff } from '../../include/linux/skbuff';
import {
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
  skbPull,
  skbPush,
} from '../../include/linux/skbuff';
import type { NetDevice } from '../../include/linux/netdevice';
import * as eth from '@skblab/wire/ethernet';
import { macEquals } from '@skblab/wire/mac';

const { ETH_HLEN } = eth;

/** eth_header: push an Ethernet header for `type` from dev's address to `daddr` (broadcast if null). */
export function eth_header(skb: SkBuff, dev: NetDevice, type: number, daddr: Uint8Array | null): void {
  const off = skbPush(skb, ETH_HLEN);
  skb.macHeader = off;
  eth.emitEthernetHeader({ dst: daddr ?? dev.broadcast, src: dev.addr, etherType: type }, skb.buf, off);
}

/** eth_type_trans: set skb->dev and pkt_type, pull the header, return the ethertype. */
export function eth_type_trans(skb: SkBuff, dev: NetDevice): number {
  skb.dev = dev;
  skb.net = dev.net;
  skb.macHeader = skb.data;
  const buf = skb.buf;
  const off = skb.data;
  skbPull(skb, ETH_HLEN);
  if (buf[off] & 1) {
    skb.pktType = eth.isBroadcastDst(buf, off) ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else if (!macEquals(buf, off, dev.addr)) {
    skb.pktType = PACKET_OTHERHOST;
  } else {
    skb.pktType = PACKET_HOST;
  }
  return eth.etherType(buf, off);
}
