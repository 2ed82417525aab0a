import { AssertionFailed, Python } from './python';

describe('packetdrill python blocks', () => {
  it('ends a statement at a newline, also after a comment', () => {
    const py = new Python(() => undefined);
    const block = 'assert a == 1, a  # first\nassert b == 2, b\n';
    expect(() => py.run(block, { a: 1, b: 2 })).not.toThrow();
    expect(() => py.run(block, { a: 1, b: 3 })).toThrow(AssertionFailed);
    expect(() => py.run(block, { a: 1, b: 3 })).toThrow('3');
  });
});
