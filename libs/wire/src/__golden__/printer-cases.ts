/**
 * Synthetic frames (built with this module's emitters by test/golden/wire/generate.ts) covering printer
 * branches the real captures do not reach, each with the first line tcpdump version 4.99.3 printed for it
 * with `tcpdump -n -t -r` (test/golden/wire/synthetic.pcap), and all it printed with -v. Do not edit by hand.
 */

export interface PrinterCase {
  name: string;
  tcpdump: string;
  /** What `tcpdump -v` and `-vv` printed: its lines joined with "\n". */
  tcpdumpV: string;
  tcpdumpVV: string;
  hex: string;
}

export const PRINTER_CASES: PrinterCase[] = [
  {
    name: 'tcp syn-ack with Linux options',
    tcpdump:
      'IP 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9,nop,wscale 7], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], cksum 0xb164 (correct), seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9,nop,wscale 7], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], cksum 0xb164 (correct), seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9,nop,wscale 7], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00 02 04 05 b4 04 02 08 0a 00 00
      00 07 00 00 00 09 01 03 03 07
    `,
  },
  {
    name: 'tcp data psh-ack',
    tcpdump:
      'IP 192.0.2.1.40002 > 198.51.100.7.8081: Flags [P.], seq 4000000000:4000000005, ack 5, win 502, options [nop,nop,TS val 1 ecr 2], length 5',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 57)\n    192.0.2.1.40002 > 198.51.100.7.8081: Flags [P.], cksum 0x8c6f (correct), seq 4000000000:4000000005, ack 5, win 502, options [nop,nop,TS val 1 ecr 2], length 5',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 57)\n    192.0.2.1.40002 > 198.51.100.7.8081: Flags [P.], cksum 0x8c6f (correct), seq 4000000000:4000000005, ack 5, win 502, options [nop,nop,TS val 1 ecr 2], length 5',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 39 12 34 40 00 40 06 3c 4f c0 00 02 01 c6 33
      64 07 9c 42 1f 91 ee 6b 28 00 00 00 00 05 80 18
      01 f6 8c 6f 00 00 01 01 08 0a 00 00 00 01 00 00
      00 02 61 62 63 64 65
    `,
  },
  {
    name: 'tcp seq wraps',
    tcpdump: 'IP 192.0.2.1.40003 > 198.51.100.7.9000: Flags [.], seq 4294967294:2, ack 1, win 502, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40003 > 198.51.100.7.9000: Flags [.], cksum 0x3d6c (correct), seq 4294967294:2, ack 1, win 502, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40003 > 198.51.100.7.9000: Flags [.], cksum 0x3d6c (correct), seq 4294967294:2, ack 1, win 502, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2c 12 34 40 00 40 06 3c 5c c0 00 02 01 c6 33
      64 07 9c 43 23 28 ff ff ff fe 00 00 00 01 50 10
      01 f6 3d 6c 00 00 61 62 63 64
    `,
  },
  {
    name: 'tcp fin-ack',
    tcpdump: 'IP 192.0.2.1.40004 > 198.51.100.7.9001: Flags [F.], seq 10, ack 20, win 502, length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40004 > 198.51.100.7.9001: Flags [F.], cksum 0x0216 (correct), seq 10, ack 20, win 502, length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40004 > 198.51.100.7.9001: Flags [F.], cksum 0x0216 (correct), seq 10, ack 20, win 502, length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 06 3c 60 c0 00 02 01 c6 33
      64 07 9c 44 23 29 00 00 00 0a 00 00 00 14 50 11
      01 f6 02 16 00 00
    `,
  },
  {
    name: 'tcp rst no ack',
    tcpdump: 'IP 192.0.2.1.40005 > 198.51.100.7.9002: Flags [R], seq 77, win 502, length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40005 > 198.51.100.7.9002: Flags [R], cksum 0x01f2 (correct), seq 77, win 502, length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40005 > 198.51.100.7.9002: Flags [R], cksum 0x01f2 (correct), seq 77, win 502, length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 06 3c 60 c0 00 02 01 c6 33
      64 07 9c 45 23 2a 00 00 00 4d 00 00 00 00 50 04
      01 f6 01 f2 00 00
    `,
  },
  {
    name: 'tcp no flags',
    tcpdump: 'IP 192.0.2.1.40006 > 198.51.100.7.9003: Flags [none], win 502, length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40006 > 198.51.100.7.9003: Flags [none], cksum 0x0240 (correct), win 502, length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40006 > 198.51.100.7.9003: Flags [none], cksum 0x0240 (correct), seq 1, win 502, length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 06 3c 60 c0 00 02 01 c6 33
      64 07 9c 46 23 2b 00 00 00 01 00 00 00 00 50 00
      01 f6 02 40 00 00
    `,
  },
  {
    name: 'tcp urg ece cwr',
    tcpdump:
      'IP 192.0.2.1.40007 > 198.51.100.7.9004: Flags [P.UEW], seq 1:4, ack 2, win 502, urg 2, length 3',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 43)\n    192.0.2.1.40007 > 198.51.100.7.9004: Flags [P.UEW], cksum 0x3cdc (correct), seq 1:4, ack 2, win 502, urg 2, length 3',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 43)\n    192.0.2.1.40007 > 198.51.100.7.9004: Flags [P.UEW], cksum 0x3cdc (correct), seq 1:4, ack 2, win 502, urg 2, length 3',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2b 12 34 40 00 40 06 3c 5d c0 00 02 01 c6 33
      64 07 9c 47 23 2c 00 00 00 01 00 00 00 02 50 f8
      01 f6 3c dc 00 02 61 62 63
    `,
  },
  {
    name: 'tcp sack blocks',
    tcpdump:
      'IP 192.0.2.1.40008 > 198.51.100.7.9005: Flags [.], ack 5000, win 502, options [nop,nop,sack 2 {101:201}{301:401}], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.40008 > 198.51.100.7.9005: Flags [.], cksum 0x4611 (correct), ack 5000, win 502, options [nop,nop,sack 2 {101:201}{301:401}], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.40008 > 198.51.100.7.9005: Flags [.], cksum 0x4611 (correct), seq 100, ack 5000, win 502, options [nop,nop,sack 2 {101:201}{301:401}], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 9c 48 23 2d 00 00 00 64 00 00 13 88 a0 10
      01 f6 46 11 00 00 01 01 05 12 00 00 13 ec 00 00
      14 50 00 00 14 b4 00 00 15 18
    `,
  },
  {
    name: 'tcp sack blocks reversed ports',
    tcpdump:
      'IP 192.0.2.1.9006 > 198.51.100.7.80: Flags [.], ack 5000, win 502, options [nop,nop,sack 1 {101:201}], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 52)\n    192.0.2.1.9006 > 198.51.100.7.80: Flags [.], cksum 0x2be5 (correct), ack 5000, win 502, options [nop,nop,sack 1 {101:201}], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 52)\n    192.0.2.1.9006 > 198.51.100.7.80: Flags [.], cksum 0x2be5 (correct), seq 100, ack 5000, win 502, options [nop,nop,sack 1 {101:201}], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 34 12 34 40 00 40 06 3c 54 c0 00 02 01 c6 33
      64 07 23 2e 00 50 00 00 00 64 00 00 13 88 80 10
      01 f6 2b e5 00 00 01 01 05 0a 00 00 13 ec 00 00
      14 50
    `,
  },
  {
    name: 'tcp sack without ack',
    tcpdump:
      'IP 192.0.2.1.40009 > 198.51.100.7.9007: Flags [S], seq 100, win 502, options [nop,nop,sack 1 {5100:5200}], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 52)\n    192.0.2.1.40009 > 198.51.100.7.9007: Flags [S], cksum 0xa380 (correct), seq 100, win 502, options [nop,nop,sack 1 {5100:5200}], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 52)\n    192.0.2.1.40009 > 198.51.100.7.9007: Flags [S], cksum 0xa380 (correct), seq 100, win 502, options [nop,nop,sack 1 {5100:5200}], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 34 12 34 40 00 40 06 3c 54 c0 00 02 01 c6 33
      64 07 9c 49 23 2f 00 00 00 64 00 00 00 00 80 02
      01 f6 a3 80 00 00 01 01 05 0a 00 00 13 ec 00 00
      14 50
    `,
  },
  {
    name: 'tcp sackOK alone',
    tcpdump:
      'IP 192.0.2.1.40010 > 198.51.100.7.9008: Flags [S], seq 1, win 502, options [mss 536,nop,nop,sackOK], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 48)\n    192.0.2.1.40010 > 198.51.100.7.9008: Flags [S], cksum 0xd90d (correct), seq 1, win 502, options [mss 536,nop,nop,sackOK], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 48)\n    192.0.2.1.40010 > 198.51.100.7.9008: Flags [S], cksum 0xd90d (correct), seq 1, win 502, options [mss 536,nop,nop,sackOK], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 30 12 34 40 00 40 06 3c 58 c0 00 02 01 c6 33
      64 07 9c 4a 23 30 00 00 00 01 00 00 00 00 70 02
      01 f6 d9 0d 00 00 02 04 02 18 01 01 04 02
    `,
  },
  {
    name: 'tcp unknown option',
    tcpdump:
      'IP 192.0.2.1.40011 > 198.51.100.7.9009: Flags [S], seq 1, win 502, options [unknown-99 0xabcd], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40011 > 198.51.100.7.9009: Flags [S], cksum 0xe35c (correct), seq 1, win 502, options [unknown-99 0xabcd], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40011 > 198.51.100.7.9009: Flags [S], cksum 0xe35c (correct), seq 1, win 502, options [unknown-99 0xabcd], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2c 12 34 40 00 40 06 3c 5c c0 00 02 01 c6 33
      64 07 9c 4b 23 31 00 00 00 01 00 00 00 00 60 02
      01 f6 e3 5c 00 00 63 04 ab cd
    `,
  },
  {
    name: 'tcp eol then padding',
    tcpdump: 'IP 192.0.2.1.40012 > 198.51.100.7.9010: Flags [S], seq 1, win 502, options [nop,eol], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40012 > 198.51.100.7.9010: Flags [S], cksum 0xf12c (correct), seq 1, win 502, options [nop,eol], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40012 > 198.51.100.7.9010: Flags [S], cksum 0xf12c (correct), seq 1, win 502, options [nop,eol], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2c 12 34 40 00 40 06 3c 5c c0 00 02 01 c6 33
      64 07 9c 4c 23 32 00 00 00 01 00 00 00 00 60 02
      01 f6 f1 2c 00 00 01 00 00 00
    `,
  },
  {
    name: 'tcp bad option length',
    tcpdump: 'IP 192.0.2.1.40013 > 198.51.100.7.9011: Flags [S], seq 1, win 502, options [[bad opt]',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40013 > 198.51.100.7.9011: Flags [S], cksum 0xea6d (correct), seq 1, win 502, options [[bad opt]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40013 > 198.51.100.7.9011: Flags [S], cksum 0xea6d (correct), seq 1, win 502, options [[bad opt]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2c 12 34 40 00 40 06 3c 5c c0 00 02 01 c6 33
      64 07 9c 4d 23 33 00 00 00 01 00 00 00 00 60 02
      01 f6 ea 6d 00 00 02 09 05 b4
    `,
  },
  {
    name: 'tcp mss wrong size',
    tcpdump:
      'IP 192.0.2.1.40014 > 198.51.100.7.9012: Flags [S], seq 1, win 502, options [mss 1281[len 3]], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40014 > 198.51.100.7.9012: Flags [S], cksum 0xeb24 (correct), seq 1, win 502, options [mss 1281[len 3]], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40014 > 198.51.100.7.9012: Flags [S], cksum 0xeb24 (correct), seq 1, win 502, options [mss 1281[len 3]], length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2c 12 34 40 00 40 06 3c 5c c0 00 02 01 c6 33
      64 07 9c 4e 23 34 00 00 00 01 00 00 00 00 60 02
      01 f6 eb 24 00 00 02 03 05 01
    `,
  },
  {
    name: 'tcp md5 option',
    tcpdump:
      "IP 192.0.2.1.40015 > 198.51.100.7.9013: Flags [S], seq 1, win 502, options [md5 shared secret not supplied with -M, can't check - 000102030405060708090a0b0c0d0e0f,eol], length 0",
    tcpdumpV:
      "IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.40015 > 198.51.100.7.9013: Flags [S], cksum 0x66c4 (correct), seq 1, win 502, options [md5 shared secret not supplied with -M, can't check - 000102030405060708090a0b0c0d0e0f,eol], length 0",
    tcpdumpVV:
      "IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.40015 > 198.51.100.7.9013: Flags [S], cksum 0x66c4 (correct), seq 1, win 502, options [md5 shared secret not supplied with -M, can't check - 000102030405060708090a0b0c0d0e0f,eol], length 0",
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 9c 4f 23 35 00 00 00 01 00 00 00 00 a0 02
      01 f6 66 c4 00 00 13 12 00 01 02 03 04 05 06 07
      08 09 0a 0b 0c 0d 0e 0f 00 00
    `,
  },
  {
    name: 'udp empty payload',
    tcpdump: 'IP 192.0.2.1.40000 > 198.51.100.7.9999: UDP, length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 28)\n    192.0.2.1.40000 > 198.51.100.7.9999: UDP, length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 28)\n    192.0.2.1.40000 > 198.51.100.7.9999: [udp sum ok] UDP, length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1c 12 34 40 00 40 11 3c 61 c0 00 02 01 c6 33
      64 07 9c 40 27 0f 00 08 50 52
    `,
  },
  {
    name: 'udp bad length',
    tcpdump: 'IP 192.0.2.1.40001 > 198.51.100.7.9999: UDP, bad length 92 > 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 32)\n    192.0.2.1.40001 > 198.51.100.7.9999: UDP, bad length 92 > 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 32)\n    192.0.2.1.40001 > 198.51.100.7.9999: [bad udp cksum 0x4d95 -> 0x4ded!] UDP, bad length 92 > 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 20 12 34 40 00 40 11 3c 5d c0 00 02 01 c6 33
      64 07 9c 41 27 0f 00 64 4d 95 00 01 02 03
    `,
  },
  {
    name: 'udp length below 8',
    tcpdump: 'IP 192.0.2.1.40002 > 198.51.100.7.9999: truncated-udplength 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 32)\n    192.0.2.1.40002 > 198.51.100.7.9999: truncated-udplength 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 32)\n    192.0.2.1.40002 > 198.51.100.7.9999: truncated-udplength 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 20 12 34 40 00 40 11 3c 5d c0 00 02 01 c6 33
      64 07 9c 42 27 0f 00 04 50 58 00 01 02 03
    `,
  },
  {
    name: 'udp first fragment',
    tcpdump: 'IP 192.0.2.1.40003 > 198.51.100.7.9999: UDP, length 992',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [+], proto UDP (17), length 36)\n    192.0.2.1.40003 > 198.51.100.7.9999: UDP, length 992',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [+], proto UDP (17), length 36)\n    192.0.2.1.40003 > 198.51.100.7.9999: UDP, length 992',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 24 12 34 20 00 40 11 5c 59 c0 00 02 01 c6 33
      64 07 9c 43 27 0f 03 e8 3c 7f 00 01 02 03 04 05
      06 07
    `,
  },
  {
    name: 'udp later fragment',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ip-proto-17',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 1480, flags [+], proto UDP (17), length 36)\n    192.0.2.1 > 198.51.100.7: ip-proto-17',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 1480, flags [+], proto UDP (17), length 36)\n    192.0.2.1 > 198.51.100.7: ip-proto-17',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 24 12 34 20 b9 40 11 5b a0 c0 00 02 01 c6 33
      64 07 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d
      0e 0f
    `,
  },
  {
    name: 'ip unknown protocol',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7:  ip-proto-253 12',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto unknown (253), length 32)\n    192.0.2.1 > 198.51.100.7:  ip-proto-253 12',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto unknown (253), length 32)\n    192.0.2.1 > 198.51.100.7:  ip-proto-253 12',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 20 12 34 40 00 40 fd 3b 71 c0 00 02 01 c6 33
      64 07 00 01 02 03 04 05 06 07 08 09 0a 0b
    `,
  },
  {
    name: 'ip truncated',
    tcpdump: 'IP truncated-ip - 8 bytes missing! 192.0.2.1.1 > 198.51.100.7.2: UDP, length 20',
    tcpdumpV:
      'IP truncated-ip - 8 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 48)\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 20',
    tcpdumpVV:
      'IP truncated-ip - 8 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 48)\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 20',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 30 12 34 40 00 40 11 3c 4d c0 00 02 01 c6 33
      64 07 00 01 00 02 00 1c b9 12 00 01 02 03 04 05
      06 07 08 09 0a 0b
    `,
  },
  {
    name: 'ip bad version',
    tcpdump: 'IP6, wrong link-layer encapsulation (invalid)',
    tcpdumpV: 'IP6, wrong link-layer encapsulation (invalid)',
    tcpdumpVV: 'IP6, wrong link-layer encapsulation (invalid)',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 65 00
      00 20 12 34 40 00 40 11 3c 5d c0 00 02 01 c6 33
      64 07 00 01 00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'ip bad hlen',
    tcpdump: 'IP bad-hlen 16',
    tcpdumpV: 'IP bad-hlen 16',
    tcpdumpVV: 'IP bad-hlen 16',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 44 00
      00 20 12 34 40 00 40 11 3c 5d c0 00 02 01 c6 33
      64 07 00 01 00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'ip total below hlen',
    tcpdump: 'IP bad-len 12',
    tcpdumpV: 'IP bad-len 12',
    tcpdumpVV: 'IP bad-len 12',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 0c 12 34 40 00 40 11 3c 71 c0 00 02 01 c6 33
      64 07 00 01 00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'ip short version 0',
    tcpdump: 'IP0 (invalid)',
    tcpdumpV: 'IP0 (invalid)',
    tcpdumpVV: 'IP0 (invalid)',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 00 01
      02 03 04 05 06 07 08 09 0a 0b
    `,
  },
  {
    name: 'ip short',
    tcpdump: 'IP  [|ip]',
    tcpdumpV: 'IP  [|ip]',
    tcpdumpVV: 'IP  [|ip]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 00 00 00 00 40 11 00 00
    `,
  },
  {
    name: 'ip version 5',
    tcpdump: 'IP5 (invalid)',
    tcpdumpV: 'IP5 (invalid)',
    tcpdumpVV: 'IP5 (invalid)',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 55 00
      00 20 12 34 40 00 40 11 3c 5d c0 00 02 01 c6 33
      64 07 00 01 00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'ip with options',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (RA))\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (RA))\n    192.0.2.1.1 > 198.51.100.7.2: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 46 00
      00 24 12 34 40 00 40 11 a7 54 c0 00 02 01 c6 33
      64 07 94 04 00 00 00 01 00 02 00 0c 11 93 00 01
      02 03
    `,
  },
  {
    name: 'icmp echo reply',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP echo reply, id 65535, seq 65535, length 11',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 31)\n    192.0.2.1 > 198.51.100.7: ICMP echo reply, id 65535, seq 65535, length 11',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 31)\n    192.0.2.1 > 198.51.100.7: ICMP echo reply, id 65535, seq 65535, length 11',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1f 12 34 40 00 40 01 3c 6e c0 00 02 01 c6 33
      64 07 00 00 fd fe ff ff ff ff 00 01 02
    `,
  },
  {
    name: 'icmp unreach code 0',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 00 de 24 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 1',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 01 de 23 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 5',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - source route failed, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - source route failed, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - source route failed, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 05 de 1f 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 6',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - unknown, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - unknown, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - unknown, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 06 de 1e 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 7',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - unknown, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - unknown, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - unknown, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 07 de 1d 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 8',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - source host isolated, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - source host isolated, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - source host isolated, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 08 de 1c 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 9',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - admin prohibited, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - admin prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - admin prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 09 de 1b 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 10',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - admin prohibited, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - admin prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - admin prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 0a de 1a 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 11',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - tos prohibited, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - tos prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP net 203.0.113.9 unreachable - tos prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 0b de 19 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 12',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - tos prohibited, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - tos prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - tos prohibited, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 0c de 18 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 13',
    tcpdump:
      'IP 192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - admin prohibited filter, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - admin prohibited filter, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - admin prohibited filter, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 0d de 17 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 14',
    tcpdump:
      'IP 192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - host precedence violation, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - host precedence violation, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - host precedence violation, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 0e de 16 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 15',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - precedence cutoff, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - precedence cutoff, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP host 203.0.113.9 unreachable - precedence cutoff, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 0f de 15 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach code 16',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - #16, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - #16, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - #16, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 10 de 14 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp protocol unreach',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 protocol 132 unreachable, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 protocol 132 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto SCTP (132), length 60)\n     [|sctp]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 protocol 132 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto SCTP (132), length 60)\n     [|sctp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 02 de 22 00 00 00 00 45 00 00 3c 12 34
      40 00 40 84 c1 c5 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp tcp port unreach',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 tcp port 22 unreachable, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 tcp port 22 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    198.51.100.7.40000 > 203.0.113.9.22:  [|tcp]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 tcp port 22 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    198.51.100.7.40000 > 203.0.113.9.22:  [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 03 60 a6 00 00 00 00 45 00 00 3c 12 34
      40 00 40 06 c2 43 c6 33 64 07 cb 00 71 09 9c 40
      00 16 00 00 00 00
    `,
  },
  {
    name: 'icmp sctp port unreach',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 protocol 132 port 9 unreachable, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 protocol 132 port 9 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto SCTP (132), length 60)\n     [|sctp]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 protocol 132 port 9 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto SCTP (132), length 60)\n     [|sctp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 03 60 b3 00 00 00 00 45 00 00 3c 12 34
      40 00 40 84 c1 c5 c6 33 64 07 cb 00 71 09 9c 40
      00 09 00 00 00 00
    `,
  },
  {
    name: 'icmp frag needed no mtu',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - need to frag, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - need to frag, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP 203.0.113.9 unreachable - need to frag, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 04 de 20 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp unreach truncated quote',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 01 3c 65 c0 00 02 01 c6 33
      64 07 03 01 de da 00 00 00 00 00 01 02 03 04 05
      06 07 08 09 0a 0b
    `,
  },
  {
    name: 'icmp reassembly time exceeded',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP ip reassembly time exceeded, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP ip reassembly time exceeded, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP ip reassembly time exceeded, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 0b 01 d6 23 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp time exceeded code 7',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP time exceeded-#7, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP time exceeded-#7, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP time exceeded-#7, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 0b 07 d6 1d 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp redirect host',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP redirect 203.0.113.9 to host 192.0.2.254, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP redirect 203.0.113.9 to host 192.0.2.254, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP redirect 203.0.113.9 to host 192.0.2.254, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 05 01 19 25 c0 00 02 fe 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp redirect tos net',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP redirect-tos 203.0.113.9 to net 192.0.2.254, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP redirect-tos 203.0.113.9 to net 192.0.2.254, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP redirect-tos 203.0.113.9 to net 192.0.2.254, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 05 02 19 24 c0 00 02 fe 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp redirect code 9',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP redirect-#9 203.0.113.9 to 192.0.2.254, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP redirect-#9 203.0.113.9 to 192.0.2.254, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP redirect-#9 203.0.113.9 to 192.0.2.254, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 05 09 19 1d c0 00 02 fe 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp parameter problem octet',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP parameter problem - octet 20, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP parameter problem - octet 20, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP parameter problem - octet 20, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 0c 00 c1 24 14 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp parameter problem code',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP parameter problem - code 1, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP parameter problem - code 1, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP parameter problem - code 1, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 0c 01 d5 23 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp source quench',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP source quench, length 36',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP source quench, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7: ICMP source quench, length 36\n\tIP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 60)\n    198.51.100.7.40000 > 203.0.113.9.33434: truncated-udplength 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 04 00 dd 24 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71 09 9c 40
      82 9a 00 00 00 00
    `,
  },
  {
    name: 'icmp timestamp request',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP time stamp query id 7 seq 3, length 20',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7: ICMP time stamp query id 7 seq 3, length 20',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7: ICMP time stamp query id 7 seq 3, length 20',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 01 3c 65 c0 00 02 01 c6 33
      64 07 0d 00 f2 f5 00 07 00 03 00 00 00 00 00 00
      00 00 00 00 00 00
    `,
  },
  {
    name: 'icmp timestamp reply',
    tcpdump:
      'IP 192.0.2.1 > 198.51.100.7: ICMP time stamp reply id 7 seq 3: org 02:48:45.000, recv 00:00:00.005, xmit 24:00:00.000, length 20',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7: ICMP time stamp reply id 7 seq 3: org 02:48:45.000, recv 00:00:00.005, xmit 24:00:00.000, length 20',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7: ICMP time stamp reply id 7 seq 3: org 02:48:45.000, recv 00:00:00.005, xmit 24:00:00.000, length 20',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 01 3c 65 c0 00 02 01 c6 33
      64 07 0e 00 11 68 00 07 00 03 00 9a 7e c8 00 00
      00 05 05 26 5c 00
    `,
  },
  {
    name: 'icmp mask request',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP address mask request, length 12',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 32)\n    192.0.2.1 > 198.51.100.7: ICMP address mask request, length 12',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 32)\n    192.0.2.1 > 198.51.100.7: ICMP address mask request, length 12',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 20 12 34 40 00 40 01 3c 6d c0 00 02 01 c6 33
      64 07 11 00 ee fd 00 01 00 01 00 00 00 00
    `,
  },
  {
    name: 'icmp mask reply',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP address mask is 0xfffff000, length 12',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 32)\n    192.0.2.1 > 198.51.100.7: ICMP address mask is 0xfffff000, length 12',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 32)\n    192.0.2.1 > 198.51.100.7: ICMP address mask is 0xfffff000, length 12',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 20 12 34 40 00 40 01 3c 6d c0 00 02 01 c6 33
      64 07 12 00 fd fc 00 01 00 01 ff ff f0 00
    `,
  },
  {
    name: 'icmp router solicitation',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP router solicitation, length 8',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 28)\n    192.0.2.1 > 198.51.100.7: ICMP router solicitation, length 8',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 28)\n    192.0.2.1 > 198.51.100.7: ICMP router solicitation, length 8',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1c 12 34 40 00 40 01 3c 71 c0 00 02 01 c6 33
      64 07 0a 00 f5 ff 00 00 00 00
    `,
  },
  {
    name: 'icmp router advert',
    tcpdump:
      'IP 192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 30:00 2: {192.0.2.1 1} {192.0.2.2 2}, length 24',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 44)\n    192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 30:00 2: {192.0.2.1 1} {192.0.2.2 2}, length 24',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 44)\n    192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 30:00 2: {192.0.2.1 1} {192.0.2.2 2}, length 24',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2c 12 34 40 00 40 01 3c 61 c0 00 02 01 c6 33
      64 07 09 00 69 ee 02 02 07 08 c0 00 02 01 00 00
      00 01 c0 00 02 02 00 00 00 02
    `,
  },
  {
    name: 'icmp router advert hours',
    tcpdump:
      'IP 192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 2:00:01 1: {192.0.2.1 1}, length 16',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 36)\n    192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 2:00:01 1: {192.0.2.1 1}, length 16',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 36)\n    192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 2:00:01 1: {192.0.2.1 1}, length 16',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 24 12 34 40 00 40 01 3c 69 c0 00 02 01 c6 33
      64 07 09 00 17 da 01 02 1c 21 c0 00 02 01 00 00
      00 01
    `,
  },
  {
    name: 'icmp router advert bad size',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 48 1: [size 3], length 20',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 48 1: [size 3], length 20',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 40)\n    192.0.2.1 > 198.51.100.7: ICMP router advertisement lifetime 48 1: [size 3], length 20',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 01 3c 65 c0 00 02 01 c6 33
      64 07 09 00 f5 cc 01 03 00 30 00 00 00 00 00 00
      00 00 00 00 00 00
    `,
  },
  {
    name: 'icmp information request',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP information request, length 8',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 28)\n    192.0.2.1 > 198.51.100.7: ICMP information request, length 8',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 28)\n    192.0.2.1 > 198.51.100.7: ICMP information request, length 8',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1c 12 34 40 00 40 01 3c 71 c0 00 02 01 c6 33
      64 07 0f 00 f0 ff 00 00 00 00
    `,
  },
  {
    name: 'icmp unknown type',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP type-#42, length 8',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 28)\n    192.0.2.1 > 198.51.100.7: ICMP type-#42, length 8',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 28)\n    192.0.2.1 > 198.51.100.7: ICMP type-#42, length 8',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1c 12 34 40 00 40 01 3c 71 c0 00 02 01 c6 33
      64 07 2a 03 d5 fc 00 00 00 00
    `,
  },
  {
    name: 'icmp truncated echo',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 24)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 24)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 18 12 34 40 00 40 01 3c 75 c0 00 02 01 c6 33
      64 07 08 00 f7 ff
    `,
  },
  {
    name: 'arp request with target mac',
    tcpdump: 'ARP, Request who-has 198.51.100.7 (02:00:00:00:00:02) tell 192.0.2.1, length 28',
    tcpdumpV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 198.51.100.7 (02:00:00:00:00:02) tell 192.0.2.1, length 28',
    tcpdumpVV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 198.51.100.7 (02:00:00:00:00:02) tell 192.0.2.1, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01
      02 00 00 00 00 02 c6 33 64 07
    `,
  },
  {
    name: 'arp gratuitous',
    tcpdump: 'ARP, Request who-has 192.0.2.1 tell 192.0.2.1, length 28',
    tcpdumpV: 'ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.1 tell 192.0.2.1, length 28',
    tcpdumpVV: 'ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 192.0.2.1 tell 192.0.2.1, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01
      00 00 00 00 00 00 c0 00 02 01
    `,
  },
  {
    name: 'arp reply padded',
    tcpdump: 'ARP, Reply 192.0.2.1 is-at 02:00:00:00:00:01, length 46',
    tcpdumpV: 'ARP, Ethernet (len 6), IPv4 (len 4), Reply 192.0.2.1 is-at 02:00:00:00:00:01, length 46',
    tcpdumpVV: 'ARP, Ethernet (len 6), IPv4 (len 4), Reply 192.0.2.1 is-at 02:00:00:00:00:01, length 46',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 02 02 00 00 00 00 01 c0 00 02 01
      02 00 00 00 00 02 c6 33 64 07 00 00 00 00 00 00
      00 00 00 00 00 00 00 00 00 00 00 00
    `,
  },
  {
    name: 'arp reverse request',
    tcpdump: 'ARP, Reverse Request who-is 02:00:00:00:00:02 tell 02:00:00:00:00:01, length 28',
    tcpdumpV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Reverse Request who-is 02:00:00:00:00:02 tell 02:00:00:00:00:01, length 28',
    tcpdumpVV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Reverse Request who-is 02:00:00:00:00:02 tell 02:00:00:00:00:01, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 03 02 00 00 00 00 01 c0 00 02 01
      02 00 00 00 00 02 c6 33 64 07
    `,
  },
  {
    name: 'arp reverse reply',
    tcpdump: 'ARP, Reverse Reply 02:00:00:00:00:02 at 198.51.100.7, length 28',
    tcpdumpV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Reverse Reply 02:00:00:00:00:02 at 198.51.100.7, length 28',
    tcpdumpVV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Reverse Reply 02:00:00:00:00:02 at 198.51.100.7, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 04 02 00 00 00 00 01 c0 00 02 01
      02 00 00 00 00 02 c6 33 64 07
    `,
  },
  {
    name: 'arp inverse request',
    tcpdump: 'ARP, Inverse Request who-is 02:00:00:00:00:02 tell 02:00:00:00:00:01, length 28',
    tcpdumpV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Inverse Request who-is 02:00:00:00:00:02 tell 02:00:00:00:00:01, length 28',
    tcpdumpVV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Inverse Request who-is 02:00:00:00:00:02 tell 02:00:00:00:00:01, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 08 02 00 00 00 00 01 c0 00 02 01
      02 00 00 00 00 02 c6 33 64 07
    `,
  },
  {
    name: 'arp inverse reply',
    tcpdump: 'ARP, Inverse Reply 02:00:00:00:00:01 at 192.0.2.1, length 28',
    tcpdumpV: 'ARP, Ethernet (len 6), IPv4 (len 4), Inverse Reply 02:00:00:00:00:01 at 192.0.2.1, length 28',
    tcpdumpVV: 'ARP, Ethernet (len 6), IPv4 (len 4), Inverse Reply 02:00:00:00:00:01 at 192.0.2.1, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 09 02 00 00 00 00 01 c0 00 02 01
      02 00 00 00 00 02 c6 33 64 07
    `,
  },
  {
    name: 'arp non-ipv4 protocol',
    tcpdump: 'ARP, Ethernet (len 6), IPv6 (len 4), length 28',
    tcpdumpV:
      'ARP, Ethernet (len 6), IPv6 (len 4), Request who-has <wrong proto type> tell <wrong proto type>, length 28',
    tcpdumpVV:
      'ARP, Ethernet (len 6), IPv6 (len 4), Request who-has <wrong proto type> tell <wrong proto type>, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      86 dd 06 04 00 01 02 00 00 00 00 01 c0 00 02 01
      00 00 00 00 00 00 c6 33 64 07
    `,
  },
  {
    name: 'arp ieee802 hardware',
    tcpdump: 'ARP, Request who-has 198.51.100.7 tell 192.0.2.1, length 28',
    tcpdumpV: 'ARP, TokenRing (len 6), IPv4 (len 4), Request who-has 198.51.100.7 tell 192.0.2.1, length 28',
    tcpdumpVV: 'ARP, TokenRing (len 6), IPv4 (len 4), Request who-has 198.51.100.7 tell 192.0.2.1, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 06
      08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01
      00 00 00 00 00 00 c6 33 64 07
    `,
  },
  {
    name: 'arp unknown hardware and protocol',
    tcpdump: 'ARP, Unknown Hardware (99) (len 6), Unknown Protocol (0x1234) (len 4), length 28',
    tcpdumpV:
      'ARP, Unknown Hardware (99) (len 6), Unknown Protocol (0x1234) (len 4), Request who-has <wrong proto type> tell <wrong proto type>, length 28',
    tcpdumpVV:
      'ARP, Unknown Hardware (99) (len 6), Unknown Protocol (0x1234) (len 4), Request who-has <wrong proto type> tell <wrong proto type>, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 63
      12 34 06 04 00 01 02 00 00 00 00 01 c0 00 02 01
      00 00 00 00 00 00 c6 33 64 07
    `,
  },
  {
    name: 'arp unknown op',
    tcpdump: 'ARP, Unknown (99) ',
    tcpdumpV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Unknown (99) \n\t0x0000:  0001 0800 0604 0063 0200 0000 0001 c000  .......c........\n\t0x0010:  0201 0000 0000 0000 c633 6407            .........3d.',
    tcpdumpVV:
      'ARP, Ethernet (len 6), IPv4 (len 4), Unknown (99) \n\t0x0000:  0001 0800 0604 0063 0200 0000 0001 c000  .......c........\n\t0x0010:  0201 0000 0000 0000 c633 6407            .........3d.',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 63 02 00 00 00 00 01 c0 00 02 01
      00 00 00 00 00 00 c6 33 64 07
    `,
  },
  {
    name: 'arp truncated',
    tcpdump: ' [|arp]',
    tcpdumpV: ' [|arp]',
    tcpdumpVV: ' [|arp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01
      00 00
    `,
  },
  {
    name: 'arp truncated in fixed part',
    tcpdump: ' [|arp]',
    tcpdumpV: ' [|arp]',
    tcpdumpVV: ' [|arp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06
    `,
  },
  {
    name: 'tcp cut after 10 bytes',
    tcpdump: 'IP truncated-ip - 30 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001:  [|tcp]',
    tcpdumpV:
      'IP truncated-ip - 30 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001:  [|tcp]',
    tcpdumpVV:
      'IP truncated-ip - 30 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001:  [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00
    `,
  },
  {
    name: 'tcp cut after 20 bytes',
    tcpdump:
      'IP truncated-ip - 20 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [ [|tcp]',
    tcpdumpV:
      'IP truncated-ip - 20 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [ [|tcp]',
    tcpdumpVV:
      'IP truncated-ip - 20 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [ [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00
    `,
  },
  {
    name: 'tcp cut after 21 bytes',
    tcpdump:
      'IP truncated-ip - 19 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [ [|tcp]',
    tcpdumpV:
      'IP truncated-ip - 19 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [ [|tcp]',
    tcpdumpVV:
      'IP truncated-ip - 19 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [ [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00 02
    `,
  },
  {
    name: 'tcp cut after 22 bytes',
    tcpdump:
      'IP truncated-ip - 18 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss [|tcp]',
    tcpdumpV:
      'IP truncated-ip - 18 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss [|tcp]',
    tcpdumpVV:
      'IP truncated-ip - 18 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00 02 04
    `,
  },
  {
    name: 'tcp cut after 24 bytes',
    tcpdump:
      'IP truncated-ip - 16 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460, [|tcp]',
    tcpdumpV:
      'IP truncated-ip - 16 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460, [|tcp]',
    tcpdumpVV:
      'IP truncated-ip - 16 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460, [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00 02 04 05 b4
    `,
  },
  {
    name: 'tcp cut after 28 bytes',
    tcpdump:
      'IP truncated-ip - 12 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS [|tcp]>',
    tcpdumpV:
      'IP truncated-ip - 12 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS [|tcp]>',
    tcpdumpVV:
      'IP truncated-ip - 12 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS [|tcp]>',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00 02 04 05 b4 04 02 08 0a
    `,
  },
  {
    name: 'tcp cut after 36 bytes',
    tcpdump:
      'IP truncated-ip - 4 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9, [|tcp]',
    tcpdumpV:
      'IP truncated-ip - 4 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9, [|tcp]',
    tcpdumpVV:
      'IP truncated-ip - 4 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9, [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00 02 04 05 b4 04 02 08 0a 00 00
      00 07 00 00 00 09
    `,
  },
  {
    name: 'tcp cut after 39 bytes',
    tcpdump:
      'IP truncated-ip - 1 bytes missing! 192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9,nop,wscale [|tcp]>',
    tcpdumpV:
      'IP truncated-ip - 1 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9,nop,wscale [|tcp]>',
    tcpdumpVV:
      'IP truncated-ip - 1 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.80 > 198.51.100.7.40001: Flags [S.], seq 1000, ack 2000, win 502, options [mss 1460,sackOK,TS val 7 ecr 9,nop,wscale [|tcp]>',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 00 50 9c 41 00 00 03 e8 00 00 07 d0 a0 12
      01 f6 b1 64 00 00 02 04 05 b4 04 02 08 0a 00 00
      00 07 00 00 00 09 01 03 03
    `,
  },
  {
    name: 'tcp cut inside sack',
    tcpdump:
      'IP truncated-ip - 8 bytes missing! 192.0.2.1.40108 > 198.51.100.7.9105: Flags [.], ack 5000, win 502, options [nop,nop,sack 2 {101:201} [|tcp]>',
    tcpdumpV:
      'IP truncated-ip - 8 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.40108 > 198.51.100.7.9105: Flags [.], ack 5000, win 502, options [nop,nop,sack 2 {101:201} [|tcp]>',
    tcpdumpVV:
      'IP truncated-ip - 8 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 60)\n    192.0.2.1.40108 > 198.51.100.7.9105: Flags [.], seq 100, ack 5000, win 502, options [nop,nop,sack 2 {101:201} [|tcp]>',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 3c 12 34 40 00 40 06 3c 4c c0 00 02 01 c6 33
      64 07 9c ac 23 91 00 00 00 64 00 00 13 88 a0 10
      01 f6 45 49 00 00 01 01 05 12 00 00 13 ec 00 00
      14 50
    `,
  },
  {
    name: 'tcp cut inside unknown option',
    tcpdump:
      'IP truncated-ip - 1 bytes missing! 192.0.2.1.40011 > 198.51.100.7.9009: Flags [S], seq 1, win 502, options [unknown-99 0xab [|tcp]',
    tcpdumpV:
      'IP truncated-ip - 1 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40011 > 198.51.100.7.9009: Flags [S], seq 1, win 502, options [unknown-99 0xab [|tcp]',
    tcpdumpVV:
      'IP truncated-ip - 1 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 44)\n    192.0.2.1.40011 > 198.51.100.7.9009: Flags [S], seq 1, win 502, options [unknown-99 0xab [|tcp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 2c 12 34 40 00 40 06 3c 5c c0 00 02 01 c6 33
      64 07 9c 4b 23 31 00 00 00 01 00 00 00 00 60 02
      01 f6 e3 5c 00 00 63 04 ab
    `,
  },
  {
    name: 'udp cut after 3 bytes',
    tcpdump: 'IP truncated-ip - 17 bytes missing! 192.0.2.1 > 198.51.100.7:  [|udp]',
    tcpdumpV:
      'IP truncated-ip - 17 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40)\n    192.0.2.1 > 198.51.100.7:  [|udp]',
    tcpdumpVV:
      'IP truncated-ip - 17 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40)\n    192.0.2.1 > 198.51.100.7:  [|udp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 11 3c 55 c0 00 02 01 c6 33
      64 07 9c a4 27
    `,
  },
  {
    name: 'udp cut after 5 bytes',
    tcpdump: 'IP truncated-ip - 15 bytes missing! 192.0.2.1.40100 > 198.51.100.7.9999:  [|udp]',
    tcpdumpV:
      'IP truncated-ip - 15 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40)\n    192.0.2.1.40100 > 198.51.100.7.9999:  [|udp]',
    tcpdumpVV:
      'IP truncated-ip - 15 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40)\n    192.0.2.1.40100 > 198.51.100.7.9999:  [|udp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 11 3c 55 c0 00 02 01 c6 33
      64 07 9c a4 27 0f 00
    `,
  },
  {
    name: 'udp cut after 7 bytes',
    tcpdump: 'IP truncated-ip - 13 bytes missing! 192.0.2.1.40100 > 198.51.100.7.9999:  [|udp]',
    tcpdumpV:
      'IP truncated-ip - 13 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40)\n    192.0.2.1.40100 > 198.51.100.7.9999:  [|udp]',
    tcpdumpVV:
      'IP truncated-ip - 13 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40)\n    192.0.2.1.40100 > 198.51.100.7.9999:  [|udp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 11 3c 55 c0 00 02 01 c6 33
      64 07 9c a4 27 0f 00 14 31
    `,
  },
  {
    name: 'udp shorter than its header',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.515: truncated-udp 6',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 26)\n    192.0.2.1.1 > 198.51.100.7.515: truncated-udp 6',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 26)\n    192.0.2.1.1 > 198.51.100.7.515: truncated-udp 6',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1a 12 34 40 00 40 11 3c 63 c0 00 02 01 c6 33
      64 07 00 01 02 03 04 05
    `,
  },
  {
    name: 'ip ecn ce ttl 0',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0xb7,CE, id 4660, offset 0, flags [DF], proto UDP (17), length 32)\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0xb7,CE, id 4660, offset 0, flags [DF], proto UDP (17), length 32)\n    192.0.2.1.1 > 198.51.100.7.2: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 b7
      00 20 12 34 40 00 00 11 7b a6 c0 00 02 01 c6 33
      64 07 00 01 00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'ip options nop eol',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (NOP,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (NOP,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 46 00
      00 24 12 34 40 00 40 11 3a 59 c0 00 02 01 c6 33
      64 07 01 00 00 00 00 01 00 02 00 0c 11 93 00 01
      02 03
    `,
  },
  {
    name: 'ip option record route',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 44, options (RR 10.0.0.9, 0.0.0.0,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 44, options (RR 10.0.0.9, 0.0.0.0,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 48 00
      00 2c 12 34 40 00 40 11 21 3c c0 00 02 01 c6 33
      64 07 07 0b 08 0a 00 00 09 00 00 00 00 00 00 01
      00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'ip option loose source route',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40, options (LSRR 10.0.0.2,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 40, options (LSRR 10.0.0.2,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: [bad udp cksum 0x1193 -> 0x31cc!] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 47 00
      00 28 12 34 40 00 40 11 b1 43 c0 00 02 01 c6 33
      64 07 83 07 04 0a 00 00 02 00 00 01 00 02 00 0c
      11 93 00 01 02 03
    `,
  },
  {
    name: 'ip option ra too long',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (RA [bad length 8]))\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (RA [bad length 8]))\n    192.0.2.1.1 > 198.51.100.7.2: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 46 00
      00 24 12 34 40 00 40 11 a7 50 c0 00 02 01 c6 33
      64 07 94 08 00 00 00 01 00 02 00 0c 11 93 00 01
      02 03
    `,
  },
  {
    name: 'ip option ra with value',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (RA value 5))\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 36, options (RA value 5))\n    192.0.2.1.1 > 198.51.100.7.2: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 46 00
      00 24 12 34 40 00 40 11 a7 4f c0 00 02 01 c6 33
      64 07 94 04 00 05 00 01 00 02 00 0c 11 93 00 01
      02 03
    `,
  },
  {
    name: 'ip bad header checksum',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 32, bad cksum c35d (->3c5d)!)\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 32, bad cksum c35d (->3c5d)!)\n    192.0.2.1.1 > 198.51.100.7.2: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 20 12 34 40 00 40 11 c3 5d c0 00 02 01 c6 33
      64 07 00 01 00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'icmp bad checksum',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7: ICMP echo reply, id 1, seq 1, length 11',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 31)\n    192.0.2.1 > 198.51.100.7: ICMP echo reply, id 1, seq 1, length 11 (wrong icmp cksum 2fc (->fdfc)!)',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 31)\n    192.0.2.1 > 198.51.100.7: ICMP echo reply, id 1, seq 1, length 11 (wrong icmp cksum 2fc (->fdfc)!)',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1f 12 34 40 00 40 01 3c 6e c0 00 02 01 c6 33
      64 07 00 00 02 fc 00 01 00 01 00 01 02
    `,
  },
  {
    name: 'tcp bad checksum',
    tcpdump: 'IP 192.0.2.1.40016 > 198.51.100.7.9014: Flags [.], ack 2, win 502, length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40016 > 198.51.100.7.9014: Flags [.], cksum 0xfd19 (incorrect -> 0x0219), ack 2, win 502, length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40016 > 198.51.100.7.9014: Flags [.], cksum 0xfd19 (incorrect -> 0x0219), seq 1, ack 2, win 502, length 0',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 06 3c 60 c0 00 02 01 c6 33
      64 07 9c 50 23 36 00 00 00 01 00 00 00 02 50 10
      01 f6 fd 19 00 00
    `,
  },
  {
    name: 'tcp header longer than segment',
    tcpdump: 'IP 192.0.2.1.40017 > 198.51.100.7.9015: Flags [P.] [bad hdr length 60 - too long, > 20]',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40017 > 198.51.100.7.9015: Flags [P.] [bad hdr length 60 - too long, > 20]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto TCP (6), length 40)\n    192.0.2.1.40017 > 198.51.100.7.9015: Flags [P.] [bad hdr length 60 - too long, > 20]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 06 3c 60 c0 00 02 01 c6 33
      64 07 9c 51 23 37 00 00 00 01 00 00 00 02 f0 18
      01 f6 02 0f 00 00
    `,
  },
  {
    name: 'ip protocol 0',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7:  ip-proto-0 8',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto Options (0), length 28)\n    192.0.2.1 > 198.51.100.7:  ip-proto-0 8',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto Options (0), length 28)\n    192.0.2.1 > 198.51.100.7:  ip-proto-0 8',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 1c 12 34 40 00 40 00 3c 72 c0 00 02 01 c6 33
      64 07 00 01 02 03 04 05 06 07
    `,
  },
  {
    name: 'arp ipv4 with address length 5',
    tcpdump: ' [|arp]',
    tcpdumpV: ' [|arp]',
    tcpdumpVV: ' [|arp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      08 00 06 05 00 01 02 00 00 00 00 01 c0 00 02 01
      00 00 00 00 00 00 c6 33 64 07
    `,
  },
  {
    name: 'arp trailer protocol',
    tcpdump: 'ARP, Request who-has 198.51.100.7 tell 192.0.2.1, length 28',
    tcpdumpV: 'ARP, Ethernet (len 6), Trail (len 4), Request who-has 198.51.100.7 tell 192.0.2.1, length 28',
    tcpdumpVV: 'ARP, Ethernet (len 6), Trail (len 4), Request who-has 198.51.100.7 tell 192.0.2.1, length 28',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 06 00 01
      10 00 06 04 00 01 02 00 00 00 00 01 c0 00 02 01
      00 00 00 00 00 00 c6 33 64 07
    `,
  },
  {
    name: 'ether cut short',
    tcpdump: ' [|ether]',
    tcpdumpV: ' [|ether]',
    tcpdumpVV: ' [|ether]',
    hex: `
      00 01 02 03 04 05 06 07 08 09
    `,
  },
  {
    name: 'ip two source routes',
    tcpdump: 'IP 192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 48, options (LSRR 10.1.1.1,SSRR 10.2.2.2,NOP,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 48, options (LSRR 10.1.1.1,SSRR 10.2.2.2,NOP,EOL))\n    192.0.2.1.1 > 198.51.100.7.2: [bad udp cksum 0x1193 -> 0x30cc!] UDP, length 4',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 49 00
      00 30 12 34 40 00 40 11 9a a9 c0 00 02 01 c6 33
      64 07 83 07 04 0a 01 01 01 89 07 04 0a 02 02 02
      01 00 00 01 00 02 00 0c 11 93 00 01 02 03
    `,
  },
  {
    name: 'udp of 2 bytes',
    tcpdump: 'IP 192.0.2.1 > 198.51.100.7:  [|udp]',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 22)\n    192.0.2.1 > 198.51.100.7:  [|udp]',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 22)\n    192.0.2.1 > 198.51.100.7:  [|udp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 16 12 34 40 00 40 11 3c 67 c0 00 02 01 c6 33
      64 07 00 01
    `,
  },
  {
    name: 'icmp error cut after 1 bytes',
    tcpdump: 'IP truncated-ip - 35 bytes missing! 192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpV:
      'IP truncated-ip - 35 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpVV:
      'IP truncated-ip - 35 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03
    `,
  },
  {
    name: 'icmp error cut after 8 bytes',
    tcpdump: 'IP truncated-ip - 28 bytes missing! 192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpV:
      'IP truncated-ip - 28 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpVV:
      'IP truncated-ip - 28 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 03 de 21 00 00 00 00
    `,
  },
  {
    name: 'icmp error cut after 20 bytes',
    tcpdump: 'IP truncated-ip - 16 bytes missing! 192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpV:
      'IP truncated-ip - 16 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpVV:
      'IP truncated-ip - 16 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 03 de 21 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38
    `,
  },
  {
    name: 'icmp error cut after 27 bytes',
    tcpdump: 'IP truncated-ip - 9 bytes missing! 192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpV:
      'IP truncated-ip - 9 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    tcpdumpVV:
      'IP truncated-ip - 9 bytes missing! (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 56)\n    192.0.2.1 > 198.51.100.7:  [|icmp]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 38 12 34 40 00 40 01 3c 55 c0 00 02 01 c6 33
      64 07 03 03 de 21 00 00 00 00 45 00 00 3c 12 34
      40 00 40 11 c2 38 c6 33 64 07 cb 00 71
    `,
  },
  {
    name: 'ip cut inside header',
    tcpdump: 'IP  [|ip]',
    tcpdumpV: 'IP  [|ip]',
    tcpdumpVV: 'IP  [|ip]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00
      00 28 12 34 40 00 40 11
    `,
  },
  {
    name: 'ip with nothing captured',
    tcpdump: ' [|ip]',
    tcpdumpV: ' [|ip]',
    tcpdumpVV: ' [|ip]',
    hex: `
      02 00 00 00 00 02 02 00 00 00 00 01 08 00
    `,
  },
];
