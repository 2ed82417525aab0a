/**
 * An skb into its envelope and back, against this process's view of the lab: references to state
 * (namespace, device, route, socket) travel as names and numbers and are resolved here.
 */
import {
  IPPROTO_ICMP,
  IPPROTO_UDP,
  SKB_HEADROOM,
  SOCK_DGRAM,
  SKB_DROP_REASON,
  allocSkb,
  newSock,
  type Net,
  type SkBuff,
  type Sock,
} from '@skblab/kernel';
import { decodeEnvelope, type SkbEnvelope } from '@skblab/contracts';
import type { Lab } from '@skblab/runtime';

const UNSET = -32768;

export class UnresolvedEnvelope extends Error {}

function devOf(net: Net, ifindex: number, what: string) {
  const dev = net.devices.find((d) => d.ifindex === ifindex);
  if (!dev) throw new UnresolvedEnvelope(`no device with ifindex ${ifindex} (${what}) in ${net.host.name}`);
  return dev;
}

/** The socket an skb belongs to: the bound one here, else a stand-in with the same identity. */
function sockOf(net: Net, sk: { protocol: number; num: number }): Sock {
  const found =
    sk.protocol === IPPROTO_UDP
      ? net.udpHash.get(sk.num)?.[0]
      : sk.protocol === IPPROTO_ICMP
        ? (net.pingHash.get(sk.num) ?? net.rawSocks.find((s) => s.protocol === sk.protocol))
        : net.rawSocks.find((s) => s.protocol === sk.protocol);
  if (found) return found;
  const stub = newSock(net, SOCK_DGRAM, sk.protocol, '');
  stub.num = sk.num;
  return stub;
}

/** How far before skb->data a header may start (the headers pulled on the way in: far less than this). */
const MAX_PULLED = 256;
const DST_INPUTS: ReadonlySet<string> = new Set(['ip_local_deliver', 'ip_forward', 'ip_error']);
const DROP_REASONS: ReadonlySet<string> = new Set(Object.values(SKB_DROP_REASON));

/**
 * Rebuild the skb an envelope carries. Throws UnresolvedEnvelope if it names state this lab lacks, or
 * holds what no skb of it could (a CPU the host does not have, a header outside the packet, a route
 * input or drop reason the kernel does not know): the codec checks the form, this the meaning.
 */
export function skbFromEnvelope(lab: Lab, e: SkbEnvelope): SkBuff {
  const net = lab.netOf(e.host, e.netns);
  if (!net) throw new UnresolvedEnvelope(`no namespace '${e.netns || 'init_net'}' on host '${e.host}'`);
  const cpus = net.host.softnet.length;
  if (e.cpu >= cpus || e.execCpu >= cpus)
    throw new UnresolvedEnvelope(`no CPU ${Math.max(e.cpu, e.execCpu)} on host '${e.host}'`);
  for (const h of [e.macHeader, e.networkHeader, e.transportHeader])
    if (h !== UNSET && (h < -MAX_PULLED || h > e.data.length))
      throw new UnresolvedEnvelope(`header offset ${h} outside the packet`);
  if (e.dst && !DST_INPUTS.has(e.dst.input))
    throw new UnresolvedEnvelope(`unknown route input '${e.dst.input.slice(0, 40)}'`);
  if (e.dropReason && !DROP_REASONS.has(e.dropReason))
    throw new UnresolvedEnvelope(`unknown drop reason '${e.dropReason.slice(0, 40)}'`);
  const skb = allocSkb(e.id, net, e.data.length + SKB_HEADROOM);
  skb.buf.set(e.data, skb.data);
  skb.len = e.data.length;
  const abs = (rel: number) => (rel === UNSET ? -1 : rel + skb.data);
  skb.macHeader = abs(e.macHeader);
  skb.networkHeader = abs(e.networkHeader);
  skb.transportHeader = abs(e.transportHeader);
  skb.protocol = e.protocol;
  skb.pktType = e.pktType;
  skb.ipSummed = e.ipSummed;
  skb.dev = e.ifindex ? devOf(net, e.ifindex, 'skb->dev') : null;
  skb.cpu = e.cpu;
  skb.mark = e.mark;
  skb.fragMaxSize = e.fragMaxSize;
  skb.ignoreDf = e.ignoreDf;
  skb.queueMapping = e.queueMapping;
  skb.priority = e.priority;
  skb.gsoSize = e.gsoSize;
  skb.gsoSegs = e.gsoSegs;
  skb.comm = e.comm;
  skb.dropReason = (e.dropReason || null) as SkBuff['dropReason'];
  if (e.dst) {
    skb.dst = {
      type: e.dst.type,
      flags: e.dst.flags,
      dev: devOf(net, e.dst.ifindex, 'dst->dev'),
      origDev: e.dst.origIfindex ? devOf(net, e.dst.origIfindex, 'rt_iif') : null,
      gw: e.dst.gw,
      dst: e.dst.dst,
      src: e.dst.src,
      fib: null,
      input: e.dst.input as 'ip_local_deliver',
      pmtu: e.dst.pmtu,
      error: e.dst.error,
      genid: net.rtGenid,
    };
  }
  if (e.sk) skb.sk = sockOf(net, e.sk);
  if (e.txAccount) {
    const txNet = lab.netOf(e.host, e.txAccount.netns);
    if (!txNet) throw new UnresolvedEnvelope(`no namespace '${e.txAccount.netns}' for the tx account`);
    skb.txAccount = {
      dev: devOf(txNet, e.txAccount.ifindex, 'tx account'),
      len: e.txAccount.len,
      kind: e.txAccount.kind,
    };
  }
  return skb;
}

export { decodeEnvelope };
