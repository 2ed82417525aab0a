/**
 * net/sched/sch_api.c: what `tc qdisc` asks of the kernel over rtnetlink (RTM_NEWQDISC with
 * NLM_F_CREATE/EXCL/REPLACE, RTM_DELQDISC, RTM_GETQDISC dumps), for the root of a device and for the
 * classes of an mq root (parent :N), with the extack messages iproute2 prints after "Error: ".
 */
import type { KernelCtx } from '../../include/net/kctx';
import { IFF_NO_QUEUE, type NetDevice } from '../../include/linux/netdevice';
import { TC_H_ROOT, TCQ_F_MQROOT, type Qdisc, type QdiscOpts } from '../../include/net/sch_generic';
import { EEXIST, EINVAL, ENOENT, EOPNOTSUPP } from '../../include/linux/errno';
import {
  QDISC_OPS,
  attach_default_qdiscs,
  default_qdisc_ops,
  qdisc_create,
  qdisc_reset,
} from './sch_generic';
import './sch_netem';
import './sch_fq_codel';
import './sch_fq';

export interface TcResult {
  err: number;
  extack?: string;
}

export interface QdiscRequest {
  /** add: NLM_F_CREATE|NLM_F_EXCL; replace: NLM_F_CREATE|NLM_F_REPLACE; change: neither. */
  cmd: 'add' | 'replace' | 'change';
  /** TC_H_ROOT, or an mq class (minor N = TX queue N-1). */
  parent: number;
  /** 0: the kernel picks (8001:, 8002:, ...). */
  handle: number;
  kind: string;
  opts: QdiscOpts;
}

/** qdisc_alloc_handle's `static u32 autohandle`: one counter for the whole kernel (the host), never reused. */
const autohandles = new WeakMap<object, number>();

/** qdisc_alloc_handle (sch_api.c:1000): the next automatic handle, 8001: then 8002: ..., skipping used ones. */
function allocHandle(dev: NetDevice): number {
  const host = dev.net.host;
  const used = new Set(tc_dump_qdiscs(dev).map((q) => q.handle >>> 16));
  let major = autohandles.get(host) ?? 0x8000;
  for (let i = 0; i < 0x8000; i++) {
    major = major >= 0xffff ? 0x8001 : major + 1;
    if (!used.has(major)) break;
  }
  autohandles.set(host, major);
  return (major << 16) >>> 0;
}

/** The qdisc grafted at `parent`: the device root, or the child of the mq root on TX queue minor-1. */
function qdiscAt(dev: NetDevice, parent: number): { q: Qdisc | null; txq: number } | TcResult {
  if (parent === TC_H_ROOT) return { q: dev.qdisc, txq: -1 };
  const root = dev.qdisc;
  if (!(root.flags & TCQ_F_MQROOT) || (parent >>> 16 !== 0 && parent >>> 16 !== root.handle >>> 16))
    return { err: -ENOENT, extack: 'Failed to find qdisc with specified classid' };
  const minor = parent & 0xffff;
  if (minor < 1 || minor > dev.txqs.length)
    return { err: -ENOENT, extack: 'Failed to find qdisc with specified classid' };
  return { q: root.children[minor - 1], txq: minor - 1 };
}

/** Put `q` in place at `parent` (qdisc_graft → dev_graft_qdisc); the old one is reset and destroyed. */
function graft(ctx: KernelCtx, dev: NetDevice, parent: number, q: Qdisc, old: Qdisc | null): void {
  if (old) qdisc_reset(ctx, old);
  if (parent === TC_H_ROOT) {
    dev.qdisc = q;
    for (const txq of dev.txqs) txq.qdisc = q;
    return;
  }
  const i = (parent & 0xffff) - 1;
  dev.qdisc.children[i] = q;
  dev.txqs[i].qdisc = q;
}

/** tc_modify_qdisc (sch_api.c:1670) for the cases tc's add, replace and change reach. */
export function tc_modify_qdisc(ctx: KernelCtx, dev: NetDevice, req: QdiscRequest): TcResult {
  const r = { ...req, parent: req.parent >>> 0, handle: req.handle >>> 0 };
  const ops = QDISC_OPS[r.kind];
  if (!ops || ops.id === 'noop') return { err: -ENOENT, extack: 'Specified qdisc kind is unknown.' };
  const at = qdiscAt(dev, r.parent);
  if ('err' in at) return at;
  // A default qdisc (handle 0) is not something tc can change: add and replace graft over it.
  const cur = at.q && at.q.handle !== 0 ? at.q : null;
  if (cur && r.handle && r.handle !== cur.handle && r.cmd === 'add')
    return { err: -EEXIST, extack: 'NLM_F_REPLACE needed to override.' };
  if (cur && (!r.handle || r.handle === cur.handle)) {
    if (r.cmd === 'add') return { err: -EEXIST, extack: 'Exclusivity flag on, cannot modify.' };
    if (cur.ops.id === r.kind) {
      const e = cur.ops.init(cur, r.opts, true);
      return e ? { err: -EINVAL, extack: e } : { err: 0 };
    }
    if (r.cmd === 'change') return { err: -EINVAL, extack: 'Invalid qdisc name.' };
  } else if (r.cmd === 'change')
    return { err: -ENOENT, extack: 'Qdisc not found. To create specify NLM_F_CREATE flag' };
  // mq_init: a device with one TX queue (or a non-root mq) is refused without an extack.
  if (ops.id === 'mq' && (r.parent !== TC_H_ROOT || dev.txqs.length < 2)) return { err: -EOPNOTSUPP };
  const handle = r.handle || allocHandle(dev);
  const made = qdisc_create(dev, ops, handle, r.parent, at.txq, r.opts);
  if (typeof made === 'string') return { err: -EINVAL, extack: made };
  if (ops.id === 'mq') {
    made.flags |= TCQ_F_MQROOT;
    made.children = dev.txqs.map(
      (t) => qdisc_create(dev, default_qdisc_ops(dev), 0, (handle | (t.index + 1)) >>> 0, t.index) as Qdisc,
    );
    for (const c of made.children) c.isDefault = true;
  }
  graft(ctx, dev, r.parent, made, at.q);
  if (ops.id === 'mq') made.children.forEach((c, i) => (dev.txqs[i].qdisc = c));
  return { err: 0 };
}

/** tc_get_qdisc with RTM_DELQDISC: the default comes back (dev_activate → attach_default_qdiscs). */
export function tc_del_qdisc(
  ctx: KernelCtx,
  dev: NetDevice,
  parent: number,
  handle: number,
  kind: string | null,
): TcResult {
  const at = qdiscAt(dev, parent);
  if ('err' in at) return at;
  const q = at.q;
  if (!q || q.handle === 0) return { err: -ENOENT, extack: 'Cannot delete qdisc with handle of zero.' };
  if (handle && q.handle !== handle) return { err: -EINVAL, extack: 'Invalid handle' };
  if (kind && kind !== q.ops.id) return { err: -EINVAL, extack: 'Invalid qdisc name.' };
  qdisc_reset(ctx, q);
  if (parent === TC_H_ROOT) {
    if (!((dev.privFlags ?? 0) & IFF_NO_QUEUE)) attach_default_qdiscs(dev);
    else {
      const nq = qdisc_create(dev, QDISC_OPS.noqueue, 0, TC_H_ROOT, -1) as Qdisc;
      nq.isDefault = true;
      dev.qdisc = nq;
      for (const t of dev.txqs) t.qdisc = nq;
    }
  } else {
    const dflt = qdisc_create(dev, default_qdisc_ops(dev), 0, parent, at.txq) as Qdisc;
    dflt.isDefault = true;
    graft(ctx, dev, parent, dflt, null);
  }
  return { err: 0 };
}

/** The qdiscs of a device as tc_dump_qdisc walks them: the root, then an mq root's children. */
export function tc_dump_qdiscs(dev: NetDevice): Qdisc[] {
  return [dev.qdisc, ...dev.qdisc.children];
}

/** The reference count tc prints ("refcnt 2"): a root shared by the device and each of its TX queues. */
export function qdisc_refcnt(dev: NetDevice, q: Qdisc): number {
  if (q.parent !== TC_H_ROOT || q.flags & TCQ_F_MQROOT) return 1;
  return 1 + dev.txqs.length;
}

/**
 * dev_activate (sch_generic.c:1250): a device with a queue gets its default qdiscs at first open (an
 * IFF_NO_QUEUE one has noqueue from the start).
 */
export function dev_activate(dev: NetDevice): void {
  if (!((dev.privFlags ?? 0) & IFF_NO_QUEUE) && dev.qdisc.ops.id === 'noop') attach_default_qdiscs(dev);
}

export { EINVAL };
