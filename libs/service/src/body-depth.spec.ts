import { BadRequestException } from '@nestjs/common';
import { BodyDepthPipe, nestedDeeperThan } from './body-depth';

describe('BodyDepthPipe', () => {
  const nest = (n: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
    return v;
  };

  it('measures nesting without recursion, even 100,000 deep', () => {
    expect(nestedDeeperThan({ netns: '', limit: 1 }, 1)).toBe(false);
    expect(nestedDeeperThan(nest(32), 32)).toBe(false);
    expect(nestedDeeperThan(nest(33), 32)).toBe(true);
    expect(nestedDeeperThan(nest(100_000), 32)).toBe(true);
    expect(nestedDeeperThan('x', 0)).toBe(false);
  });

  it('refuses a deep body with a 400, and lets anything else through', () => {
    const pipe = new BodyDepthPipe();
    expect(() => pipe.transform(nest(2000), { type: 'body' })).toThrow(BadRequestException);
    expect(pipe.transform(nest(2000), { type: 'query' })).toBeDefined();
    const ok = { netns: 'ns1', limit: 5 };
    expect(pipe.transform(ok, { type: 'body' })).toBe(ok);
  });
});
