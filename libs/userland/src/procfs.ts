/**
 * cat(1) over the files the lab models: /proc/net/{snmp,netstat,tcp,unix,dev,softnet_stat,arp},
 * /proc/interrupts and /proc/sys/... .
 */
import {
  dev_seq_show,
  snmp_seq_show,
  softnet_seq_show,
  sysctl_read,
  lookup_inode,
  kern_path,
  S_ISDIR,
  S_ISREG,
  S_ISSOCK,
  NUD_NOARP,
  NUD_VALID,
  NUD_PERMANENT,
} from '@skblab/kernel';
import type { Host, Net } from '@skblab/kernel';
import { netstat_seq_show, sockstat_seq_show, tcp4_seq_show } from '@skblab/kernel/net/ipv4/proc';
import { unix_seq_show } from '@skblab/kernel/net/unix/af_unix';
import { ipv4ToString } from '@skblab/wire/address';
import { formatMac } from '@skblab/wire/mac';
import type { Command, CommandContext } from './command';
import { strerror } from './fileutils';

/** /proc/net/arp (arp_seq_show): valid entries with their flags. */
function arpSeqShow(net: Net): string {
  let s = 'IP address       HW type     Flags       HW address            Mask     Device\n';
  for (const n of net.arpTbl.values()) {
    if (n.dev.flags & 0x8) continue;
    const flags = n.nudState & NUD_VALID ? (n.nudState & NUD_PERMANENT ? 0x6 : 0x2) : 0;
    if (n.nudState & NUD_NOARP) continue;
    s += `${ipv4ToString(n.key).padEnd(16)} 0x1         0x${flags.toString(16).padEnd(10)}${formatMac(n.ha).padEnd(22)}*        ${n.dev.name}\n`;
  }
  return s;
}

/**
 * /proc/interrupts (show_interrupts, kernel/irq/proc.c): a header of CPUs, then one line per IRQ with its
 * count on each CPU, its chip (IR-PCI-MSIX-<PCI function>), hwirq and flow ("1-edge") and its action's
 * name. The lab's IRQs are its NICs' MSI-X vectors; the arch lines (NMI, LOC, ...) are not modelled.
 */
export function interruptsShow(host: Host): string {
  const cpus = Array.from({ length: host.nrCpus }, (_, j) => j);
  // The width of the first column: 3, one more for each power of ten nr_irqs reaches from 1000.
  const nrIrqs = host.irqs.reduce((m, d) => Math.max(m, d.irq + 1), 0);
  let prec = 3;
  for (let j = 1000; prec < 10 && j <= nrIrqs; prec++) j *= 10;
  let s = ' '.repeat(prec + 8) + cpus.map((j) => `CPU${j}`.padEnd(11)).join('') + '\n';
  for (const d of [...host.irqs].sort((a, b) => a.irq - b.irq)) {
    s += `${String(d.irq).padStart(prec)}:`;
    for (const j of cpus) s += ' ' + String(d.counts[j] ?? 0).padStart(10);
    s += ` ${d.chip.padStart(8)} ${String(d.hwirq).padStart(prec)}-${'edge'.padEnd(8)}  ${d.name}\n`;
  }
  return s;
}

/** A /proc or /sys file's text; `now` (the simulated clock, ns) dates /proc/net/tcp's timers. */
export function readProcFile(host: Host, net: Net, path: string, now = 0): string | null {
  switch (path) {
    case '/proc/net/snmp':
      return snmp_seq_show(net);
    case '/proc/net/netstat':
      return netstat_seq_show(net);
    case '/proc/net/tcp':
      return tcp4_seq_show(net, now);
    case '/proc/net/sockstat':
      return sockstat_seq_show(net);
    case '/proc/net/unix':
      return unix_seq_show(net);
    case '/proc/net/dev':
      return dev_seq_show(net);
    case '/proc/net/softnet_stat':
      return softnet_seq_show(host);
    case '/proc/net/arp':
      return arpSeqShow(net);
    case '/proc/interrupts':
      return interruptsShow(host);
  }
  if (path.startsWith('/proc/sys/')) {
    const v = sysctl_read(host, net, path.slice('/proc/sys/'.length).split('/').join('.'));
    return typeof v === 'string' ? v + '\n' : null;
  }
  return bqlShow(net, path);
}

/**
 * /sys/class/net/DEV/queues/tx-N/byte_queue_limits/{limit,inflight,limit_max,limit_min,hold_time}
 * (net-sysfs.c): a NIC queue's Byte Queue Limits. hold_time is in ms.
 */
function bqlShow(net: Net, path: string): string | null {
  const m = /^\/sys\/class\/net\/([^/]+)\/queues\/tx-(\d+)\/byte_queue_limits\/(\w+)$/.exec(path);
  const dev = m && net.devices.find((d) => d.name === m[1]);
  const dql = dev?.txqs[Number(m![2])]?.dql;
  if (!m || !dql) return null;
  const v: Record<string, number> = {
    limit: dql.limit,
    inflight: dql.numQueued - dql.numCompleted,
    limit_max: dql.maxLimit,
    limit_min: dql.minLimit,
    hold_time: (dql.slackHoldTime * 1000) / 250,
  };
  return m[3] in v ? `${v[m[3]]}\n` : null;
}

/** A regular file of the host's store (/tmp/...), as text; null if there is none. */
function storeFile(host: Host, f: string): string | null {
  const inode = lookup_inode(host.fs, f);
  if (!inode || !S_ISREG(inode.mode)) return null;
  return Buffer.from(inode.data.subarray(0, inode.size)).toString('latin1');
}

/**
 * The inputs of one run of a text tool: a file `cat` can read, or `-`, standard input, which is read once
 * (a second `-` finds it at its end, as a second read of a pipe does). null: no such file.
 */
export function openInputs(ctx: CommandContext): (f: string) => string | null {
  let stdinRead = false;
  return (f) => {
    if (f !== '-') return readProcFile(ctx.host, ctx.net, f, ctx.lab.now()) ?? storeFile(ctx.host, f);
    const text = stdinRead ? '' : (ctx.stdin ?? '');
    stdinRead = true;
    return text;
  };
}

export const cat: Command = async (ctx) => {
  let status = 0;
  const files = ctx.argv.slice(1);
  const read = openInputs(ctx);
  for (const f of files.length ? files : ['-']) {
    const text = read(f);
    if (text === null) {
      // open(2) of a socket's name fails with ENXIO (no_open): there is nothing to read through a path; a
      // directory opens, and its read(2) fails with EISDIR; the walk's own errno otherwise.
      const inode = kern_path(ctx.host.fs, f);
      const why =
        typeof inode === 'number'
          ? strerror(inode)
          : S_ISSOCK(inode.mode)
            ? 'No such device or address'
            : S_ISDIR(inode.mode)
              ? 'Is a directory'
              : 'No such file or directory';
      ctx.err(`cat: ${f}: ${why}\n`);
      status = 1;
    } else ctx.out(text);
  }
  return status;
};
