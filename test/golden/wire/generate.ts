/**
 * Regenerates the libs/wire golden fixtures from the captures in this folder, using the real tcpdump as the
 * oracle for the pretty printer.
 *
 *   sudo bash test/golden/wire/capture.sh test/golden/wire   # new lo.pcap / veth.pcap from the kernel
 *   npx tsx test/golden/wire/generate.ts                     # needs tcpdump on PATH
 *
 * Writes libs/wire/src/__golden__/captures.ts (real frames, named, with the command that produced each
 * and tcpdump's line for it) and libs/wire/src/__golden__/printer-cases.ts (synthetic frames built with
 * the wire emitters covering printer branches the captures do not reach, with tcpdump's line for each;
 * their checksums are checked with `tcpdump -vv` so the emitters are judged by tcpdump too).
 */

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARPOP_INREPLY,
  ARPOP_INREQUEST,
  ARPOP_REPLY,
  ARPOP_REQUEST,
  ARPOP_RREPLY,
  ARPOP_RREQUEST,
  ETH_P_ARP,
  ETH_P_IP,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IcmpRepr,
  Ipv4Repr,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  TcpOptions,
  bytesToHex,
  emitArpPacket,
  emitEthernetHeader,
  emitIcmpMessage,
  emitIpv4Header,
  emitTcpHeader,
  emitTcpOptions,
  emitUdpHeader,
  formatEthernetFrame,
  parseIpv4,
  parseMac,
  tcpOptionsLength,
} from '../../../libs/wire/src';

const HERE = __dirname;
const OUT = join(HERE, '../../../libs/wire/src/__golden__');

// ---- pcap ----------------------------------------------------------------------------------------------

function readPcap(path: string): Uint8Array[] {
  const b = readFileSync(path);
  if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${path}: not a little-endian microsecond pcap`);
  if (b.readUInt32LE(20) !== 1) throw new Error(`${path}: link type is not Ethernet`);
  const frames: Uint8Array[] = [];
  for (let p = 24; p < b.length; ) {
    const caplen = b.readUInt32LE(p + 8);
    const len = b.readUInt32LE(p + 12);
    if (caplen !== len) throw new Error(`${path}: frame ${frames.length + 1} was cut by the snaplen`);
    frames.push(new Uint8Array(b.subarray(p + 16, p + 16 + caplen)));
    p += 16 + caplen;
  }
  return frames;
}

function writePcap(path: string, frames: Uint8Array[]): void {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(262144, 16);
  gh.writeUInt32LE(1, 20);
  parts.push(gh);
  frames.forEach((f, i) => {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(1700000000 + i, 0);
    rh.writeUInt32LE(f.length, 8);
    rh.writeUInt32LE(f.length, 12);
    parts.push(rh, Buffer.from(f));
  });
  writeFileSync(path, Buffer.concat(parts));
}

/** tcpdump's text per frame, without timestamps (continuation lines joined with "\n"). */
function tcpdumpLines(pcap: string, ...flags: string[]): string[] {
  const out = execFileSync('tcpdump', ['-n', '-t', ...flags, '-r', pcap], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const recs: string[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    if (/^(\t| {4})/.test(line) && recs.length > 0) recs[recs.length - 1] += '\n' + line;
    else recs.push(line);
  }
  return recs;
}

function tcpdumpVersion(): string {
  const out = execFileSync('tcpdump', ['--version'], { encoding: 'utf8' });
  return out.split('\n')[0].trim();
}

function hexBlock(b: Uint8Array, indent: string): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const row: string[] = [];
    for (let j = i; j < Math.min(i + 16, b.length); j++) row.push(bytesToHex(b, j, 1));
    lines.push(indent + row.join(' '));
  }
  return lines.join('\n');
}

function q(s: string): string {
  return JSON.stringify(s);
}

// ---- real captures -------------------------------------------------------------------------------------

type PcapName = 'lo.pcap' | 'veth.pcap' | 'fwd.pcap';

interface Pick {
  name: string;
  pcap: PcapName;
  /** The first frame (after `after`, if given) whose tcpdump line matches. */
  match: RegExp;
  after?: string;
  command: string;
  note?: string;
}

const A = 'ip netns exec skbwire2';
const L = 'ip netns exec skbwire1';
const PING = `${A} ping -c1 10.0.0.254`;
const FRAG = `${A} ping -c1 -s 3000 10.0.0.254`;
const UDP = `${A} sh -c 'printf "abcd" | nc -u -w1 -p 5000 10.0.0.254 6000'`;
const UDP0 = `${A} sh -c 'printf "ab^{" | nc -u -w1 -p 5001 10.0.0.254 6001'`;
const TCP = `${A} nc -w1 -p 40000 10.0.0.254 7000 </dev/null`;
const DF = `${A} ping -c1 -M do -s 1400 10.0.1.2`;
const TTL1 = `${A} ping -c1 -t 1 10.0.1.2`;
const FWD = `${A} ping -c1 10.0.1.2`;
const PICKS: Pick[] = [
  { name: 'loEchoRequest', pcap: 'lo.pcap', match: /ICMP echo request/, command: `${L} ping -c1 127.0.0.1` },
  {
    name: 'loEchoReply',
    pcap: 'lo.pcap',
    match: /ICMP echo reply/,
    command: `${L} ping -c1 127.0.0.1`,
    note: 'the kernel answering itself: no DF, IP ID = request ID + 1 (same ip_idents bucket)',
  },
  {
    name: 'loUdp',
    pcap: 'lo.pcap',
    match: /UDP/,
    command: `${L} sh -c 'printf "abc\\n" | nc -u -w1 -p 5000 127.0.0.1 6000'`,
    note: 'lo offloads checksums: the UDP checksum field holds the CHECKSUM_PARTIAL pseudo-header sum 0xfe1f',
  },
  { name: 'arpRequest', pcap: 'veth.pcap', match: /ARP, Request who-has 10\.0\.0\.254/, command: PING },
  { name: 'arpReply', pcap: 'veth.pcap', match: /ARP, Reply 10\.0\.0\.254/, command: PING },
  { name: 'echoRequest', pcap: 'veth.pcap', match: /> 10\.0\.0\.254: ICMP echo request.*length 64/, command: PING },
  { name: 'echoReply', pcap: 'veth.pcap', match: /ICMP echo reply.*length 64/, command: PING },
  { name: 'fragment1', pcap: 'veth.pcap', match: /ICMP echo request.*length 1480/, command: FRAG },
  { name: 'fragment2', pcap: 'veth.pcap', match: /10\.0\.0\.1 > 10\.0\.0\.254: ip-proto-1/, command: FRAG },
  {
    name: 'fragment3',
    pcap: 'veth.pcap',
    match: /10\.0\.0\.1 > 10\.0\.0\.254: ip-proto-1/,
    after: 'fragment2',
    command: FRAG,
  },
  {
    name: 'udp',
    pcap: 'veth.pcap',
    match: /\.5000 > 10\.0\.0\.254\.6000: UDP/,
    command: UDP,
    note: 'tx checksum offload off on a0, so the kernel computed the checksum in software',
  },
  { name: 'portUnreachable', pcap: 'veth.pcap', match: /udp port 6000 unreachable/, command: UDP },
  {
    name: 'udpChecksumFfff',
    pcap: 'veth.pcap',
    match: /\.5001 > 10\.0\.0\.254\.6001: UDP/,
    command: UDP0,
    note: 'payload chosen so the checksum computes to 0: the kernel sends 0xffff (RFC 768)',
  },
  { name: 'portUnreachableFfff', pcap: 'veth.pcap', match: /udp port 6001 unreachable/, command: UDP0 },
  { name: 'tcpSyn', pcap: 'veth.pcap', match: /Flags \[S\]/, command: TCP },
  {
    name: 'tcpRst',
    pcap: 'veth.pcap',
    match: /Flags \[R\.\]/,
    command: TCP,
    note: 'from the per-netns control socket: IP ID 0 with DF',
  },
  {
    name: 'dfEchoRequest',
    pcap: 'veth.pcap',
    match: /ICMP echo request.*length 1408/,
    command: DF,
    note: 'IP_PMTUDISC_DO on an unconnected socket: IP ID 0',
  },
  {
    name: 'fragNeeded',
    pcap: 'veth.pcap',
    match: /need to frag/,
    command: DF,
    note: 'quote cut so the error is 576 bytes; tos 0xc0',
  },
  { name: 'ttl1EchoRequest', pcap: 'veth.pcap', match: /> 10\.0\.1\.2: ICMP echo request.*length 64/, command: TTL1 },
  { name: 'timeExceeded', pcap: 'veth.pcap', match: /time exceeded/, command: TTL1 },
  {
    name: 'fwdEchoRequestIn',
    pcap: 'veth.pcap',
    match: /> 10\.0\.1\.2: ICMP echo request.*length 64/,
    after: 'ttl1EchoRequest',
    command: FWD,
    note: 'as R receives it on r0 (TTL 64)',
  },
  {
    name: 'fwdEchoRequestOut',
    pcap: 'fwd.pcap',
    match: /> 10\.0\.1\.2: ICMP echo request/,
    command: FWD,
    note: 'the same datagram as R forwarded it on r1 (TTL 63, checksum patched by ip_decrease_ttl)',
  },
];

function generateCaptures(): void {
  const names: PcapName[] = ['lo.pcap', 'veth.pcap', 'fwd.pcap'];
  const files = new Map(names.map((n) => [n, readPcap(join(HERE, n))]));
  const lines = new Map(names.map((n) => [n, tcpdumpLines(join(HERE, n))]));
  const verbose = new Map(names.map((n) => [n, tcpdumpLines(join(HERE, n), '-v')]));
  const veryVerbose = new Map(names.map((n) => [n, tcpdumpLines(join(HERE, n), '-vv')]));
  for (const n of names) {
    if (files.get(n)?.length !== lines.get(n)?.length) throw new Error(`${n}: frame and tcpdump line counts differ`);
  }
  const found = new Map<string, number>();
  const entries = PICKS.map((p) => {
    const ls = lines.get(p.pcap) as string[];
    const start = p.after === undefined ? 0 : (found.get(p.after) as number) + 1;
    let idx = -1;
    for (let i = start; i < ls.length && idx < 0; i++) if (p.match.test(ls[i])) idx = i;
    if (idx < 0) throw new Error(`${p.name}: no frame in ${p.pcap} matches ${p.match}`);
    found.set(p.name, idx);
    const f = (files.get(p.pcap) as Uint8Array[])[idx];
    const note = p.note ? `    /** ${p.note} */\n` : '';
    return (
      `  ${p.name}: {\n` +
      note +
      `    command: ${q(p.command)},\n` +
      `    pcap: ${q(p.pcap)},\n` +
      `    frame: ${idx + 1},\n` +
      `    tcpdump: ${q(ls[idx])},\n` +
      `    tcpdumpV: ${q((verbose.get(p.pcap) as string[])[idx])},\n` +
      `    tcpdumpVV: ${q((veryVerbose.get(p.pcap) as string[])[idx])},\n` +
      `    hex: \`\n${hexBlock(f, '      ')}\n    \`,\n` +
      `  },`
    );
  });
  // The kernel the captures came from (capture.sh writes it), not the one generating now.
  const kernel = readFileSync(join(HERE, 'kernel.txt'), 'utf8').trim();
  const text =
    `/**\n` +
    ` * Golden frames captured from the real Linux kernel (${kernel}) in throwaway network namespaces by\n` +
    ` * test/golden/wire/capture.sh, and extracted by test/golden/wire/generate.ts. Do not edit by hand.\n` +
    ` *\n` +
    ` * Namespaces: skbwire1 (lo only); skbwire2 "A" 10.0.0.1 (a0, 02:00:00:00:00:01, tx checksum offload off)\n` +
    ` * <-> skbwire3 "R" 10.0.0.254 (r0, 02:00:00:00:00:fe; r1 10.0.1.254 mtu 1280, forwarding)\n` +
    ` * <-> skbwire4 "B" 10.0.1.2 (b0, mtu 1280). lo.pcap is tcpdump on skbwire1's lo, veth.pcap on R's r0,\n` +
    ` * fwd.pcap on B's b0. \`tcpdump\` is what \`tcpdump -n -r <pcap>\` (${tcpdumpVersion()}) printed after\n` +
    ` * the timestamp, \`tcpdumpV\` and \`tcpdumpVV\` what it printed with -v and -vv.\n` +
    ` */\n\n` +
    `export interface GoldenFrame {\n` +
    `  /** The command whose traffic this frame is (run on the capture machine, inside the namespaces). */\n` +
    `  command: string;\n` +
    `  pcap: 'lo.pcap' | 'veth.pcap' | 'fwd.pcap';\n` +
    `  /** 1-based frame number in the pcap (test/golden/wire/). */\n` +
    `  frame: number;\n` +
    `  tcpdump: string;\n` +
    `  /** At -v: the lines of the frame, joined with "\\n". */\n` +
    `  tcpdumpV: string;\n` +
    `  tcpdumpVV: string;\n` +
    `  /** The whole Ethernet frame. */\n` +
    `  hex: string;\n` +
    `}\n\n` +
    `export const GOLDEN = {\n${entries.join('\n')}\n} satisfies Record<string, GoldenFrame>;\n`;
  writeFileSync(join(OUT, 'captures.ts'), text);
  prettier(join(OUT, 'captures.ts'));
}

function prettier(file: string): void {
  execFileSync('npx', ['prettier', '--write', file], { cwd: join(HERE, '../../..'), stdio: 'ignore' });
}

// ---- synthetic printer cases ---------------------------------------------------------------------------

const MAC_A = parseMac('02:00:00:00:00:01') as Uint8Array;
const MAC_B = parseMac('02:00:00:00:00:02') as Uint8Array;
const IP_A = parseIpv4('192.0.2.1') as number;
const IP_B = parseIpv4('198.51.100.7') as number;

function eth(type: number, payload: Uint8Array, dst = MAC_B): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  emitEthernetHeader({ dst, src: MAC_A, etherType: type }, f, 0);
  f.set(payload, 14);
  return f;
}

function ip(protocol: number, l4: Uint8Array, over: Partial<Ipv4Repr> = {}): Uint8Array {
  const r: Ipv4Repr = {
    src: IP_A,
    dst: IP_B,
    protocol,
    ttl: 64,
    tos: 0,
    id: 0x1234,
    df: true,
    mf: false,
    fragOffset: 0,
    totalLength: 0,
    headerLength: 20,
    ...over,
  };
  if (over.totalLength === undefined) r.totalLength = r.headerLength + l4.length;
  const b = new Uint8Array(r.headerLength + l4.length);
  b.set(l4, r.headerLength);
  emitIpv4Header(r, b, 0);
  return b;
}

function udp(sp: number, dp: number, payload: Uint8Array, lengthField?: number): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  b.set(payload, 8);
  emitUdpHeader({ srcPort: sp, dstPort: dp, length: lengthField ?? b.length }, b, 0, IP_A, IP_B);
  return b;
}

function tcp(
  sp: number,
  dp: number,
  flags: number,
  seq: number,
  ack: number,
  opts: TcpOptions | Uint8Array,
  payloadLen = 0,
  urgent = 0,
): Uint8Array {
  let optBytes: Uint8Array;
  if (opts instanceof Uint8Array) optBytes = opts;
  else {
    optBytes = new Uint8Array(tcpOptionsLength(opts));
    emitTcpOptions(opts, optBytes, 0);
  }
  const hlen = 20 + Math.ceil(optBytes.length / 4) * 4;
  const b = new Uint8Array(hlen + payloadLen);
  for (let i = 0; i < payloadLen; i++) b[hlen + i] = 0x61 + (i % 26);
  emitTcpHeader(
    { srcPort: sp, dstPort: dp, seq, ack, flags, window: 502, urgent, headerLength: hlen, options: optBytes },
    b,
    0,
    payloadLen,
    IP_A,
    IP_B,
  );
  return b;
}

function icmp(r: IcmpRepr): Uint8Array {
  const b = new Uint8Array(8 + r.data.length);
  emitIcmpMessage(r, b, 0);
  return b;
}

function other(type: number, code: number, rest: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return icmp({ kind: 'other', type, code, rest, data });
}

/** An offending datagram as an ICMP error would quote it: IP header + 8 bytes of UDP/TCP. */
function quote(protocol: number, dport = 33434): Uint8Array {
  const l4 = new Uint8Array(8);
  l4[0] = 0x9c;
  l4[1] = 0x40;
  l4[2] = dport >>> 8;
  l4[3] = dport & 0xff;
  const full = ip(protocol, l4, { src: IP_B, dst: parseIpv4('203.0.113.9') as number, totalLength: 60 });
  return full.subarray(0, 28);
}

function arp(op: number, tha: Uint8Array = new Uint8Array(6), spa = IP_A, tpa = IP_B, pad = 0): Uint8Array {
  const b = new Uint8Array(28 + pad);
  emitArpPacket({ operation: op, senderMac: MAC_A, senderIp: spa, targetMac: tha, targetIp: tpa }, b, 0);
  return b;
}

interface Case {
  name: string;
  frame: Uint8Array;
  /** The checksums are expected to verify (checked with tcpdump -vv). */
  goodChecksums: boolean;
}

function cases(): Case[] {
  const c: Case[] = [];
  const add = (name: string, frame: Uint8Array, goodChecksums = true): void => {
    c.push({ name, frame, goodChecksums });
  };
  const bytes = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => i & 0xff);
  const ipf = (protocol: number, l4: Uint8Array, over: Partial<Ipv4Repr> = {}): Uint8Array =>
    eth(ETH_P_IP, ip(protocol, l4, over));

  // TCP (each case on its own port pair, so tcpdump sees it as the first packet of its conversation)
  add(
    'tcp syn-ack with Linux options',
    ipf(IPPROTO_TCP, tcp(80, 40001, TCP_SYN | TCP_ACK, 1000, 2000, { mss: 1460, sackPermitted: true, tsVal: 7, tsEcr: 9, wscale: 7 })),
  );
  add('tcp data psh-ack', ipf(IPPROTO_TCP, tcp(40002, 8081, TCP_PSH | TCP_ACK, 4000000000, 5, { tsVal: 1, tsEcr: 2 }, 5)));
  add('tcp seq wraps', ipf(IPPROTO_TCP, tcp(40003, 9000, TCP_ACK, 0xfffffffe, 1, {}, 4)));
  add('tcp fin-ack', ipf(IPPROTO_TCP, tcp(40004, 9001, TCP_FIN | TCP_ACK, 10, 20, {})));
  add('tcp rst no ack', ipf(IPPROTO_TCP, tcp(40005, 9002, TCP_RST, 77, 0, {})));
  add('tcp no flags', ipf(IPPROTO_TCP, tcp(40006, 9003, 0, 1, 0, {})));
  add('tcp urg ece cwr', ipf(IPPROTO_TCP, tcp(40007, 9004, TCP_URG | TCP_ACK | TCP_ECE | TCP_CWR | TCP_PSH, 1, 2, {}, 3, 2)));
  add('tcp sack blocks', ipf(IPPROTO_TCP, tcp(40008, 9005, TCP_ACK, 100, 5000, { sack: [[5100, 5200], [5300, 5400]] })));
  add('tcp sack blocks reversed ports', ipf(IPPROTO_TCP, tcp(9006, 80, TCP_ACK, 100, 5000, { sack: [[5100, 5200]] })));
  add('tcp sack without ack', ipf(IPPROTO_TCP, tcp(40009, 9007, TCP_SYN, 100, 0, { sack: [[5100, 5200]] })));
  add('tcp sackOK alone', ipf(IPPROTO_TCP, tcp(40010, 9008, TCP_SYN, 1, 0, { mss: 536, sackPermitted: true })));
  add('tcp unknown option', ipf(IPPROTO_TCP, tcp(40011, 9009, TCP_SYN, 1, 0, Uint8Array.of(99, 4, 0xab, 0xcd))));
  add('tcp eol then padding', ipf(IPPROTO_TCP, tcp(40012, 9010, TCP_SYN, 1, 0, Uint8Array.of(1, 0, 0, 0))));
  add('tcp bad option length', ipf(IPPROTO_TCP, tcp(40013, 9011, TCP_SYN, 1, 0, Uint8Array.of(2, 9, 5, 0xb4))));
  add('tcp mss wrong size', ipf(IPPROTO_TCP, tcp(40014, 9012, TCP_SYN, 1, 0, Uint8Array.of(2, 3, 5, 1))));
  add('tcp md5 option', ipf(IPPROTO_TCP, tcp(40015, 9013, TCP_SYN, 1, 0, Uint8Array.of(19, 18, ...bytes(16), 0, 0))));

  // UDP
  add('udp empty payload', ipf(IPPROTO_UDP, udp(40000, 9999, new Uint8Array(0))));
  add('udp bad length', ipf(IPPROTO_UDP, udp(40001, 9999, bytes(4), 100)), false);
  add('udp length below 8', ipf(IPPROTO_UDP, udp(40002, 9999, bytes(4), 4)), false);
  add('udp first fragment', ipf(IPPROTO_UDP, udp(40003, 9999, bytes(8), 1000), { mf: true, df: false }), false);
  add('udp later fragment', ipf(IPPROTO_UDP, bytes(16), { mf: true, df: false, fragOffset: 1480 }), false);

  // IP
  add('ip unknown protocol', ipf(253, bytes(12)));
  add('ip truncated', eth(ETH_P_IP, ip(IPPROTO_UDP, udp(1, 2, bytes(20))).subarray(0, 40)), false);
  add('ip bad version', eth(ETH_P_IP, ip(IPPROTO_UDP, udp(1, 2, bytes(4))).map((v, i) => (i === 0 ? 0x65 : v))), false);
  add('ip bad hlen', eth(ETH_P_IP, ip(IPPROTO_UDP, udp(1, 2, bytes(4))).map((v, i) => (i === 0 ? 0x44 : v))), false);
  add('ip total below hlen', ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { totalLength: 12 }), false);
  add('ip short version 0', eth(ETH_P_IP, bytes(12)), false);
  add('ip short', eth(ETH_P_IP, Uint8Array.of(0x45, 0, 0, 40, 0, 0, 0, 0, 64, 17, 0, 0)), false);
  add('ip version 5', eth(ETH_P_IP, ip(IPPROTO_UDP, udp(1, 2, bytes(4))).map((v, i) => (i === 0 ? 0x55 : v))), false);
  add('ip with options', ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { headerLength: 24, options: Uint8Array.of(0x94, 4, 0, 0) }));

  // ICMP
  add('icmp echo reply', ipf(IPPROTO_ICMP, icmp({ kind: 'echoReply', ident: 65535, seq: 65535, data: bytes(3) })));
  for (const code of [0, 1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) {
    add(`icmp unreach code ${code}`, ipf(IPPROTO_ICMP, icmp({ kind: 'destUnreachable', code, nextHopMtu: 0, data: quote(IPPROTO_UDP) })));
  }
  add('icmp protocol unreach', ipf(IPPROTO_ICMP, icmp({ kind: 'destUnreachable', code: 2, nextHopMtu: 0, data: quote(132) })));
  add('icmp tcp port unreach', ipf(IPPROTO_ICMP, icmp({ kind: 'destUnreachable', code: 3, nextHopMtu: 0, data: quote(IPPROTO_TCP, 22) })));
  add('icmp sctp port unreach', ipf(IPPROTO_ICMP, icmp({ kind: 'destUnreachable', code: 3, nextHopMtu: 0, data: quote(132, 9) })));
  add('icmp frag needed no mtu', ipf(IPPROTO_ICMP, icmp({ kind: 'destUnreachable', code: 4, nextHopMtu: 0, data: quote(IPPROTO_UDP) })));
  add('icmp unreach truncated quote', ipf(IPPROTO_ICMP, icmp({ kind: 'destUnreachable', code: 1, nextHopMtu: 0, data: bytes(12) })));
  add('icmp reassembly time exceeded', ipf(IPPROTO_ICMP, icmp({ kind: 'timeExceeded', code: 1, data: quote(IPPROTO_UDP) })));
  add('icmp time exceeded code 7', ipf(IPPROTO_ICMP, icmp({ kind: 'timeExceeded', code: 7, data: quote(IPPROTO_UDP) })));
  add('icmp redirect host', ipf(IPPROTO_ICMP, other(5, 1, parseIpv4('192.0.2.254') as number, quote(IPPROTO_UDP))));
  add('icmp redirect tos net', ipf(IPPROTO_ICMP, other(5, 2, parseIpv4('192.0.2.254') as number, quote(IPPROTO_UDP))));
  add('icmp redirect code 9', ipf(IPPROTO_ICMP, other(5, 9, parseIpv4('192.0.2.254') as number, quote(IPPROTO_UDP))));
  add('icmp parameter problem octet', ipf(IPPROTO_ICMP, other(12, 0, 0x14000000, quote(IPPROTO_UDP))));
  add('icmp parameter problem code', ipf(IPPROTO_ICMP, other(12, 1, 0, quote(IPPROTO_UDP))));
  add('icmp source quench', ipf(IPPROTO_ICMP, other(4, 0, 0, quote(IPPROTO_UDP))));
  add('icmp timestamp request', ipf(IPPROTO_ICMP, other(13, 0, 0x00070003, new Uint8Array(12))));
  add('icmp timestamp reply', ipf(IPPROTO_ICMP, other(14, 0, 0x00070003, Uint8Array.of(0, 0x9a, 0x7e, 0xc8, 0, 0, 0, 5, 5, 0x26, 0x5c, 0x00))));
  add('icmp mask request', ipf(IPPROTO_ICMP, other(17, 0, 0x00010001, new Uint8Array(4))));
  add('icmp mask reply', ipf(IPPROTO_ICMP, other(18, 0, 0x00010001, Uint8Array.of(255, 255, 240, 0))));
  add('icmp router solicitation', ipf(IPPROTO_ICMP, other(10, 0, 0)));
  add('icmp router advert', ipf(IPPROTO_ICMP, other(9, 0, 0x02020708, Uint8Array.of(192, 0, 2, 1, 0, 0, 0, 1, 192, 0, 2, 2, 0, 0, 0, 2))));
  add('icmp router advert hours', ipf(IPPROTO_ICMP, other(9, 0, 0x01021c21, Uint8Array.of(192, 0, 2, 1, 0, 0, 0, 1))));
  add('icmp router advert bad size', ipf(IPPROTO_ICMP, other(9, 0, 0x01030030, new Uint8Array(12))));
  add('icmp information request', ipf(IPPROTO_ICMP, other(15, 0, 0)));
  add('icmp unknown type', ipf(IPPROTO_ICMP, other(42, 3, 0)));
  add('icmp truncated echo', ipf(IPPROTO_ICMP, Uint8Array.of(8, 0, 0xf7, 0xff)), false);

  // ARP
  add('arp request with target mac', eth(ETH_P_ARP, arp(ARPOP_REQUEST, MAC_B)));
  add('arp gratuitous', eth(ETH_P_ARP, arp(ARPOP_REQUEST, new Uint8Array(6), IP_A, IP_A)));
  add('arp reply padded', eth(ETH_P_ARP, arp(ARPOP_REPLY, MAC_B, IP_A, IP_B, 18)));
  add('arp reverse request', eth(ETH_P_ARP, arp(ARPOP_RREQUEST, MAC_B)));
  add('arp reverse reply', eth(ETH_P_ARP, arp(ARPOP_RREPLY, MAC_B)));
  add('arp inverse request', eth(ETH_P_ARP, arp(ARPOP_INREQUEST, MAC_B)));
  add('arp inverse reply', eth(ETH_P_ARP, arp(ARPOP_INREPLY, MAC_B)));
  const arpV6 = arp(ARPOP_REQUEST);
  arpV6[2] = 0x86;
  arpV6[3] = 0xdd;
  add('arp non-ipv4 protocol', eth(ETH_P_ARP, arpV6));
  const arpHw = arp(ARPOP_REQUEST);
  arpHw[1] = 6;
  add('arp ieee802 hardware', eth(ETH_P_ARP, arpHw));
  const arpOdd = arp(ARPOP_REQUEST);
  arpOdd[1] = 99;
  arpOdd[2] = 0x12;
  arpOdd[3] = 0x34;
  add('arp unknown hardware and protocol', eth(ETH_P_ARP, arpOdd));
  add('arp unknown op', eth(ETH_P_ARP, arp(99)));
  add('arp truncated', eth(ETH_P_ARP, arp(ARPOP_REQUEST).subarray(0, 20)));
  add('arp truncated in fixed part', eth(ETH_P_ARP, arp(ARPOP_REQUEST).subarray(0, 5)));

  // Captures cut short (caplen = len): each layer's truncation marks
  const synAck = c[0].frame;
  for (const n of [10, 20, 21, 22, 24, 28, 36, 39]) add(`tcp cut after ${n} bytes`, synAck.subarray(0, 34 + n), false);
  // (a new port pair: tcpdump numbers later packets of a conversation relative to its first)
  const sack = ipf(IPPROTO_TCP, tcp(40108, 9105, TCP_ACK, 100, 5000, { sack: [[5100, 5200], [5300, 5400]] }));
  add('tcp cut inside sack', sack.subarray(0, 34 + 20 + 12), false);
  const unk = c.find((x) => x.name === 'tcp unknown option')?.frame as Uint8Array;
  add('tcp cut inside unknown option', unk.subarray(0, 34 + 20 + 3), false);
  const dgram = ipf(IPPROTO_UDP, udp(40100, 9999, bytes(12)));
  for (const n of [3, 5, 7]) add(`udp cut after ${n} bytes`, dgram.subarray(0, 34 + n), false);
  add('udp shorter than its header', ipf(IPPROTO_UDP, bytes(6)), false);

  // -v: the header's fields, options, and the checksums tcpdump verifies (appended, so earlier frames keep
  // their places in synthetic.pcap)
  const flip = (f: Uint8Array, at: number): Uint8Array => f.map((v, i) => (i === at ? v ^ 0xff : v));
  add('ip ecn ce ttl 0', ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { tos: 0xb7, ttl: 0 }));
  add('ip options nop eol', ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { headerLength: 24, options: Uint8Array.of(1, 0, 0, 0) }));
  add(
    'ip option record route',
    ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { headerLength: 32, options: Uint8Array.of(7, 11, 8, 10, 0, 0, 9, 0, 0, 0, 0, 0) }),
  );
  add('ip option loose source route', ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { headerLength: 28, options: Uint8Array.of(131, 7, 4, 10, 0, 0, 2, 0) }), false); // the UDP checksum is over the route's last hop
  add('ip option ra too long', ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { headerLength: 24, options: Uint8Array.of(0x94, 8, 0, 0) }));
  add('ip option ra with value', ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), { headerLength: 24, options: Uint8Array.of(0x94, 4, 0, 5) }));
  add('ip bad header checksum', flip(ipf(IPPROTO_UDP, udp(1, 2, bytes(4))), 24), false);
  add('icmp bad checksum', flip(ipf(IPPROTO_ICMP, icmp({ kind: 'echoReply', ident: 1, seq: 1, data: bytes(3) })), 36), false);
  add('tcp bad checksum', flip(ipf(IPPROTO_TCP, tcp(40016, 9014, TCP_ACK, 1, 2, {})), 50), false);
  add('tcp header longer than segment', ipf(IPPROTO_TCP, tcp(40017, 9015, TCP_PSH | TCP_ACK, 1, 2, {})).map((v, i) => (i === 46 ? 0xf0 : v)), false);
  add('ip protocol 0', ipf(0, bytes(8)));
  const arpLen = arp(ARPOP_REQUEST);
  arpLen[5] = 5;
  add('arp ipv4 with address length 5', eth(ETH_P_ARP, arpLen));
  const arpTrail = arp(ARPOP_REQUEST);
  arpTrail[2] = 0x10;
  arpTrail[3] = 0x00;
  add('arp trailer protocol', eth(ETH_P_ARP, arpTrail));
  add('ether cut short', bytes(10), false);
  add(
    'ip two source routes',
    ipf(IPPROTO_UDP, udp(1, 2, bytes(4)), {
      headerLength: 36,
      options: Uint8Array.of(131, 7, 4, 10, 1, 1, 1, 137, 7, 4, 10, 2, 2, 2, 1, 0),
    }),
    false,
  );
  add('udp of 2 bytes', ipf(IPPROTO_UDP, bytes(2)), false);
  const unreach = ipf(IPPROTO_ICMP, icmp({ kind: 'destUnreachable', code: 3, nextHopMtu: 0, data: quote(IPPROTO_UDP) }));
  for (const n of [1, 8, 20, 27]) add(`icmp error cut after ${n} bytes`, unreach.subarray(0, 34 + n), false);
  add('ip cut inside header', dgram.subarray(0, 24), false);
  add('ip with nothing captured', dgram.subarray(0, 14), false);
  return c;
}

function generatePrinterCases(): void {
  const list = cases();
  const pcap = join(HERE, 'synthetic.pcap');
  writePcap(
    pcap,
    list.map((x) => x.frame),
  );
  const lines = tcpdumpLines(pcap);
  const verbose = tcpdumpLines(pcap, '-vv');
  const v1 = tcpdumpLines(pcap, '-v');
  if (lines.length !== list.length) throw new Error(`tcpdump printed ${lines.length} records for ${list.length} frames`);
  const mismatches: string[] = [];
  const entries = list.map((x, i) => {
    if (x.goodChecksums && /incorrect|bad udp cksum|wrong icmp cksum|bad cksum/.test(verbose[i])) {
      throw new Error(`${x.name}: tcpdump -vv says a checksum is wrong:\n${verbose[i]}`);
    }
    const ours = formatEthernetFrame(x.frame, 0, x.frame.length);
    const theirs = lines[i].split('\n')[0];
    if (ours !== theirs) mismatches.push(`${x.name}\n  tcpdump: ${theirs}\n  ours:    ${ours}`);
    const oursV = formatEthernetFrame(x.frame, 0, x.frame.length, 1);
    if (oursV !== v1[i]) mismatches.push(`${x.name} (-v)\n  tcpdump: ${v1[i]}\n  ours:    ${oursV}`);
    const oursVV = formatEthernetFrame(x.frame, 0, x.frame.length, 2);
    if (oursVV !== verbose[i]) mismatches.push(`${x.name} (-vv)\n  tcpdump: ${verbose[i]}\n  ours:    ${oursVV}`);
    return `  {\n    name: ${q(x.name)},\n    tcpdump: ${q(theirs)},\n    tcpdumpV: ${q(v1[i])},\n    tcpdumpVV: ${q(verbose[i])},\n    hex: \`\n${hexBlock(x.frame, '      ')}\n    \`,\n  },`;
  });
  const text =
    `/**\n` +
    ` * Synthetic frames (built with this module's emitters by test/golden/wire/generate.ts) covering printer\n` +
    ` * branches the real captures do not reach, each with the first line ${tcpdumpVersion()} printed for it\n` +
    ` * with \`tcpdump -n -t -r\` (test/golden/wire/synthetic.pcap), and all it printed with -v. Do not edit by hand.\n` +
    ` */\n\n` +
    `export interface PrinterCase {\n  name: string;\n  tcpdump: string;\n  /** What \`tcpdump -v\` and \`-vv\` printed: its lines joined with "\\n". */\n  tcpdumpV: string;\n  tcpdumpVV: string;\n  hex: string;\n}\n\n` +
    `export const PRINTER_CASES: PrinterCase[] = [\n${entries.join('\n')}\n];\n`;
  writeFileSync(join(OUT, 'printer-cases.ts'), text);
  prettier(join(OUT, 'printer-cases.ts'));
  if (mismatches.length > 0) {
    console.log(`${mismatches.length} printer mismatches:\n${mismatches.join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(`${list.length} synthetic frames: printer matches tcpdump on all`);
  }
}

generateCaptures();
generatePrinterCases();
