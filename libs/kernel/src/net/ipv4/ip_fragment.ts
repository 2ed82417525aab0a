/**
 * net/ipv4/ip_fragment.c: reassembly. ip_defrag queues each fragment (ReasmReqds per fragment) in the
 * datagram's ipq; when all bytes are in, ip_frag_reasm rebuilds it (ReasmOKs) and delivery continues with
 * the whole datagram. After ipfrag_time without completion, ip_expire gives up (ReasmFails, ReasmTimeout)
 * and, if the first fragment came, sends ICMP time exceeded (fragment reassembly).
 */
import type { KernelCtx } from '../../include/net/kctx';
import type { SkBuff } from '../../include/linux/skbuff';
import type { IpFragQueue } from '../../include/net/net_namespace';
import { IPSTATS } from '../../include/net/snmp';
import { SKB_DROP_REASON } from '../../include/net/dropreason-core';
import { kfn } from '../../include/net/trace';
import { drop, next, queued, type Verdict } from '../../include/net/verdict';
import * as ip from '@skblab/wire/ipv4';
import { ICMP_EXC_FRAGTIME, ICMP_TIME_EXCEEDED } from '@skblab/wire/icmp';
import { icmp_send } from './icmp';

const F = {
  ipDefrag: kfn('ip_defrag', 'net/ipv4/ip_fragment.c', 'ip'),
  ipFragQueue: kfn('ip_frag_queue', 'net/ipv4/ip_fragment.c', 'ip'),
  ipFragReasm: kfn('ip_frag_reasm', 'net/ipv4/ip_fragment.c', 'ip'),
  ipExpire: kfn('ip_expire', 'net/ipv4/ip_fragment.c', 'ip'),
};

const SEC = 1_000_000_000;

/** ip_defrag (ip_fragment.c:471) */
export function ip_defrag(ctx: KernelCtx, skb: SkBuff): Verdict {
  const net = skb.net;
  const b = skb.buf;
  const nh = skb.networkHeader;
  net.mib.ip[IPSTATS.ReasmReqds]++;
  const key = `${ip.src(b, nh)}:${ip.dst(b, nh)}:${ip.ident(b, nh)}:${ip.protocol(b, nh)}`;
  let q = net.fragQueues.get(key);
  if (!q) {
    q = {
      key,
      fragments: [],
      len: -1,
      meat: 0,
      firstIn: false,
      lastIn: false,
      timer: null as unknown as IpFragQueue['timer'],
      net,
      dev: skb.dev,
    };
    q.timer = { fn: ip_expire, arg: q, expires: 0, pending: false, host: net.host, cpu: skb.cpu, seq: 0 };
    net.fragQueues.set(key, q);
    ctx.modTimer(q.timer, ctx.now() + net.sysctl.ipfragTime * SEC);
  }
  const hlen = ip.headerLength(b, nh);
  const offset = ip.fragOffset(b, nh);
  const dlen = ip.totalLength(b, nh) - hlen;
  const end = offset + dlen;
  if (q.fragments.some((f) => ip.fragOffset(f.buf, f.networkHeader) === offset)) {
    ctx.step(skb, F.ipDefrag, `duplicate fragment offset ${offset}`);
    return drop(skb, SKB_DROP_REASON.DUP_FRAG);
  }
  if (!ip.moreFragments(b, nh)) {
    q.lastIn = true;
    q.len = end;
  }
  if (offset === 0) q.firstIn = true;
  q.fragments.push(skb);
  q.meat += dlen;
  ctx.step(skb, F.ipDefrag, `ReasmReqds++, fragment offset ${offset} len ${dlen}`);
  if (!(q.firstIn && q.lastIn && q.meat === q.len)) {
    ctx.step(
      skb,
      F.ipFragQueue,
      `${q.fragments.length} fragments, ${q.meat}${q.len >= 0 ? '/' + q.len : ''} bytes`,
    );
    return queued(skb, 'ipq');
  }
  return ip_frag_reasm(ctx, q, skb);
}

/** ip_frag_reasm: the last fragment's skb becomes the whole datagram; the others are consumed. */
function ip_frag_reasm(ctx: KernelCtx, q: IpFragQueue, skb: SkBuff): Verdict {
  const net = q.net;
  net.fragQueues.delete(q.key);
  ctx.delTimer(q.timer);
  const frags = q.fragments.sort(
    (a, b) => ip.fragOffset(a.buf, a.networkHeader) - ip.fragOffset(b.buf, b.networkHeader),
  );
  const first = frags[0];
  const hlen = ip.headerLength(first.buf, first.networkHeader);
  const whole = new Uint8Array(skb.data > 0 ? 32 + hlen + q.len : hlen + q.len);
  const base = 32;
  whole.set(first.buf.subarray(first.networkHeader, first.networkHeader + hlen), base);
  for (const f of frags) {
    const fh = ip.headerLength(f.buf, f.networkHeader);
    const fo = ip.fragOffset(f.buf, f.networkHeader);
    const dl = ip.totalLength(f.buf, f.networkHeader) - fh;
    whole.set(f.buf.subarray(f.networkHeader + fh, f.networkHeader + fh + dl), base + hlen + fo);
    if (f !== skb) ctx.step(f, F.ipFragReasm, `merged into skb ${skb.id}`);
    if (f !== skb) ctx.free(f);
  }
  skb.buf = whole;
  skb.data = base;
  skb.len = hlen + q.len;
  skb.networkHeader = base;
  skb.transportHeader = base + hlen;
  skb.macHeader = -1;
  ip.setTotalLength(whole, base, hlen + q.len);
  ip.setFragment(whole, base, ip.dontFragment(whole, base), false, 0);
  ip.fillHeaderChecksum(whole, base);
  net.mib.ip[IPSTATS.ReasmOKs]++;
  ctx.step(skb, F.ipFragReasm, `ReasmOKs++, ${frags.length} fragments → ${skb.len} bytes`);
  return next('ip_local_deliver', skb);
}

/** ip_expire: reassembly timed out. */
export function ip_expire(ctx: KernelCtx, q: IpFragQueue): void {
  const net = q.net;
  if (!net.fragQueues.has(q.key)) return;
  net.fragQueues.delete(q.key);
  net.mib.ip[IPSTATS.ReasmFails]++;
  net.mib.ip[IPSTATS.ReasmTimeout]++;
  const first = q.fragments.find((f) => ip.fragOffset(f.buf, f.networkHeader) === 0);
  for (const f of q.fragments) {
    ctx.step(f, F.ipExpire, `ReasmFails++, ReasmTimeout++ after ${net.sysctl.ipfragTime}s`);
    if (f === first) icmp_send(ctx, f, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
    f.dropReason = SKB_DROP_REASON.FRAG_REASM_TIMEOUT;
    ctx.free(f);
  }
}
