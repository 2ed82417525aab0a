import { HOPS } from '@skblab/kernel';
import { HOP_LAYER, LAYERS, hopsOf, hopTopic } from './layers';

describe('the hop map', () => {
  it('names a service for every hop of the kernel, and only those', () => {
    expect(Object.keys(HOP_LAYER).sort()).toEqual(Object.keys(HOPS).sort());
  });

  it('gives every hop to exactly one service, and topics Kafka accepts', () => {
    const all = LAYERS.flatMap((l) => hopsOf(l));
    expect(all.sort()).toEqual(Object.keys(HOPS).sort());
    for (const h of all) expect(hopTopic('ci-1', h)).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
  });
});
