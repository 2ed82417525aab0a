/**
 * net/ipv4/af_inet.c: the AF_INET socket layer between the system call and the protocol (udp_sendmsg,
 * ping_v4_sendmsg, raw_sendmsg).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { Sock } from '../../include/net/sock';
import { kfn } from '../../include/net/trace';
import { SYS_SENDTO } from '../socket';

/** inet_sendmsg (af_inet.c:844): sk->sk_prot->sendmsg through INDIRECT_CALL_2. */
export const INET_SENDMSG = kfn('inet_sendmsg', 'net/ipv4/af_inet.c', 'socket');

/** The steps every send shares before the protocol's own: __sys_sendto, then inet_sendmsg. */
export function trace_sendmsg(
  ctx: KernelCtx,
  skb: SkBuff,
  sk: Sock,
  len: number,
  daddr: number,
  dport: number,
): void {
  ctx.step(skb, SYS_SENDTO, sk, len, daddr, dport);
  ctx.step(skb, INET_SENDMSG, 'sk->sk_prot->sendmsg');
}
