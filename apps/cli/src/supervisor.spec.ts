import { backoffMs } from './supervisor';

test("the supervisor's back-off: 1 s, doubling, at most 30 s", () => {
  expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs)).toEqual([
    1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
  ]);
});
