/**
 * ping(8) from iputils 20221126: the same options, output, errors and exit statuses. It uses an ICMP
 * datagram socket (the kernel owns the echo id), a probe UDP socket to pick the source address, and
 * IP_RECVERR to report ICMP errors and local errors.
 */
import {
  AF_INET,
  EACCES,
  SOCK_RAW,
  EAGAIN,
  EMSGSIZE,
  IPPROTO_ICMP,
  IP_PMTUDISC_DO,
  IP_PMTUDISC_DONT,
  IP_PMTUDISC_WANT,
  SOCK_DGRAM,
  STRERROR,
} from '@skblab/kernel';
import { ipv4ToString } from '@skblab/wire/address';
import * as icmp from '@skblab/wire/icmp';
import type { Command, CommandContext } from './command';
import { NSEC_PER_MSEC, NSEC_PER_SEC } from './command';
import { getopt } from './getopt';
import { resolveHost } from './resolve';
import { strtol } from './libc';

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -i <interval>      seconds between sending each packet
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -t <ttl>           define time to live
  -W <timeout>       time to wait for response
  -w <deadline>      reply wait <deadline> in seconds

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast

For more details see ping(8).
`;

const MAX_COUNT = '9223372036854775807';

function numArg(
  ctx: CommandContext,
  v: string,
  min: number,
  max: number,
  maxText = String(max),
  float = false,
): number | null {
  const ok = float ? /^(\d+\.?\d*|\.\d+)$/.test(v) : /^\d+$/.test(v);
  if (!ok) {
    ctx.err(`ping: invalid argument: '${v}'\n`);
    return null;
  }
  const n = Number(v);
  if (n < min || n > max) {
    ctx.err(`ping: invalid argument: '${v}': out of range: ${min} <= value <= ${maxText}\n`);
    return null;
  }
  return n;
}

/**
 * iputils' parsetos: after a leading 0x, strtol in base 16 (which takes a second 0x: -Q 0x0x10 is 16), else
 * in base 10; all of it consumed, no more than 255 (a negative number passes, and IP_TOS keeps its low byte).
 */
function parsetos(ctx: CommandContext, v: string): number | null {
  const hex = /^0[xX]/.test(v);
  const cp = hex ? v.slice(2) : v;
  const r = strtol(cp, hex ? 16 : 10);
  if ((r ? r.rest : cp) !== '') {
    ctx.err(`ping: bad TOS value: ${v}\n`);
    return null;
  }
  const tos = r ? Number(BigInt.asIntN(32, r.v)) : 0;
  if (tos > 255) {
    ctx.err(`ping: the decimal value of TOS bits must be in range 0-255: ${tos}\n`);
    return null;
  }
  return tos;
}

/** iputils' time= formatting of a round trip in microseconds. */
function fmtTrip(us: number): string {
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)}`;
  if (us >= 10000 - 5) return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)}`;
  if (us >= 1000)
    return `${Math.floor((us + 5) / 1000)}.${String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

const UNREACH: Record<number, string> = {
  0: 'Destination Net Unreachable',
  1: 'Destination Host Unreachable',
  2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable',
  5: 'Source Route Failed',
  6: 'Destination Net Unknown',
  7: 'Destination Host Unknown',
  9: 'Destination Net Prohibited',
  10: 'Destination Host Prohibited',
  13: 'Packet filtered',
};

function icmpErrorText(type: number, code: number, info: number): string {
  if (type === 3 && code === 4) return `Frag needed and DF set (mtu = ${info})`;
  if (type === 3) return UNREACH[code] ?? `Dest Unreachable, Bad Code: ${code}`;
  if (type === 11) return code === 0 ? 'Time to live exceeded' : 'Frag reassembly time exceeded';
  return `Bad ICMP type: ${type}`;
}

export const ping: Command = async (ctx) => {
  const g = getopt(ctx.argv.slice(1), 'c:i:M:Q:s:t:W:w:nqb4vh', 'ping');
  if (g.error) {
    ctx.err(g.error + '\n' + USAGE);
    return 2;
  }
  let count = Infinity;
  let interval = 1;
  let size = 56;
  let ttl = -1;
  let pmtudisc = -1;
  let timeout = -1;
  let deadline = -1;
  let quiet = false;
  let broadcast = false;
  let tos = 0;
  for (const [o, v] of g.opts) {
    switch (o) {
      case 'c': {
        const n = numArg(ctx, v!, 1, Number.MAX_SAFE_INTEGER, MAX_COUNT);
        if (n === null) return 1;
        count = n;
        break;
      }
      case 'i': {
        const n = numArg(ctx, v!, 0, 2147483647, '2147483647', true);
        if (n === null) return 1;
        if (n < 0.002) {
          ctx.err(
            'ping: cannot flood, minimal interval for user must be >= 2 ms, use -i 0.002 (or higher)\n',
          );
          return 1;
        }
        interval = n;
        break;
      }
      case 's': {
        const n = numArg(ctx, v!, 0, 2147483647, '2147483647');
        if (n === null) return 1;
        size = n;
        break;
      }
      case 't': {
        const n = numArg(ctx, v!, 0, 255);
        if (n === null) return 1;
        ttl = n;
        break;
      }
      case 'W': {
        const n = numArg(ctx, v!, 0, 2147483647, '2147483647', true);
        if (n === null) return 1;
        timeout = n;
        break;
      }
      case 'w': {
        const n = numArg(ctx, v!, 0, 2147483647, '2147483647', true);
        if (n === null) return 1;
        deadline = n;
        break;
      }
      case 'Q': {
        const n = parsetos(ctx, v!);
        if (n === null) return 2;
        tos = n;
        break;
      }
      case 'M':
        if (v === 'do') pmtudisc = IP_PMTUDISC_DO;
        else if (v === 'dont') pmtudisc = IP_PMTUDISC_DONT;
        else if (v === 'want') pmtudisc = IP_PMTUDISC_WANT;
        else {
          ctx.err(`ping: invalid -M argument: ${v}\n`);
          return 2;
        }
        break;
      case 'q':
        quiet = true;
        break;
      case 'b':
        broadcast = true;
        break;
      case 'h':
        ctx.out(USAGE.slice(1));
        return 2;
      default:
        break;
    }
  }
  if (g.operands.length === 0) {
    ctx.err('ping: usage error: Destination address required\n');
    return 1;
  }
  const target = g.operands[g.operands.length - 1];
  const daddr = resolveHost(ctx.lab, target);
  if (daddr === null) {
    ctx.err(`ping: ${target}: Temporary failure in name resolution\n`);
    return 2;
  }
  const task = ctx.task('ping');
  // The probe socket: connect() picks the source address (and fails without a route).
  const probe = task.socket(AF_INET, SOCK_DGRAM, 0);
  if (broadcast) task.setsockopt(probe, 'broadcast', 1);
  const cerr = task.connect(probe, daddr, 1025);
  if (cerr < 0) {
    task.close(probe);
    if (cerr === -EACCES && !broadcast)
      ctx.err('ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n');
    else ctx.err(`ping: connect: ${STRERROR[-cerr]}\n`);
    return 2;
  }
  task.close(probe);
  if (
    broadcast &&
    ctx.net.ifaddrs.some(
      (i) => i.broadcast === daddr || (i.address | ~((0xffffffff << (32 - i.plen)) >>> 0)) >>> 0 === daddr,
    )
  )
    ctx.err('WARNING: pinging broadcast address\n');
  // An ICMP datagram socket if net.ipv4.ping_group_range allows it, else a raw socket (root may), as iputils.
  let fd = task.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  const raw = fd === -EACCES;
  if (raw) fd = task.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0) {
    ctx.err(`ping: socket: ${STRERROR[-fd]}\n`);
    return 2;
  }
  // The raw socket's identifier is ours to choose; ICMP_FILTER keeps echo requests and the like away.
  const ident = raw ? ctx.lab.random32() & 0xffff : 0;
  if (raw)
    task.setsockopt(fd, 'icmp_filter', ~((1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 11) | (1 << 12)));
  task.setsockopt(fd, 'recverr', 1);
  if (broadcast) task.setsockopt(fd, 'broadcast', 1);
  if (ttl >= 0 && task.setsockopt(fd, 'ttl', ttl) < 0) {
    ctx.err('ping: cannot set unicast time-to-live: Invalid argument\n');
    return 2;
  }
  if (pmtudisc >= 0) task.setsockopt(fd, 'mtu_discover', pmtudisc);
  if (tos) task.setsockopt(fd, 'tos', tos);
  const dst = ipv4ToString(daddr);
  ctx.out(`PING ${target} (${dst}) ${size}(${size + 28}) bytes of data.\n`);

  const lab = ctx.lab;
  const start = lab.now();
  const timing = size >= 16;
  const sentAt = new Map<number, number>();
  let ntransmitted = 0;
  let nreceived = 0;
  let nrepeats = 0;
  const answered = new Set<number>();
  let nerrors = 0;
  let tmin = Infinity;
  let tmax = 0;
  let tsum = 0;
  let tsum2 = 0;
  const linger = timeout >= 0 ? timeout * NSEC_PER_SEC : 10 * NSEC_PER_SEC;
  const stopAt = deadline >= 0 ? start + deadline * NSEC_PER_SEC : Infinity;

  const handleInput = () => {
    for (;;) {
      const e = task.recvErr(fd);
      if (!e) break;
      nerrors++;
      if (e.origin === 'local') {
        if (e.errno === EMSGSIZE) ctx.err(`ping: local error: message too long, mtu=${e.info}\n`);
        else ctx.err(`ping: local error: ${STRERROR[e.errno]}\n`);
      } else if (!quiet) {
        ctx.out(
          `From ${ipv4ToString(e.offender)} icmp_seq=${e.seq} ${icmpErrorText(e.type, e.code, e.info)}\n`,
        );
      }
    }
    for (;;) {
      const r = task.tryRecv(fd);
      if (typeof r === 'number') break;
      if (raw) {
        // A raw socket reads whole datagrams: skip the IP header; errors arrive as ICMP packets.
        const ihl = (r.data[0] & 0x0f) * 4;
        const type = r.data[ihl];
        if (type !== 0) {
          const q = ihl + 8;
          const qihl = (r.data[q] & 0x0f) * 4;
          const qi = q + qihl;
          if (
            r.data.length < qi + 8 ||
            r.data[qi] !== 8 ||
            ((r.data[qi + 4] << 8) | r.data[qi + 5]) !== ident
          )
            continue;
          nerrors++;
          if (!quiet)
            ctx.out(
              `From ${ipv4ToString(r.from)} icmp_seq=${(r.data[qi + 6] << 8) | r.data[qi + 7]} ${icmpErrorText(type, r.data[ihl + 1], (r.data[ihl + 6] << 8) | r.data[ihl + 7])}\n`,
            );
          continue;
        }
        if (((r.data[ihl + 4] << 8) | r.data[ihl + 5]) !== ident) continue;
        r.data = r.data.subarray(ihl);
      }
      const seq = (r.data[6] << 8) | r.data[7];
      const t0 = sentAt.get(seq);
      if (t0 === undefined) continue;
      // gather_statistics: a second reply to a sequence number is a duplicate (rcvd_tbl), not a reply.
      const dup = answered.has(seq);
      if (dup) nrepeats++;
      else {
        answered.add(seq);
        nreceived++;
      }
      const us = Math.floor((lab.now() - t0) / 1000);
      if (timing) {
        tsum += us;
        tsum2 += us * us;
        tmin = Math.min(tmin, us);
        tmax = Math.max(tmax, us);
      }
      if (!quiet)
        ctx.out(
          `${r.data.length} bytes from ${ipv4ToString(r.from)}: icmp_seq=${seq} ttl=${r.ttl}${timing ? ` time=${fmtTrip(us)} ms` : ''}${dup ? ' (DUP!)' : ''}\n`,
        );
    }
  };

  let seq = 0;
  let lastSend = start;
  while (!ctx.job.stopped && ntransmitted < count && lab.now() < stopAt) {
    seq = (seq % 65535) + 1;
    const msg = new Uint8Array(8 + size);
    msg[0] = 8;
    msg[4] = ident >> 8;
    msg[5] = ident & 0xff;
    msg[6] = seq >> 8;
    msg[7] = seq & 0xff;
    for (let i = 0; i < size; i++) msg[8 + i] = i & 0xff;
    if (timing) {
      const now = lab.now();
      const sec = Math.floor(now / NSEC_PER_SEC);
      const usec = Math.floor((now % NSEC_PER_SEC) / 1000);
      new DataView(msg.buffer).setBigUint64(8, BigInt(sec), true);
      new DataView(msg.buffer).setBigUint64(16, BigInt(usec), true);
    }
    // With a raw socket the checksum is ping's job (a ping socket has the kernel do it).
    if (raw) icmp.fillChecksum(msg, 0, msg.length);
    sentAt.set(seq, lab.now());
    lastSend = lab.now();
    const rc = task.sendto(fd, msg, daddr, 0);
    ntransmitted++;
    if (rc < 0 && rc !== -EMSGSIZE && rc !== -EAGAIN) {
      if (size + 8 <= 65535) ctx.err(`ping: sendmsg: ${STRERROR[-rc]}\n`);
    }
    handleInput();
    const last = ntransmitted >= count;
    const waitUntil = Math.min(stopAt, last ? lab.now() + linger : lab.now() + interval * NSEC_PER_SEC);
    while (!ctx.job.stopped && lab.now() < waitUntil) {
      if (last && nreceived + nerrors >= ntransmitted) break;
      const readable = await task.waitReadable(fd, waitUntil);
      if (ctx.job.stopped) break;
      handleInput();
      if (!readable) break;
    }
    if (last) break;
  }
  task.closeAll();
  // iputils reports the time of the last transmission, not of the last reply.
  const elapsedMs = Math.floor((lastSend - start) / NSEC_PER_MSEC);
  const loss = ntransmitted ? Math.floor(((ntransmitted - nreceived) * 100) / ntransmitted) : 0;
  let summary = `\n--- ${target} ping statistics ---\n${ntransmitted} packets transmitted, ${nreceived} received`;
  if (nrepeats) summary += `, +${nrepeats} duplicates`;
  if (nerrors) summary += `, +${nerrors} errors`;
  summary += `, ${loss}% packet loss, time ${elapsedMs}ms\n`;
  if (nreceived && timing) {
    // finish(): the duplicates' times are in the sums, so the average is over replies and duplicates.
    const total = nreceived + nrepeats;
    const avg = tsum / total;
    const mdev = Math.sqrt(Math.max(0, tsum2 / total - avg * avg));
    const f = (us: number) => (us / 1000).toFixed(3);
    summary += `rtt min/avg/max/mdev = ${f(tmin)}/${f(avg)}/${f(tmax)}/${f(mdev)} ms\n`;
  } else summary += '\n';
  ctx.out(summary);
  return nreceived ? 0 : 1;
};
