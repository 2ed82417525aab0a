/**
 * Creating topics and waiting until every partition has a leader. kafkajs's own wait (createTopics with
 * waitForLeaders) retries only LEADER_NOT_AVAILABLE, but a KRaft broker may answer the metadata request for
 * a topic it has just created with UNKNOWN_TOPIC_OR_PARTITION for a moment (kafkajs issues #815, #1222),
 * and a busy machine makes that moment long enough to fail a run.
 */
import type { Admin, ITopicConfig } from 'kafkajs';

/** Metadata errors that only say the new topic is not settled yet. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER']);

export async function createTopicsAndWait(
  admin: Admin,
  topics: ITopicConfig[],
  timeoutMs = 60_000,
): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: names });
      if (meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (e) {
      if (!SETTLING.has((e as { type?: string }).type ?? '')) throw e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `topics ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''} have no leader after ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, delay));
  }
}
