/**
 * Replicas of a layer service split the lab by host. Every hop topic has the same partitions and a host's
 * messages go to the same partition number on each (hostPartition), so a replica that owns partition p of
 * every topic of its service holds all the state of p's hosts: a NIC's TX and RX rings and their NAPI, a
 * qdisc, a reassembly queue, a neighbour table. kafkajs's round-robin assigner deals partitions out across
 * topics, which would give one host's TX ring to one replica and its RX ring to another: this one gives
 * partition p of every topic to the same member.
 *
 * It is also sticky: each member says in its metadata which partitions it holds, and keeps them through a
 * rebalance as long as the split stays even. A replica joining or leaving moves only the partitions it
 * must (each move loses the dynamic state of that partition's hosts, see Door.release).
 */
import { AssignerProtocol, type ConsumerConfig, type PartitionAssigner } from 'kafkajs';

export const HOST_AFFINE = 'SkblabHostAffine';

/**
 * Partitions 0..count-1 over the members: each gets ⌊count/members⌋ or one more, keeps what it claims up
 * to that (a partition claimed twice goes to the first claimant in id order; the members that hold most
 * get the larger shares), and the rest are dealt round-robin in id order to those with room.
 */
export function splitPartitions(
  count: number,
  members: ReadonlyArray<{ id: string; claims: readonly number[] }>,
): Map<string, number[]> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const claimed = new Set<number>();
  const claims = new Map<string, number[]>();
  for (const m of sorted) {
    const mine = [...new Set(m.claims)].filter(
      (p) => Number.isInteger(p) && p >= 0 && p < count && !claimed.has(p),
    );
    mine.sort((a, b) => a - b).forEach((p) => claimed.add(p));
    claims.set(m.id, mine);
  }
  const base = Math.floor(count / Math.max(sorted.length, 1));
  let larger = count % Math.max(sorted.length, 1);
  const room = new Map<string, number>();
  for (const m of [...sorted].sort((a, b) => claims.get(b.id)!.length - claims.get(a.id)!.length))
    room.set(m.id, base + (larger-- > 0 ? 1 : 0));
  const out = new Map<string, number[]>(sorted.map((m) => [m.id, []]));
  const taken = new Set<number>();
  for (const m of sorted)
    for (const p of claims.get(m.id)!.slice(0, room.get(m.id))) {
      out.get(m.id)!.push(p);
      taken.add(p);
    }
  let next = 0;
  for (let p = 0; p < count && sorted.length; p++) {
    if (taken.has(p)) continue;
    while (out.get(sorted[next % sorted.length].id)!.length >= room.get(sorted[next % sorted.length].id)!)
      next++;
    out.get(sorted[next % sorted.length].id)!.push(p);
    next++;
  }
  for (const l of out.values()) l.sort((a, b) => a - b);
  return out;
}

const encodeClaims = (held: Iterable<number>): Buffer => Buffer.from(JSON.stringify([...held]));

function decodeClaims(userData: Buffer | undefined): number[] {
  try {
    const v: unknown = JSON.parse(userData?.length ? userData.toString() : '[]');
    return Array.isArray(v) ? v.filter((p): p is number => typeof p === 'number') : [];
  } catch {
    return []; // a member of another version: it claims nothing
  }
}

/** The group's assigner; `held` is what this member holds now (sent as its claim when it joins). */
export function hostAffineAssigner(held: () => Iterable<number> = () => []): PartitionAssigner {
  return ({ cluster }) => ({
    name: HOST_AFFINE,
    version: 0,
    async assign({ members, topics }) {
      const partitions = new Map(
        topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).map((m) => m.partitionId)]),
      );
      const count = Math.max(0, ...[...partitions.values()].map((ps) => Math.max(-1, ...ps) + 1));
      const split = splitPartitions(
        count,
        members.map((m) => ({
          id: m.memberId,
          claims: decodeClaims(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData),
        })),
      );
      return members.map(({ memberId }) => {
        const mine = new Set(split.get(memberId));
        const assignment: Record<string, number[]> = {};
        for (const [topic, ps] of partitions) {
          const here = ps.filter((p) => mine.has(p));
          if (here.length) assignment[topic] = here;
        }
        return {
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment,
            userData: Buffer.alloc(0),
          }),
        };
      });
    },
    protocol({ topics }) {
      return {
        name: HOST_AFFINE,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 0,
          topics,
          userData: encodeClaims(held()),
        }),
      };
    },
  });
}

/**
 * A hop consumer's configuration (a lab's service, or a class's): the host-affine assigner, short fetch
 * waits (a fetch is answered as soon as a message is there; the wait bounds an idle loop) and a session
 * that notices a dead replica within seconds.
 */
export function hopConsumerConfig(groupId: string, holds: () => Iterable<number>): ConsumerConfig {
  return {
    groupId,
    partitionAssigners: [hostAffineAssigner(holds)],
    maxWaitTimeInMs: 50,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    allowAutoTopicCreation: false,
  };
}
