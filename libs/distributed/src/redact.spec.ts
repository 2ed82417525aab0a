import { redactSecret, redactUrl } from './redact';

describe('redactUrl', () => {
  it.each([
    ['redis://user:s3cret@redis:6379/2', 'redis://user:***@redis:6379/2'],
    ['redis://:s3cret@127.0.0.1:6379', 'redis://:***@127.0.0.1:6379'],
    ['rediss://admin:p%40ss@cache.lab:6380', 'rediss://admin:***@cache.lab:6380'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://user@127.0.0.1:6379', 'redis://user@127.0.0.1:6379'],
    ['http://admin:s3cret@redis:6379', 'http://admin:***@redis:6379'],
    ['redis://u:s3cret@[bad', 'redis://u:***@[bad'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(redactUrl(url)).not.toContain('s3cret');
  });
});

describe('redactSecret', () => {
  it('hides the password wherever a message quotes it, and the URL keeps its user', () => {
    const url = 'redis://user:s3cret@redis:6379';
    expect(redactSecret(`Redis at ${url} does not answer: WRONGPASS s3cret`, url)).toBe(
      'Redis at redis://user:***@redis:6379 does not answer: WRONGPASS ***',
    );
    expect(redactSecret('nothing here', 'redis://redis:6379')).toBe('nothing here');
  });
});
