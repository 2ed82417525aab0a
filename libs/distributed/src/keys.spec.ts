import { idleChannel, keyPrefix } from './keys';

describe('keyPrefix', () => {
  it("is the lab's prefix for a lab id", () => {
    expect(keyPrefix('class1-alice')).toBe('skblab:class1-alice:');
    expect(idleChannel('lab1')).toBe('skblab:lab1:idle');
  });

  it('refuses an id that would reach past its lab: a pattern, a separator, a path, an endless one', () => {
    for (const bad of ['*', 'a:b', '..', 'a*b', 'x'.repeat(1000), '', 'Lab1', '-lab'])
      expect(() => keyPrefix(bad)).toThrow(/^invalid lab id '.{0,80}' \(1-63 lower-case letters/);
  });
});
