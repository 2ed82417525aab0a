/**
 * Golden frames captured from the real Linux kernel (6.18.44-fc-v669) in throwaway network namespaces by
 * test/golden/wire/capture.sh, and extracted by test/golden/wire/generate.ts. Do not edit by hand.
 *
 * Namespaces: skbwire1 (lo only); skbwire2 "A" 10.0.0.1 (a0, 02:00:00:00:00:01, tx checksum offload off)
 * <-> skbwire3 "R" 10.0.0.254 (r0, 02:00:00:00:00:fe; r1 10.0.1.254 mtu 1280, forwarding)
 * <-> skbwire4 "B" 10.0.1.2 (b0, mtu 1280). lo.pcap is tcpdump on skbwire1's lo, veth.pcap on R's r0,
 * fwd.pcap on B's b0. `tcpdump` is what `tcpdump -n -r <pcap>` (tcpdump version 4.99.3) printed after
 * the timestamp, `tcpdumpV` and `tcpdumpVV` what it printed with -v and -vv.
 */

export interface GoldenFrame {
  /** The command whose traffic this frame is (run on the capture machine, inside the namespaces). */
  command: string;
  pcap: 'lo.pcap' | 'veth.pcap' | 'fwd.pcap';
  /** 1-based frame number in the pcap (test/golden/wire/). */
  frame: number;
  tcpdump: string;
  /** At -v: the lines of the frame, joined with "\n". */
  tcpdumpV: string;
  tcpdumpVV: string;
  /** The whole Ethernet frame. */
  hex: string;
}

export const GOLDEN = {
  loEchoRequest: {
    command: 'ip netns exec skbwire1 ping -c1 127.0.0.1',
    pcap: 'lo.pcap',
    frame: 1,
    tcpdump: 'IP 127.0.0.1 > 127.0.0.1: ICMP echo request, id 20873, seq 1, length 64',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 11497, offset 0, flags [DF], proto ICMP (1), length 84)\n    127.0.0.1 > 127.0.0.1: ICMP echo request, id 20873, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 11497, offset 0, flags [DF], proto ICMP (1), length 84)\n    127.0.0.1 > 127.0.0.1: ICMP echo request, id 20873, seq 1, length 64',
    hex: `
      00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00
      00 54 2c e9 40 00 40 01 0f be 7f 00 00 01 7f 00
      00 01 08 00 74 ca 51 89 00 01 e4 4c 02 6b 00 00
      00 00 81 20 0b 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37
    `,
  },
  loEchoReply: {
    /** the kernel answering itself: no DF, IP ID = request ID + 1 (same ip_idents bucket) */
    command: 'ip netns exec skbwire1 ping -c1 127.0.0.1',
    pcap: 'lo.pcap',
    frame: 2,
    tcpdump: 'IP 127.0.0.1 > 127.0.0.1: ICMP echo reply, id 20873, seq 1, length 64',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 11498, offset 0, flags [none], proto ICMP (1), length 84)\n    127.0.0.1 > 127.0.0.1: ICMP echo reply, id 20873, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 11498, offset 0, flags [none], proto ICMP (1), length 84)\n    127.0.0.1 > 127.0.0.1: ICMP echo reply, id 20873, seq 1, length 64',
    hex: `
      00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00
      00 54 2c ea 00 00 40 01 4f bd 7f 00 00 01 7f 00
      00 01 00 00 7c ca 51 89 00 01 e4 4c 02 6b 00 00
      00 00 81 20 0b 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37
    `,
  },
  loUdp: {
    /** lo offloads checksums: the UDP checksum field holds the CHECKSUM_PARTIAL pseudo-header sum 0xfe1f */
    command: 'ip netns exec skbwire1 sh -c \'printf "abc\\n" | nc -u -w1 -p 5000 127.0.0.1 6000\'',
    pcap: 'lo.pcap',
    frame: 3,
    tcpdump: 'IP 127.0.0.1.5000 > 127.0.0.1.6000: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 48423, offset 0, flags [DF], proto UDP (17), length 32)\n    127.0.0.1.5000 > 127.0.0.1.6000: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 48423, offset 0, flags [DF], proto UDP (17), length 32)\n    127.0.0.1.5000 > 127.0.0.1.6000: [bad udp cksum 0xfe1f -> 0x126f!] UDP, length 4',
    hex: `
      00 00 00 00 00 00 00 00 00 00 00 00 08 00 45 00
      00 20 bd 27 40 00 40 11 7f a3 7f 00 00 01 7f 00
      00 01 13 88 17 70 00 0c fe 1f 61 62 63 0a
    `,
  },
  arpRequest: {
    command: 'ip netns exec skbwire2 ping -c1 10.0.0.254',
    pcap: 'veth.pcap',
    frame: 1,
    tcpdump: 'ARP, Request who-has 10.0.0.254 tell 10.0.0.1, length 28',
    tcpdumpV: 'ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.254 tell 10.0.0.1, length 28',
    tcpdumpVV: 'ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.254 tell 10.0.0.1, length 28',
    hex: `
      ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01
      08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01
      00 00 00 00 00 00 0a 00 00 fe
    `,
  },
  arpReply: {
    command: 'ip netns exec skbwire2 ping -c1 10.0.0.254',
    pcap: 'veth.pcap',
    frame: 2,
    tcpdump: 'ARP, Reply 10.0.0.254 is-at 02:00:00:00:00:fe, length 28',
    tcpdumpV: 'ARP, Ethernet (len 6), IPv4 (len 4), Reply 10.0.0.254 is-at 02:00:00:00:00:fe, length 28',
    tcpdumpVV: 'ARP, Ethernet (len 6), IPv4 (len 4), Reply 10.0.0.254 is-at 02:00:00:00:00:fe, length 28',
    hex: `
      02 00 00 00 00 01 02 00 00 00 00 fe 08 06 00 01
      08 00 06 04 00 02 02 00 00 00 00 fe 0a 00 00 fe
      02 00 00 00 00 01 0a 00 00 01
    `,
  },
  echoRequest: {
    command: 'ip netns exec skbwire2 ping -c1 10.0.0.254',
    pcap: 'veth.pcap',
    frame: 3,
    tcpdump: 'IP 10.0.0.1 > 10.0.0.254: ICMP echo request, id 21000, seq 1, length 64',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 18164, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.0.254: ICMP echo request, id 21000, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 18164, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.0.254: ICMP echo request, id 21000, seq 1, length 64',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      00 54 46 f4 40 00 40 01 de b6 0a 00 00 01 0a 00
      00 fe 08 00 cd a2 52 08 00 01 ea 4c 02 6b 00 00
      00 00 2c c9 00 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37
    `,
  },
  echoReply: {
    command: 'ip netns exec skbwire2 ping -c1 10.0.0.254',
    pcap: 'veth.pcap',
    frame: 4,
    tcpdump: 'IP 10.0.0.254 > 10.0.0.1: ICMP echo reply, id 21000, seq 1, length 64',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 22721, offset 0, flags [none], proto ICMP (1), length 84)\n    10.0.0.254 > 10.0.0.1: ICMP echo reply, id 21000, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 22721, offset 0, flags [none], proto ICMP (1), length 84)\n    10.0.0.254 > 10.0.0.1: ICMP echo reply, id 21000, seq 1, length 64',
    hex: `
      02 00 00 00 00 01 02 00 00 00 00 fe 08 00 45 00
      00 54 58 c1 00 00 40 01 0c ea 0a 00 00 fe 0a 00
      00 01 00 00 d5 a2 52 08 00 01 ea 4c 02 6b 00 00
      00 00 2c c9 00 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37
    `,
  },
  fragment1: {
    command: 'ip netns exec skbwire2 ping -c1 -s 3000 10.0.0.254',
    pcap: 'veth.pcap',
    frame: 5,
    tcpdump: 'IP 10.0.0.1 > 10.0.0.254: ICMP echo request, id 21001, seq 1, length 1480',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 18165, offset 0, flags [+], proto ICMP (1), length 1500)\n    10.0.0.1 > 10.0.0.254: ICMP echo request, id 21001, seq 1, length 1480',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 18165, offset 0, flags [+], proto ICMP (1), length 1500)\n    10.0.0.1 > 10.0.0.254: ICMP echo request, id 21001, seq 1, length 1480',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      05 dc 46 f5 20 00 40 01 f9 2d 0a 00 00 01 0a 00
      00 fe 08 00 07 a3 52 09 00 01 ea 4c 02 6b 00 00
      00 00 d1 ec 00 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf
    `,
  },
  fragment2: {
    command: 'ip netns exec skbwire2 ping -c1 -s 3000 10.0.0.254',
    pcap: 'veth.pcap',
    frame: 6,
    tcpdump: 'IP 10.0.0.1 > 10.0.0.254: ip-proto-1',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 18165, offset 1480, flags [+], proto ICMP (1), length 1500)\n    10.0.0.1 > 10.0.0.254: ip-proto-1',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 18165, offset 1480, flags [+], proto ICMP (1), length 1500)\n    10.0.0.1 > 10.0.0.254: ip-proto-1',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      05 dc 46 f5 20 b9 40 01 f8 74 0a 00 00 01 0a 00
      00 fe c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd
      ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd
      de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed
      ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd
      fe ff 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d
      0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
      1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
      2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d
      3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d
      4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d
      5e 5f 60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d
      6e 6f 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d
      7e 7f 80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d
      8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d
      9e 9f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad
      ae af b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd
      be bf c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd
      ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd
      de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed
      ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd
      fe ff 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d
      0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
      1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
      2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d
      3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d
      4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d
      5e 5f 60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d
      6e 6f 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d
      7e 7f 80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d
      8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d
      9e 9f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad
      ae af b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd
      be bf c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd
      ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd
      de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed
      ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd
      fe ff 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d
      0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
      1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
      2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d
      3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d
      4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d
      5e 5f 60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d
      6e 6f 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d
      7e 7f 80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d
      8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d
      9e 9f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad
      ae af b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd
      be bf c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd
      ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd
      de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed
      ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd
      fe ff 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d
      0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
      1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
      2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d
      3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d
      4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d
      5e 5f 60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d
      6e 6f 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d
      7e 7f 80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d
      8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d
      9e 9f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad
      ae af b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd
      be bf c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd
      ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd
      de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed
      ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd
      fe ff 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d
      0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
      1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
      2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d
      3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d
      4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d
      5e 5f 60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d
      6e 6f 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d
      7e 7f 80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d
      8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d
      9e 9f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad
      ae af b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 ba bb bc bd
      be bf c0 c1 c2 c3 c4 c5 c6 c7 c8 c9 ca cb cc cd
      ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9 da db dc dd
      de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed
      ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd
      fe ff 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d
      0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d
      1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d
      2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d
      3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d
      4e 4f 50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d
      5e 5f 60 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d
      6e 6f 70 71 72 73 74 75 76 77 78 79 7a 7b 7c 7d
      7e 7f 80 81 82 83 84 85 86 87
    `,
  },
  fragment3: {
    command: 'ip netns exec skbwire2 ping -c1 -s 3000 10.0.0.254',
    pcap: 'veth.pcap',
    frame: 7,
    tcpdump: 'IP 10.0.0.1 > 10.0.0.254: ip-proto-1',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 18165, offset 2960, flags [none], proto ICMP (1), length 68)\n    10.0.0.1 > 10.0.0.254: ip-proto-1',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 18165, offset 2960, flags [none], proto ICMP (1), length 68)\n    10.0.0.1 > 10.0.0.254: ip-proto-1',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      00 44 46 f5 01 72 40 01 1d 54 0a 00 00 01 0a 00
      00 fe 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7
    `,
  },
  udp: {
    /** tx checksum offload off on a0, so the kernel computed the checksum in software */
    command: 'ip netns exec skbwire2 sh -c \'printf "abcd" | nc -u -w1 -p 5000 10.0.0.254 6000\'',
    pcap: 'veth.pcap',
    frame: 11,
    tcpdump: 'IP 10.0.0.1.5000 > 10.0.0.254.6000: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 34480, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5000 > 10.0.0.254.6000: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 34480, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5000 > 10.0.0.254.6000: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      00 20 86 b0 40 00 40 11 9f 1e 0a 00 00 01 0a 00
      00 fe 13 88 17 70 00 0c fb 18 61 62 63 64
    `,
  },
  portUnreachable: {
    command: 'ip netns exec skbwire2 sh -c \'printf "abcd" | nc -u -w1 -p 5000 10.0.0.254 6000\'',
    pcap: 'veth.pcap',
    frame: 12,
    tcpdump: 'IP 10.0.0.254 > 10.0.0.1: ICMP 10.0.0.254 udp port 6000 unreachable, length 40',
    tcpdumpV:
      'IP (tos 0xc0, ttl 64, id 22727, offset 0, flags [none], proto ICMP (1), length 60)\n    10.0.0.254 > 10.0.0.1: ICMP 10.0.0.254 udp port 6000 unreachable, length 40\n\tIP (tos 0x0, ttl 64, id 34480, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5000 > 10.0.0.254.6000: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0xc0, ttl 64, id 22727, offset 0, flags [none], proto ICMP (1), length 60)\n    10.0.0.254 > 10.0.0.1: ICMP 10.0.0.254 udp port 6000 unreachable, length 40\n\tIP (tos 0x0, ttl 64, id 34480, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5000 > 10.0.0.254.6000: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 01 02 00 00 00 00 fe 08 00 45 c0
      00 3c 58 c7 00 00 40 01 0c 3c 0a 00 00 fe 0a 00
      00 01 03 03 12 19 00 00 00 00 45 00 00 20 86 b0
      40 00 40 11 9f 1e 0a 00 00 01 0a 00 00 fe 13 88
      17 70 00 0c fb 18 61 62 63 64
    `,
  },
  udpChecksumFfff: {
    /** payload chosen so the checksum computes to 0: the kernel sends 0xffff (RFC 768) */
    command: 'ip netns exec skbwire2 sh -c \'printf "ab^{" | nc -u -w1 -p 5001 10.0.0.254 6001\'',
    pcap: 'veth.pcap',
    frame: 13,
    tcpdump: 'IP 10.0.0.1.5001 > 10.0.0.254.6001: UDP, length 4',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 43049, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5001 > 10.0.0.254.6001: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 43049, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5001 > 10.0.0.254.6001: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      00 20 a8 29 40 00 40 11 7d a5 0a 00 00 01 0a 00
      00 fe 13 89 17 71 00 0c ff ff 61 62 5e 7b
    `,
  },
  portUnreachableFfff: {
    command: 'ip netns exec skbwire2 sh -c \'printf "ab^{" | nc -u -w1 -p 5001 10.0.0.254 6001\'',
    pcap: 'veth.pcap',
    frame: 14,
    tcpdump: 'IP 10.0.0.254 > 10.0.0.1: ICMP 10.0.0.254 udp port 6001 unreachable, length 40',
    tcpdumpV:
      'IP (tos 0xc0, ttl 64, id 22729, offset 0, flags [none], proto ICMP (1), length 60)\n    10.0.0.254 > 10.0.0.1: ICMP 10.0.0.254 udp port 6001 unreachable, length 40\n\tIP (tos 0x0, ttl 64, id 43049, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5001 > 10.0.0.254.6001: UDP, length 4',
    tcpdumpVV:
      'IP (tos 0xc0, ttl 64, id 22729, offset 0, flags [none], proto ICMP (1), length 60)\n    10.0.0.254 > 10.0.0.1: ICMP 10.0.0.254 udp port 6001 unreachable, length 40\n\tIP (tos 0x0, ttl 64, id 43049, offset 0, flags [DF], proto UDP (17), length 32)\n    10.0.0.1.5001 > 10.0.0.254.6001: [udp sum ok] UDP, length 4',
    hex: `
      02 00 00 00 00 01 02 00 00 00 00 fe 08 00 45 c0
      00 3c 58 c9 00 00 40 01 0c 3a 0a 00 00 fe 0a 00
      00 01 03 03 12 19 00 00 00 00 45 00 00 20 a8 29
      40 00 40 11 7d a5 0a 00 00 01 0a 00 00 fe 13 89
      17 71 00 0c ff ff 61 62 5e 7b
    `,
  },
  tcpSyn: {
    command: 'ip netns exec skbwire2 nc -w1 -p 40000 10.0.0.254 7000 </dev/null',
    pcap: 'veth.pcap',
    frame: 15,
    tcpdump:
      'IP 10.0.0.1.40000 > 10.0.0.254.7000: Flags [S], seq 2903232689, win 64240, options [mss 1460,sackOK,TS val 1973519537 ecr 0,nop,wscale 10], length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 13793, offset 0, flags [DF], proto TCP (6), length 60)\n    10.0.0.1.40000 > 10.0.0.254.7000: Flags [S], cksum 0x0865 (correct), seq 2903232689, win 64240, options [mss 1460,sackOK,TS val 1973519537 ecr 0,nop,wscale 10], length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 13793, offset 0, flags [DF], proto TCP (6), length 60)\n    10.0.0.1.40000 > 10.0.0.254.7000: Flags [S], cksum 0x0865 (correct), seq 2903232689, win 64240, options [mss 1460,sackOK,TS val 1973519537 ecr 0,nop,wscale 10], length 0',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      00 3c 35 e1 40 00 40 06 ef dc 0a 00 00 01 0a 00
      00 fe 9c 40 1b 58 ad 0b d0 b1 00 00 00 00 a0 02
      fa f0 08 65 00 00 02 04 05 b4 04 02 08 0a 75 a1
      84 b1 00 00 00 00 01 03 03 0a
    `,
  },
  tcpRst: {
    /** from the per-netns control socket: IP ID 0 with DF */
    command: 'ip netns exec skbwire2 nc -w1 -p 40000 10.0.0.254 7000 </dev/null',
    pcap: 'veth.pcap',
    frame: 16,
    tcpdump: 'IP 10.0.0.254.7000 > 10.0.0.1.40000: Flags [R.], seq 0, ack 2903232690, win 0, length 0',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)\n    10.0.0.254.7000 > 10.0.0.1.40000: Flags [R.], cksum 0x657b (correct), seq 0, ack 2903232690, win 0, length 0',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)\n    10.0.0.254.7000 > 10.0.0.1.40000: Flags [R.], cksum 0x657b (correct), seq 0, ack 2903232690, win 0, length 0',
    hex: `
      02 00 00 00 00 01 02 00 00 00 00 fe 08 00 45 00
      00 28 00 00 40 00 40 06 25 d2 0a 00 00 fe 0a 00
      00 01 1b 58 9c 40 00 00 00 00 ad 0b d0 b2 50 14
      00 00 65 7b 00 00
    `,
  },
  dfEchoRequest: {
    /** IP_PMTUDISC_DO on an unconnected socket: IP ID 0 */
    command: 'ip netns exec skbwire2 ping -c1 -M do -s 1400 10.0.1.2',
    pcap: 'veth.pcap',
    frame: 17,
    tcpdump: 'IP 10.0.0.1 > 10.0.1.2: ICMP echo request, id 21009, seq 1, length 1408',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 1428)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21009, seq 1, length 1408',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 1428)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21009, seq 1, length 1408',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      05 94 00 00 40 00 40 01 20 67 0a 00 00 01 0a 00
      01 02 08 00 a4 a3 52 11 00 01 ea 4c 02 6b 00 00
      00 00 a8 75 01 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77 78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85
      86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95
      96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5
      a6 a7 a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5
      b6 b7 b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5
      c6 c7 c8 c9 ca cb cc cd ce cf d0 d1 d2 d3 d4 d5
      d6 d7 d8 d9 da db dc dd de df e0 e1 e2 e3 e4 e5
      e6 e7 e8 e9 ea eb ec ed ee ef f0 f1 f2 f3 f4 f5
      f6 f7 f8 f9 fa fb fc fd fe ff 00 01 02 03 04 05
      06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37 38 39 3a 3b 3c 3d 3e 3f 40 41 42 43 44 45
      46 47 48 49 4a 4b 4c 4d 4e 4f 50 51 52 53 54 55
      56 57 58 59 5a 5b 5c 5d 5e 5f 60 61 62 63 64 65
      66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75
      76 77
    `,
  },
  fragNeeded: {
    /** quote cut so the error is 576 bytes; tos 0xc0 */
    command: 'ip netns exec skbwire2 ping -c1 -M do -s 1400 10.0.1.2',
    pcap: 'veth.pcap',
    frame: 18,
    tcpdump: 'IP 10.0.0.254 > 10.0.0.1: ICMP 10.0.1.2 unreachable - need to frag (mtu 1280), length 556',
    tcpdumpV:
      'IP (tos 0xc0, ttl 64, id 22730, offset 0, flags [none], proto ICMP (1), length 576)\n    10.0.0.254 > 10.0.0.1: ICMP 10.0.1.2 unreachable - need to frag (mtu 1280), length 556\n\tIP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 1428)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21009, seq 1, length 1408',
    tcpdumpVV:
      'IP (tos 0xc0, ttl 64, id 22730, offset 0, flags [none], proto ICMP (1), length 576)\n    10.0.0.254 > 10.0.0.1: ICMP 10.0.1.2 unreachable - need to frag (mtu 1280), length 556\n\tIP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto ICMP (1), length 1428)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21009, seq 1, length 1408',
    hex: `
      02 00 00 00 00 01 02 00 00 00 00 fe 08 00 45 c0
      02 40 58 ca 00 00 40 01 0a 35 0a 00 00 fe 0a 00
      00 01 03 04 0e c9 00 00 05 00 45 00 05 94 00 00
      40 00 40 01 20 67 0a 00 00 01 0a 00 01 02 08 00
      a4 a3 52 11 00 01 ea 4c 02 6b 00 00 00 00 a8 75
      01 00 00 00 00 00 10 11 12 13 14 15 16 17 18 19
      1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29
      2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39
      3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 48 49
      4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 58 59
      5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 68 69
      6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 78 79
      7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 88 89
      8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 98 99
      9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9
      aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7 b8 b9
      ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7 c8 c9
      ca cb cc cd ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9
      da db dc dd de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9
      ea eb ec ed ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9
      fa fb fc fd fe ff 00 01 02 03 04 05 06 07 08 09
      0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19
      1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29
      2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39
      3a 3b 3c 3d 3e 3f 40 41 42 43 44 45 46 47 48 49
      4a 4b 4c 4d 4e 4f 50 51 52 53 54 55 56 57 58 59
      5a 5b 5c 5d 5e 5f 60 61 62 63 64 65 66 67 68 69
      6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 78 79
      7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87 88 89
      8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 98 99
      9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7 a8 a9
      aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7 b8 b9
      ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7 c8 c9
      ca cb cc cd ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 d9
      da db dc dd de df e0 e1 e2 e3 e4 e5 e6 e7 e8 e9
      ea eb ec ed ee ef f0 f1 f2 f3 f4 f5 f6 f7 f8 f9
      fa fb fc fd fe ff 00 01 02 03 04 05 06 07
    `,
  },
  ttl1EchoRequest: {
    command: 'ip netns exec skbwire2 ping -c1 -t 1 10.0.1.2',
    pcap: 'veth.pcap',
    frame: 19,
    tcpdump: 'IP 10.0.0.1 > 10.0.1.2: ICMP echo request, id 21010, seq 1, length 64',
    tcpdumpV:
      'IP (tos 0x0, ttl 1, id 26664, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21010, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0x0, ttl 1, id 26664, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21010, seq 1, length 64',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      00 54 68 28 40 00 01 01 fc 7e 0a 00 00 01 0a 00
      01 02 08 00 92 dc 52 12 00 01 ea 4c 02 6b 00 00
      00 00 66 85 01 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37
    `,
  },
  timeExceeded: {
    command: 'ip netns exec skbwire2 ping -c1 -t 1 10.0.1.2',
    pcap: 'veth.pcap',
    frame: 20,
    tcpdump: 'IP 10.0.0.254 > 10.0.0.1: ICMP time exceeded in-transit, length 92',
    tcpdumpV:
      'IP (tos 0xc0, ttl 64, id 22731, offset 0, flags [none], proto ICMP (1), length 112)\n    10.0.0.254 > 10.0.0.1: ICMP time exceeded in-transit, length 92\n\tIP (tos 0x0, ttl 1, id 26664, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21010, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0xc0, ttl 64, id 22731, offset 0, flags [none], proto ICMP (1), length 112)\n    10.0.0.254 > 10.0.0.1: ICMP time exceeded in-transit, length 92\n\tIP (tos 0x0, ttl 1, id 26664, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21010, seq 1, length 64',
    hex: `
      02 00 00 00 00 01 02 00 00 00 00 fe 08 00 45 c0
      00 70 58 cb 00 00 40 01 0c 04 0a 00 00 fe 0a 00
      00 01 0b 00 f4 ff 00 00 00 00 45 00 00 54 68 28
      40 00 01 01 fc 7e 0a 00 00 01 0a 00 01 02 08 00
      92 dc 52 12 00 01 ea 4c 02 6b 00 00 00 00 66 85
      01 00 00 00 00 00 10 11 12 13 14 15 16 17 18 19
      1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29
      2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37
    `,
  },
  fwdEchoRequestIn: {
    /** as R receives it on r0 (TTL 64) */
    command: 'ip netns exec skbwire2 ping -c1 10.0.1.2',
    pcap: 'veth.pcap',
    frame: 21,
    tcpdump: 'IP 10.0.0.1 > 10.0.1.2: ICMP echo request, id 21011, seq 1, length 64',
    tcpdumpV:
      'IP (tos 0x0, ttl 64, id 26666, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21011, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0x0, ttl 64, id 26666, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21011, seq 1, length 64',
    hex: `
      02 00 00 00 00 fe 02 00 00 00 00 01 08 00 45 00
      00 54 68 2a 40 00 40 01 bd 7c 0a 00 00 01 0a 00
      01 02 08 00 5d bb 52 13 00 01 ea 4c 02 6b 00 00
      00 00 9b a5 01 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37
    `,
  },
  fwdEchoRequestOut: {
    /** the same datagram as R forwarded it on r1 (TTL 63, checksum patched by ip_decrease_ttl) */
    command: 'ip netns exec skbwire2 ping -c1 10.0.1.2',
    pcap: 'fwd.pcap',
    frame: 3,
    tcpdump: 'IP 10.0.0.1 > 10.0.1.2: ICMP echo request, id 21011, seq 1, length 64',
    tcpdumpV:
      'IP (tos 0x0, ttl 63, id 26666, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21011, seq 1, length 64',
    tcpdumpVV:
      'IP (tos 0x0, ttl 63, id 26666, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.0.0.1 > 10.0.1.2: ICMP echo request, id 21011, seq 1, length 64',
    hex: `
      02 00 00 00 01 02 02 00 00 00 01 fe 08 00 45 00
      00 54 68 2a 40 00 3f 01 be 7c 0a 00 00 01 0a 00
      01 02 08 00 5d bb 52 13 00 01 ea 4c 02 6b 00 00
      00 00 9b a5 01 00 00 00 00 00 10 11 12 13 14 15
      16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
      26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35
      36 37
    `,
  },
} satisfies Record<string, GoldenFrame>;
