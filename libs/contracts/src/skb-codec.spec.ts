import { Rng } from '@skblab/runtime';
import {
  decodeEnvelope,
  encodeEnvelope,
  envelopeOf,
  SkbCodecError,
  SKB_CODEC_MAX,
  type SkbEnvelope,
} from './skb-codec';
import { vethLab, ip4 } from '@skblab/runtime/testing/lab-fixtures';
import { Task } from '@skblab/runtime';
import { AF_INET, SOCK_DGRAM } from '@skblab/kernel';

function sample(): SkbEnvelope {
  return {
    hop: 'ip_rcv',
    id: 123456789,
    clock: 16_250.5,
    task: 'ping',
    execCpu: 1,
    host: 'host1',
    netns: 'ns1',
    ifindex: 3,
    cpu: 1,
    protocol: 0x0800,
    pktType: 0,
    ipSummed: 3,
    macHeader: -14,
    networkHeader: 0,
    transportHeader: 20,
    mark: 7,
    fragMaxSize: 0,
    ignoreDf: false,
    queueMapping: 0,
    priority: 6,
    gsoSize: 1448,
    gsoSegs: 3,
    comm: 'ping',
    dropReason: '',
    dst: {
      type: 2,
      flags: 0x80000000,
      ifindex: 1,
      origIfindex: 3,
      gw: 0,
      dst: ip4('10.0.0.1'),
      src: ip4('10.0.0.1'),
      input: 'ip_local_deliver',
      pmtu: 0,
      error: 0,
    },
    sk: { protocol: 17, num: 5000 },
    txAccount: { netns: '', ifindex: 3, len: 98, kind: 'veth' },
    data: Uint8Array.from({ length: 84 }, (_, i) => i),
  };
}

describe('the skb codec', () => {
  it('round-trips every field and keeps the packet bytes exactly', () => {
    const e = sample();
    const b = encodeEnvelope(e);
    expect(decodeEnvelope(b)).toEqual(e);
    const bare: SkbEnvelope = { ...e, dst: null, sk: null, txAccount: null };
    expect(decodeEnvelope(encodeEnvelope(bare))).toEqual(bare);
  });

  it('carries a real skb from the lab: its wire bytes and header offsets', () => {
    const { lab, host } = vethLab();
    const t = new Task(lab, host, host.initNet, 'nc', 0);
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    t.sendto(fd, new Uint8Array([1, 2, 3]), ip4('10.0.0.2'), 5000);
    const skb = lab.journeys.find((s) => s.protocol === 0x0800)!;
    const e = decodeEnvelope(encodeEnvelope(envelopeOf('ip_rcv', skb)));
    expect(e.data).toEqual(skb.buf.slice(skb.data, skb.data + skb.len));
    expect(e.networkHeader).toBe(skb.networkHeader - skb.data);
    expect(e.host).toBe('host1');
  });

  it("carries the sender's moment and context (version 2)", () => {
    const e = decodeEnvelope(
      encodeEnvelope({ ...sample(), clock: 2 ** 40 + 0.25, task: 'swapper/1', execCpu: 1 }),
    );
    expect([e.clock, e.task, e.execCpu]).toEqual([2 ** 40 + 0.25, 'swapper/1', 1]);
    const v1 = encodeEnvelope(sample());
    v1[3] = 1;
    expect(() => decodeEnvelope(v1)).toThrow('unknown skb codec version 1');
  });

  it('refuses what is not an envelope, with a reason', () => {
    const good = encodeEnvelope(sample());
    const reason = (b: Uint8Array) => {
      try {
        decodeEnvelope(b);
        return 'ok';
      } catch (e) {
        return (e as SkbCodecError).reason;
      }
    };
    expect(reason(new Uint8Array([1, 2, 3]))).toBe('truncated');
    expect(reason(Uint8Array.from(good, (v, i) => (i === 0 ? 0 : v)))).toBe('bad-magic');
    expect(reason(Uint8Array.from(good, (v, i) => (i === 3 ? 9 : v)))).toBe('unknown-version');
    expect(reason(good.subarray(0, good.length - 1))).toBe('truncated');
    expect(reason(new Uint8Array(SKB_CODEC_MAX + 1))).toBe('oversize');
  });

  it('never throws anything but SkbCodecError on random bytes', () => {
    const rng = new Rng(7);
    const good = encodeEnvelope(sample());
    for (let i = 0; i < 5000; i++) {
      const b =
        i % 2 ? Uint8Array.from({ length: rng.next32() % 200 }, () => rng.next32() & 0xff) : good.slice();
      if (i % 2 === 0) for (let k = 0; k < 3; k++) b[rng.next32() % b.length] = rng.next32() & 0xff;
      try {
        decodeEnvelope(b);
      } catch (e) {
        expect(e).toBeInstanceOf(SkbCodecError);
      }
    }
  });
});
