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
