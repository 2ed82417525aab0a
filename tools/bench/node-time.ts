/**
 * Where the services' time goes, from their nodes' stats (NodeStats.timeMs, in each service's /state):
 * totals before and after a measurement give ms per message handled, split into delivery (producer's
 * timestamp to handling), decode, kernel work, produce and Redis. For bench:distributed and
 * bench:scale:distributed.
 */
import type { NodeStats } from '@skblab/distributed';
import type { Started } from '../../apps/cli/src/distributed';

/** What every node's stats say of its messages: how many, and where their time went. */
export type TimeSplit = {
  messages: number;
  delivery: number;
  decode: number;
  kernel: number;
  produce: number;
  redis: number;
};
export type SplitSource = () => Promise<NodeStats[]>;

export async function totals(source: SplitSource): Promise<TimeSplit> {
  const t: TimeSplit = { messages: 0, delivery: 0, decode: 0, kernel: 0, produce: 0, redis: 0 };
  for (const s of await source()) {
    t.messages += s.received;
    for (const k of ['delivery', 'decode', 'kernel', 'produce', 'redis'] as const) t[k] += s.timeMs[k];
  }
  return t;
}

/** ms per message handled, over a measurement (from the node stats before and after). */
export function perMessage(before: TimeSplit, after: TimeSplit): Record<string, number> {
  const n = after.messages - before.messages;
  const per = (k: keyof TimeSplit) => +((after[k] - before[k]) / Math.max(n, 1)).toFixed(3);
  return {
    messages: n,
    deliveryMs: per('delivery'),
    decodeMs: per('decode'),
    kernelMs: per('kernel'),
    produceMs: per('produce'),
    redisMs: per('redis'),
  };
}

/** The stats of every service that runs hops (control and socket have none), from their /state. */
export async function servicesStats(started: readonly Started[]): Promise<NodeStats[]> {
  const states = await Promise.all(
    started.map(
      async (s) =>
        (await (await fetch(`${s.url}/state`)).json()) as {
          messages?: NodeStats;
          labs?: Record<string, { messages?: NodeStats }>;
        },
    ),
  );
  // A class's service: one node per lab.
  return states.flatMap((st) =>
    [st, ...Object.values(st.labs ?? {})].flatMap((v) => (v.messages?.timeMs ? [v.messages] : [])),
  );
}
