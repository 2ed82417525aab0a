import { expandDefines, parseScript } from './script';

describe('packetdrill -D definitions', () => {
  const defs = { TFO_COOKIE: '3021b9d889017eeb', CMSG_LEVEL_IP: 'SOL_IP' };

  it('replaces defined words the grammar reads, and nothing inside comments, commands or code blocks', () => {
    const text =
      '// TFO_COOKIE\n`echo TFO_COOKIE`\n+0 < S 0:0(0) <FO TFO_COOKIE>\n%{ TFO_COOKIE }%\n+0 f(CMSG_LEVEL_IP, XTFO_COOKIE)';
    expect(expandDefines(text, defs)).toBe(
      '// TFO_COOKIE\n`echo TFO_COOKIE`\n+0 < S 0:0(0) <FO 3021b9d889017eeb>\n%{ TFO_COOKIE }%\n+0 f(SOL_IP, XTFO_COOKIE)',
    );
  });

  it('parses a cookie given by name only when it is defined', () => {
    const text = '0 < S 0:10(10) win 32792 <mss 1460,FOEXP TFO_COOKIE>\n';
    expect(() => parseScript('t.pkt', text)).toThrow("undefined symbol 'TFO_COOKIE'");
    const pkt = parseScript('t.pkt', text, defs).events[0].body;
    expect(pkt.kind === 'packet' && Array.from(pkt.packet.options![1].data.slice(2))).toEqual([
      0x30, 0x21, 0xb9, 0xd8, 0x89, 0x01, 0x7e, 0xeb,
    ]);
  });
});

describe('packetdrill ICMP packets (icmp_packet_spec, icmp_packet.c)', () => {
  const icmpOf = (line: string) => {
    const ev = parseScript('t.pkt', `0 ${line}\n`).events[0].body;
    if (ev.kind !== 'packet') throw new Error('not a packet');
    return ev.packet;
  };

  it('maps type and code names to bytes; a missing code is 0', () => {
    const a = icmpOf('< icmp unreachable host_unreachable [0:10(10)]');
    expect(a.icmp).toMatchObject({ typeByte: 3, codeByte: 1, mtu: null });
    expect([a.seq, a.end, a.len]).toEqual([0, 10, 10]);
    expect(icmpOf('< icmp unreachable [5000:6000(1000)]').icmp).toMatchObject({ typeByte: 3, codeByte: 0 });
    expect(icmpOf('< icmp time_exceeded').icmp).toMatchObject({ typeByte: 11, codeByte: 0 });
    expect(icmpOf('< icmp type_42 code_7').icmp).toMatchObject({ typeByte: 42, codeByte: 7 });
  });

  it('reads `mtu` as the frag-needed MTU, never as a code', () => {
    const p = icmpOf('< icmp unreachable frag_needed mtu 840 [0:1000(1000)]');
    expect(p.icmp).toMatchObject({ typeByte: 3, codeByte: 4, mtu: 840 });
  });

  it("reports new_icmp_packet's errors as semantic errors of the line", () => {
    const semantic = (text: string, msg: string) => {
      try {
        parseScript('t.pkt', text);
      } catch (e) {
        expect(e).toMatchObject({ line: 2, semantic: true, message: msg });
        return;
      }
      throw new Error('parsed');
    };
    // IPv6's packet_too_big is not an ICMPv4 type: an IPv4 run of a -ipv6.pkt script stops here.
    semantic('0 `true`\n+0 < icmp packet_too_big mtu 1400 [0:1440(1440)]\n', 'bad ICMP type packet_too_big');
    semantic('0 `true`\n+0 < icmp unreachable CODE\n', 'bad ICMP code CODE');
    semantic(
      '0 `true`\n+0 < icmp unreachable host_unreachable mtu 1200\n',
      'ICMPv4 MTU is only valid for unreachable-frag_needed',
    );
  });
});
