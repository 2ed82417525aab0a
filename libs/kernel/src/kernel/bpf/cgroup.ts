/**
 * kernel/bpf/cgroup.c: programs attached to a cgroup v2 and run for the sockets of its tasks. The lab's
 * tasks all live in the root cgroup of the cgroup2 mount at /sys/fs/cgroup, so that is the one cgroup
 * programs attach to; a sock_ops program there runs for every TCP socket of the host (its effective
 * array). Multi-program attach (BPF_F_ALLOW_MULTI) is not modelled: one program per attach type, and
 * attaching another replaces it (BPF_F_ALLOW_OVERRIDE is what bpftool passes without `multi`).
 */
import type { Host } from '../../include/net/net_namespace';
import type { KernelCtx } from '../../include/net/kctx';
import type { BpfProg, BpfSockOpsKern } from '../../include/linux/bpf';
import { EINVAL, ENOENT } from '../../include/linux/errno';
import { kfn } from '../../include/net/trace';
import type { SkBuff } from '../../include/linux/skbuff';

const FILE = 'kernel/bpf/cgroup.c';

const SOCK_OPS_NAME: Record<number, string> = {
  4: 'BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB',
  5: 'BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB',
};

export const F_CGROUP = {
  runSockOps: kfn(
    '__cgroup_bpf_run_filter_sock_ops',
    FILE,
    'tcp',
    (o: BpfSockOpsKern, ret, inMap) =>
      `${SOCK_OPS_NAME[o.op] ?? 'op ' + o.op}: sock_ops program returned ${ret}${inMap ? ', the socket is in a sockmap (sk_psock)' : ', the socket is in no sockmap'}`,
  ),
};

/** The cgroup paths the lab has: the cgroup2 root (with or without its trailing slash). */
export const CGROUP_ROOT = '/sys/fs/cgroup';

const ATTACHED = new WeakMap<Host, { sockOps: BpfProg | null }>();

function cgroup_bpf(host: Host): { sockOps: BpfProg | null } {
  let c = ATTACHED.get(host);
  if (!c) ATTACHED.set(host, (c = { sockOps: null }));
  return c;
}

/** cgroup_get_from_fd: only the root of the cgroup2 mount exists (ENOENT for other paths). */
export function cgroup_get_from_path(path: string): string | number {
  const p = path.replace(/\/+$/, '');
  return p === CGROUP_ROOT ? CGROUP_ROOT : -ENOENT;
}

/** cgroup_bpf_prog_attach → __cgroup_bpf_attach for BPF_CGROUP_SOCK_OPS. */
export function cgroup_bpf_prog_attach(host: Host, cgroup: string, prog: BpfProg): number {
  if (typeof cgroup_get_from_path(cgroup) === 'number') return -EINVAL;
  const c = cgroup_bpf(host);
  if (c.sockOps) c.sockOps.refcnt--;
  c.sockOps = prog;
  prog.refcnt++;
  return 0;
}

/** cgroup_bpf_prog_detach → __cgroup_bpf_detach: ENOENT if this program is not the one attached. */
export function cgroup_bpf_prog_detach(host: Host, cgroup: string, prog: BpfProg): number {
  if (typeof cgroup_get_from_path(cgroup) === 'number') return -EINVAL;
  const c = cgroup_bpf(host);
  if (c.sockOps !== prog) return -ENOENT;
  c.sockOps = null;
  prog.refcnt--;
  return 0;
}

/** cgroup_bpf_enabled(CGROUP_SOCK_OPS): a sock_ops program is attached somewhere (the static key). */
export function cgroup_bpf_enabled(host: Host): boolean {
  return ATTACHED.get(host)?.sockOps != null;
}

/** cgroup_bpf_prog_query: what is attached to the cgroup for sock_ops. */
export function cgroup_bpf_prog_query(host: Host): BpfProg[] {
  const p = cgroup_bpf(host).sockOps;
  return p ? [p] : [];
}

/**
 * __cgroup_bpf_run_filter_sock_ops (BPF_CGROUP_RUN_PROG_SOCK_OPS): run the effective sock_ops program of
 * the socket's cgroup; -1 when none is attached (tcp_call_bpf's "no program" answer).
 */
export function __cgroup_bpf_run_filter_sock_ops(
  ctx: KernelCtx,
  host: Host,
  ops: BpfSockOpsKern,
  traceSkb: SkBuff | null,
): number {
  const prog = cgroup_bpf(host).sockOps;
  if (!prog) return -1;
  const ret = prog.behaviour.run(ctx, ops, prog.maps);
  if (traceSkb) ctx.step(traceSkb, F_CGROUP.runSockOps, ops, ret, ops.sk.psock ? 1 : 0);
  // bpf_prog_run_array_cg: a program returning anything but 1 makes the call fail (-EPERM); ops->reply
  // is what tcp_call_bpf returns.
  return ret === 1 ? ops.reply : -1;
}
