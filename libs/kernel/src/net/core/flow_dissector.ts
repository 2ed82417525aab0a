/**
 * net/core/flow_dissector.c: skb_get_hash, the flow hash the stack spreads flows with (skb_tx_hash picks a
 * TX queue, fq_codel a flow bucket, RSS hardware an RX queue). Linux hashes the dissected addresses, ports
 * and protocol with siphash under a random boot key; the model uses a fixed mix of the same fields, so a
 * flow always lands in the same place and differs from its neighbours.
 */
import type { SkBuff } from '../../include/linux/skbuff';
import { ETH_HLEN, ETH_P_IP } from '@skblab/wire/ethernet';
import * as ip from '@skblab/wire/ipv4';

const IPPROTO_UDP = 17;

/** The frame's network header offset, whether the skb is on its way out (data at the MAC header) or in. */
function l3(skb: SkBuff): number {
  return skb.networkHeader >= 0 ? skb.networkHeader : skb.data + ETH_HLEN;
}

/** skb_get_hash: addresses, protocol and (for unfragmented UDP) ports; 0 for a frame that is not IPv4. */
export function skb_get_hash(skb: SkBuff): number {
  const b = skb.buf;
  const off = l3(skb);
  const ethType = skb.protocol || (b[skb.data + 12] << 8) | b[skb.data + 13];
  if (ethType !== ETH_P_IP || off + 20 > b.length) return 0;
  let h = Math.imul(ip.src(b, off) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ ip.dst(b, off) ^ (h >>> 13), 0xc2b2ae35);
  const proto = ip.protocol(b, off);
  h ^= proto;
  if (proto === IPPROTO_UDP && !ip.isFragment(b, off)) {
    const t = off + ip.headerLength(b, off);
    h = Math.imul(h ^ ((b[t] << 24) | (b[t + 1] << 16) | (b[t + 2] << 8) | b[t + 3]), 0x27d4eb2f);
  }
  h ^= h >>> 16;
  return h >>> 0 || 1;
}

/** reciprocal_scale: a hash onto [0, n). */
export function reciprocal_scale(hash: number, n: number): number {
  return Math.floor(((hash >>> 0) * n) / 0x100000000);
}
