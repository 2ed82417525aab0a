import { classLabsKey, labOfTopic } from './class-labs';

describe('a class of labs', () => {
  it('keeps its set of labs outside every lab prefix, and refuses a class id outside the lab-id rule', () => {
    expect(classLabsKey('os-101')).toBe('skblab-class:os-101:labs');
    // A lab's keys are skblab:<lab>:…, which no lab id can make into skblab-class:…
    expect(classLabsKey('os-101').startsWith('skblab:')).toBe(false);
    for (const bad of ['*', 'a:b', '..', 'A', 'x'.repeat(64), ''])
      expect(() => classLabsKey(bad)).toThrow(/invalid class id/);
  });

  it('tells a batch’s lab from its topic, and nothing from a topic that is not a lab’s hop topic', () => {
    expect(labOfTopic('skblab.alice.ip_rcv')).toBe('alice');
    expect(labOfTopic('skblab.bob-2.driver-answer')).toBe('bob-2');
    expect(labOfTopic('skblab.alice')).toBeNull();
    expect(labOfTopic('other.alice.ip_rcv')).toBeNull();
    expect(labOfTopic('skblab.Al*ce.ip_rcv')).toBeNull();
    expect(labOfTopic('skblab.a.b.c')).toBeNull();
  });
});
