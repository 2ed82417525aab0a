import { LAB_ID_RULE, isLabId } from './lab-id';

describe('lab ids', () => {
  it.each(['a', 'ci-1', 'class1', 'x'.repeat(63), '0lab'])('takes %j', (id) => {
    expect(isLabId(id)).toBe(true);
  });

  it.each(['', '*', 'a:b', '..', 'a.b', 'Lab', 'lab_1', '-x', 'x'.repeat(64), 'x'.repeat(1000), 'a b', 7])(
    'refuses %j',
    (id) => {
      expect(isLabId(id)).toBe(false);
    },
  );

  it('says the rule in words', () => {
    expect(LAB_ID_RULE).toBe("1-63 lower-case letters, digits or '-', starting with a letter or digit");
  });
});
