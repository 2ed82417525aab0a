/**
 * tcpdump(8): what a packet socket on one device sees (dev_queue_xmit_nit on transmit, the ptype_all taps in
 * __netif_receive_skb_core on receive), printed the way `tcpdump -n` prints it (with -v or -vv as those
 * print it), or written to a pcap file that Wireshark opens (-w); an expression (pcap-filter.ts) picks the
 * packets. On lo each packet is shown once, as Linux does.
 */
import * as fs from 'node:fs';
import type { NetDevice, SkBuff } from '@skblab/kernel';
import { IFF_LOOPBACK, IFF_UP } from '@skblab/kernel';
import { formatEthernetFrame } from '@skblab/wire/print';
import { formatMac } from '@skblab/wire/mac';
import type { Command } from './command';
import { getopt } from './getopt';
import { compileFilter, FilterError, type FrameFilter } from './pcap-filter';
import { resolveHost } from './resolve';

const USAGE = `tcpdump version 4.99.3 (skblab)
Usage: tcpdump [-env[v]] [ -c count ] [ -i interface ] [ -w file ] [ expression ]
`;

const SNAPLEN = 262144;

/** HH:MM:SS.uuuuuu of simulated time, as tcpdump prints a timestamp. */
function stamp(ns: number): string {
  const us = Math.floor(ns / 1000);
  const s = Math.floor(us / 1e6);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(Math.floor(s / 3600) % 24)}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}.${String(us % 1e6).padStart(6, '0')}`;
}

/** A classic pcap file: global header (LINKTYPE_ETHERNET), then one record per frame. */
export function pcapFile(frames: Array<{ t: number; bytes: Uint8Array }>): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.bytes.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, 1, true);
  let off = 24;
  for (const f of frames) {
    const us = Math.floor(f.t / 1000);
    v.setUint32(off, Math.floor(us / 1e6), true);
    v.setUint32(off + 4, us % 1e6, true);
    v.setUint32(off + 8, f.bytes.length, true);
    v.setUint32(off + 12, f.bytes.length, true);
    out.set(f.bytes, off + 16);
    off += 16 + f.bytes.length;
  }
  return out;
}

export const tcpdump: Command = async (ctx) => {
  const g = getopt(ctx.argv.slice(1), 'c:i:w:enlqvh', 'tcpdump');
  if (g.error) {
    ctx.err(`${g.error}\n${USAGE}`);
    return 1;
  }
  let count = Infinity;
  let ifname: string | null = null;
  let file: string | null = null;
  let link = false;
  let verbose = 0;
  for (const [o, v] of g.opts) {
    if (o === 'c') {
      if (!/^\d+$/.test(v!) || Number(v) < 1) {
        ctx.err(`tcpdump: invalid packet count ${v}\n`);
        return 1;
      }
      count = Number(v);
    } else if (o === 'i') ifname = v;
    else if (o === 'w') file = v;
    else if (o === 'e') link = true;
    else if (o === 'v') verbose++;
    else if (o === 'h') {
      ctx.err(USAGE);
      return 0;
    }
  }
  if (verbose > 2) {
    ctx.err(`tcpdump: -${'v'.repeat(verbose)} is not modelled in skblab (-v and -vv are)\n`);
    return 1;
  }
  const devs = ctx.net.devices;
  const dev: NetDevice | undefined = ifname
    ? devs.find((d) => d.name === ifname)
    : (devs.find((d) => !(d.flags & IFF_LOOPBACK) && d.flags & IFF_UP) ??
      devs.find((d) => d.flags & IFF_LOOPBACK));
  if (!dev) {
    ctx.err(`tcpdump: ${ifname}: No such device exists\n(No such device exists)\n`);
    return 1;
  }
  if (!(dev.flags & IFF_UP)) {
    ctx.err(`tcpdump: ${dev.name}: That device is not up\n`);
    return 1;
  }
  // pcap_compile, once the device is open: the operands make one expression.
  let filter: FrameFilter;
  try {
    filter = compileFilter(g.operands.join(' '), (name) => resolveHost(ctx.lab, name));
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    ctx.err(`tcpdump: ${e.message}\n`);
    return 1;
  }
  ctx.err(
    (file || verbose
      ? 'tcpdump: '
      : 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n') +
      `listening on ${dev.name}, link-type EN10MB (Ethernet), snapshot length ${SNAPLEN} bytes\n`,
  );
  const lab = ctx.lab;
  const frames: Array<{ t: number; bytes: Uint8Array }> = [];
  let seen = 0;
  const countedOut = new WeakSet<SkBuff>();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const tap = (d: NetDevice, skb: SkBuff, dir: 'in' | 'out', t: number) => {
    if (d !== dev) return;
    // On lo the same packet passes both taps; a packet socket shows it once, and counts it twice (the
    // second pass of the last one too: it is there before tcpdump reads its statistics).
    const lo = (d.flags & IFF_LOOPBACK) !== 0;
    if (lo && dir === 'in') {
      if (countedOut.has(skb)) seen++;
      return;
    }
    if (frames.length >= count) return;
    const start = dir === 'out' ? skb.data : skb.macHeader;
    if (!filter(skb.buf.subarray(start, skb.data + skb.len))) return;
    // Only what passes is copied (the skb's buffer goes on changing).
    const bytes = skb.buf.slice(start, skb.data + skb.len);
    seen++;
    if (lo) countedOut.add(skb);
    frames.push({ t, bytes });
    if (!file) {
      const head = link
        ? `${formatMac(bytes, 6)} > ${formatMac(bytes, 0)}, ethertype ${bytes[12] === 8 && bytes[13] === 6 ? 'ARP (0x0806)' : 'IPv4 (0x0800)'}, length ${bytes.length}: `
        : '';
      let line = formatEthernetFrame(bytes, 0, bytes.length, verbose);
      if (link) line = line.replace(/^(IP |ARP, )/, '');
      ctx.out(`${stamp(t)} ${head}${line}\n`);
    }
    if (frames.length >= count) done();
  };
  lab.taps.add(tap);
  ctx.job.onStop.push(done);
  if (!ctx.job.stopped) await finished;
  lab.taps.delete(tap);
  if (file) {
    try {
      fs.writeFileSync(file, pcapFile(frames));
    } catch (e) {
      ctx.err(
        `tcpdump: ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : 'Permission denied'}\n`,
      );
      return 1;
    }
  }
  ctx.err(
    `${ctx.job.stopped && !file ? '\n' : ''}${frames.length} packet${frames.length === 1 ? '' : 's'} captured\n${seen} packet${seen === 1 ? '' : 's'} received by filter\n0 packets dropped by kernel\n`,
  );
  return 0;
};
