import { SKB_ID_RANGE } from '@skblab/distributed/keys';
import { skbAddr } from './skbtrace';

describe("an skb's address in the trace", () => {
  it('is 16 hex digits, like a kernel pointer, for the embedded lab and for every process of a distributed one', () => {
    expect(skbAddr(1)).toBe('0xffff888000000001');
    expect(skbAddr(0xffffffff)).toBe('0xffff8880ffffffff');
    // Distributed mode: process n draws ids from n * 2^32 on.
    expect(skbAddr(1 * SKB_ID_RANGE + 5)).toBe('0xffff888100000005');
    expect(skbAddr(300 * SKB_ID_RANGE + 0xabc)).toBe('0xffff89ac00000abc');
    for (const id of [1, SKB_ID_RANGE + 1, 7 * SKB_ID_RANGE + 0xfffffff0, 20_000 * SKB_ID_RANGE])
      expect(skbAddr(id)).toMatch(/^0x[0-9a-f]{16}$/);
  });
});
