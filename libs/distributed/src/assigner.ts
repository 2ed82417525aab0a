/**
 * Replicas of a layer service split the lab by host. Every hop topic has the same partitions and a host's
 * messages go to the same partition number on each (hostPartition), so a replica that owns partition p of
 * every topic of its service holds all the state of p's hosts: a NIC's TX and RX rings and their NAPI, a
 * qdisc, a reassembly queue, a neighbour table. kafkajs's round-robin assigner deals partitions out across
 * topics, which would give one host's TX ring to one replica and its RX ring to another: this one gives
 * partition p of every topic to the same member (members in memberId order, p modulo their count).
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const HOST_AFFINE = 'SkblabHostAffine';

export const hostAffineAssigner: PartitionAssigner = ({ cluster }) => ({
  name: HOST_AFFINE,
  version: 0,
  async assign({ members, topics }) {
    const ids = members.map((m) => m.memberId).sort();
    const assignment = new Map<string, Record<string, number[]>>(ids.map((id) => [id, {}]));
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const a = assignment.get(ids[partitionId % ids.length])!;
        (a[topic] ??= []).push(partitionId);
      }
    }
    return ids.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: assignment.get(memberId)!,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: HOST_AFFINE,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
