import { checkLabId } from './distributed';

describe('lab ids', () => {
  it('takes lab ids that Kafka topics and Redis keys can carry', () => {
    expect(checkLabId('ci-1')).toBeNull();
    expect(checkLabId('Lab_1')).toMatch(/invalid lab id/);
    expect(checkLabId('-x')).toMatch(/invalid lab id/);
  });
});
