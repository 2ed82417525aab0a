/**
 * Why a distributed lab does not settle, in the user's words. The shell waits for the lab to be idle before
 * each command and before a timer fires; when that wait goes on, it asks Kafka which hop topics hold
 * messages their service's consumer group has not taken (and whether that group has a member at all), and
 * says which service it waits on, for how long, and what to do about it.
 */
import type { Admin, Kafka } from 'kafkajs';
import { LabStalledError } from '@skblab/runtime';
import { HOP_SERVICES, hopsOf, hopTopics, type LayerName } from '@skblab/contracts';

/** A hop topic with messages its service has not consumed (committed) yet. */
export interface HopLag {
  service: LayerName;
  topic: string;
  lag: number;
  /** Members of the service's consumer group (0: no process of the service consumes). */
  members: number;
}

/** The hop topics of `services` with messages waiting for them. */
export async function hopLags(
  admin: Admin,
  labId: string,
  services: readonly LayerName[] = HOP_SERVICES,
): Promise<HopLag[]> {
  const out: HopLag[] = [];
  const groups = services.map((s) => `${labId}.${s}`);
  const described = await admin.describeGroups(groups);
  const members = new Map(described.groups.map((g) => [g.groupId, g.members.length]));
  for (const service of services) {
    const topics = hopTopics(labId, hopsOf(service));
    if (!topics.length) continue;
    const groupId = `${labId}.${service}`;
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const t of committed) {
      const ends = await admin.fetchTopicOffsets(t.topic);
      let lag = 0;
      for (const p of ends) {
        const c = Number(t.partitions.find((q) => q.partition === p.partition)?.offset ?? -1);
        lag += Math.max(0, Number(p.high) - (c >= 0 ? c : Number(p.low)));
      }
      if (lag > 0) out.push({ service, topic: t.topic, lag, members: members.get(groupId) ?? 0 });
    }
  }
  return out;
}

export interface StallFacts {
  labId: string;
  waitedMs: number;
  /** What is waited for: skbs in flight, or timers due in named instances. */
  waitingFor: { skbs: number } | { timersOf: string[] };
  /** The hop topics with messages waiting (null: Kafka did not say, with why). */
  lags: HopLag[] | { error: string };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The stall in words: which service, for how long, what to do. */
export function describeStall(f: StallFacts): string {
  const lab = f.labId;
  const secs = Math.round(f.waitedMs / 1000);
  const head =
    'skbs' in f.waitingFor
      ? `lab '${lab}': waited ${secs} s for ${plural(f.waitingFor.skbs, 'skb')} in flight`
      : `lab '${lab}': waited ${secs} s for ${f.waitingFor.timersOf.join(', ')} to fire ${f.waitingFor.timersOf.length === 1 ? 'its' : 'their'} timers`;
  let services: string[];
  let why: string;
  if ('error' in f.lags) {
    services = 'timersOf' in f.waitingFor ? f.waitingFor.timersOf : [];
    why = `Kafka does not say which hop waits (${f.lags.error})`;
  } else if (f.lags.length) {
    services = [...new Set(f.lags.map((l) => l.service))];
    why = f.lags
      .map(
        (l) =>
          `the ${l.service} service has not taken ${plural(l.lag, 'message')} from ${l.topic}` +
          (l.members ? '' : ` (no process of it consumes: its consumer group ${lab}.${l.service} is empty)`),
      )
      .join('; ');
  } else {
    services = 'timersOf' in f.waitingFor ? f.waitingFor.timersOf : [];
    why = services.length
      ? 'no hop topic has a message waiting'
      : 'no hop topic has a message waiting: a service may have stopped in the middle of a batch';
  }
  const which = services.length === 1 ? services[0] : services.length ? 'SERVICE' : '';
  const what = which
    ? `'skblab logs --lab ${lab} ${which}' shows what it said, 'skblab restart --lab ${lab} ${which}' restarts it`
    : `'skblab logs --lab ${lab}' shows what the services said, 'skblab restart --lab ${lab} SERVICE' restarts one`;
  return `${head}: ${why}. ${what}${services.length > 1 ? ` (${services.join(', ')})` : ''}.`;
}

/**
 * The waits of the shell's side (for the lab to settle, for timers to fire): each tells the user when it
 * goes on (onStall, after `noticeMs` and every 10 s after) and ends in a LabStalledError with the same
 * words. The words come from Kafka (which hop topics hold messages nobody takes), asked for at most 5 s.
 */
export class Stalls {
  private admin: Admin | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly labId: string,
    private readonly onStall?: (report: string) => void,
    private readonly noticeMs = 5_000,
  ) {}

  /** The stall in words. */
  async describe(waitedMs: number, waitingFor: StallFacts['waitingFor']): Promise<string> {
    let lags: HopLag[] | { error: string };
    try {
      const admin = (this.admin ??= this.kafka.admin());
      let timer: NodeJS.Timeout | undefined;
      lags = await Promise.race([
        admin.connect().then(() => hopLags(admin, this.labId)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer in 5 s')), 5_000);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (e) {
      lags = { error: e instanceof Error ? e.message : String(e) };
    }
    return describeStall({ labId: this.labId, waitedMs, waitingFor, lags });
  }

  /**
   * One wait: call the result with a value that changes while the lab makes headway (each change restarts
   * the wait) and what is waited for; it throws once the wait has gone on past `timeoutMs`.
   */
  watch(timeoutMs: number) {
    let since = Date.now();
    let last: unknown = undefined;
    let notice = since + this.noticeMs;
    let telling: Promise<void> | null = null;
    return async (progress: unknown, waitingFor: () => StallFacts['waitingFor']): Promise<void> => {
      const now = Date.now();
      if (progress !== last) {
        last = progress;
        since = now;
        notice = now + this.noticeMs;
        return;
      }
      if (now - since > timeoutMs) throw new LabStalledError(await this.describe(now - since, waitingFor()));
      const onStall = this.onStall;
      if (onStall && now >= notice && !telling) {
        notice = now + 10_000;
        telling = this.describe(now - since, waitingFor())
          .then(onStall, () => undefined)
          .finally(() => (telling = null));
      }
    };
  }

  async disconnect(): Promise<void> {
    await this.admin?.disconnect();
  }
}
