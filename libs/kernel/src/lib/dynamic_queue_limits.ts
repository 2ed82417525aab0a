/**
 * lib/dynamic_queue_limits.c: Byte Queue Limits' dynamic limit. A TX queue may hold `limit` bytes in the
 * NIC's ring beyond what has completed; the limit grows when the queue ran dry while over it (starved) and
 * shrinks by the slack that stayed unused for slack_hold_time. With it, a burst waits in the qdisc (where
 * fq_codel or netem can act) instead of in a 256-descriptor ring. Stall detection is not modelled.
 */

const UINT_MAX = 0xffffffff;
export const DQL_MAX_OBJECT = Math.floor(UINT_MAX / 16);
export const DQL_MAX_LIMIT = Math.floor(UINT_MAX / 2) - DQL_MAX_OBJECT;

/** struct dql, counting in bytes; times in jiffies. */
export interface Dql {
  numQueued: number;
  adjLimit: number;
  lastObjCnt: number;
  limit: number;
  numCompleted: number;
  prevOvlimit: number;
  prevNumQueued: number;
  prevLastObjCnt: number;
  lowestSlack: number;
  slackStartTime: number;
  maxLimit: number;
  minLimit: number;
  slackHoldTime: number;
}

const posdiff = (a: number, b: number): number => (a - b > 0 ? a - b : 0);

/** dql_init: hold_time in jiffies (net/core/dev.c uses HZ: one second). */
export function dql_init(holdTime: number, now: number): Dql {
  const d = { maxLimit: DQL_MAX_LIMIT, minLimit: 0, slackHoldTime: holdTime } as Dql;
  dql_reset(d, now);
  return d;
}

/** dql_reset: every dynamic value back to the start (a ring cleaned at ifdown). */
export function dql_reset(d: Dql, now: number): void {
  d.limit = d.minLimit;
  d.numQueued = 0;
  d.numCompleted = 0;
  d.lastObjCnt = 0;
  d.prevNumQueued = 0;
  d.prevLastObjCnt = 0;
  d.prevOvlimit = 0;
  d.lowestSlack = UINT_MAX;
  d.slackStartTime = now;
  d.adjLimit = d.limit;
}

/** dql_queued */
export function dql_queued(d: Dql, count: number): void {
  d.lastObjCnt = count;
  d.numQueued += count;
}

/** dql_avail: how many bytes can be queued; < 0 is over the limit. */
export function dql_avail(d: Dql): number {
  return d.adjLimit - d.numQueued;
}

/** dql_completed (dynamic_queue_limits.c:83): `count` bytes completed; adjust the limit. */
export function dql_completed(d: Dql, count: number, now: number): void {
  const numQueued = d.numQueued;
  const completed = d.numCompleted + count;
  let limit = d.limit;
  let ovlimit = posdiff(numQueued - d.numCompleted, limit);
  const inprogress = numQueued - completed;
  const prevInprogress = d.prevNumQueued - d.numCompleted;
  const allPrevCompleted = completed - d.prevNumQueued >= 0;
  if ((ovlimit && !inprogress) || (d.prevOvlimit && allPrevCompleted)) {
    // Starved: over the limit with nothing left in flight. Grow by what was sent and completed meanwhile.
    limit += posdiff(completed, d.prevNumQueued) + d.prevOvlimit;
    d.slackStartTime = now;
    d.lowestSlack = UINT_MAX;
  } else if (inprogress && prevInprogress && !allPrevCompleted) {
    // Busy the whole interval: the slack (what was queued beyond need) may come off, at its lowest over
    // slack_hold_time.
    let slack = posdiff(limit + d.prevOvlimit, 2 * (completed - d.numCompleted));
    const slackLastObjs = d.prevOvlimit ? posdiff(d.prevLastObjCnt, d.prevOvlimit) : 0;
    slack = Math.max(slack, slackLastObjs);
    if (slack < d.lowestSlack) d.lowestSlack = slack;
    if (now > d.slackStartTime + d.slackHoldTime) {
      limit = posdiff(limit, d.lowestSlack);
      d.slackStartTime = now;
      d.lowestSlack = UINT_MAX;
    }
  }
  limit = Math.min(Math.max(limit, d.minLimit), d.maxLimit);
  if (limit !== d.limit) {
    d.limit = limit;
    ovlimit = 0;
  }
  d.adjLimit = limit + completed;
  d.prevOvlimit = ovlimit;
  d.prevLastObjCnt = d.lastObjCnt;
  d.numCompleted = completed;
  d.prevNumQueued = numQueued;
}
