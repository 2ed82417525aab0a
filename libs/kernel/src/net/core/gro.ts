/**
 * net/core/gro.c and include/net/gro.h: Generic Receive Offload. dev_gro_receive asks the protocol whether
 * the skb can be merged into a held one; for IPv4 ICMP and for UDP without a GRO socket (no UDP_GRO, no
 * tunnel) it cannot (GRO_NORMAL), so gro_normal_one queues it on napi->rx_list, which goes up the stack as
 * a list every gro_normal_batch skbs and when the poll ends. TCP, the protocol GRO merges, is not modelled.
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { NapiStruct } from '../../include/linux/netdevice';
import { kfn } from '../../include/net/trace';
import { netif_receive_skb_list_internal } from './dev';

const F = {
  napiGroReceive: kfn('napi_gro_receive', 'net/core/gro.c', 'softirq', (o: string) => o),
  groNormalOne: kfn(
    'gro_normal_one',
    'include/net/gro.h',
    'softirq',
    (_o, n, batch) => `napi->rx_list ${n}/${batch}${n >= batch ? ': gro_normal_list' : ''}`,
  ),
};

/** napi_gro_receive (gro.c:646) → dev_gro_receive → napi_skb_finish */
export function napi_gro_receive(ctx: KernelCtx, napi: NapiStruct, skb: SkBuff): void {
  ctx.step(
    skb,
    F.napiGroReceive,
    'dev_gro_receive: inet_gro_receive finds no flow to merge with: GRO_NORMAL',
  );
  gro_normal_one(ctx, napi, skb);
}

/** gro_normal_one (gro.h:526): queue on rx_list; flush at gro_normal_batch. */
export function gro_normal_one(ctx: KernelCtx, napi: NapiStruct, skb: SkBuff): void {
  napi.rxList.push(skb);
  const batch = skb.net.host.core.groNormalBatch;
  ctx.step(skb, F.groNormalOne, null, napi.rxList.length, batch);
  if (napi.rxList.length >= batch) gro_normal_list(ctx, napi);
}

/** gro_normal_list: the list goes to netif_receive_skb_list_internal. */
export function gro_normal_list(ctx: KernelCtx, napi: NapiStruct): void {
  if (!napi.rxList.length) return;
  const list = napi.rxList;
  napi.rxList = [];
  netif_receive_skb_list_internal(ctx, list);
}
