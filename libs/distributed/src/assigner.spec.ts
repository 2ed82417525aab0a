import { AssignerProtocol, type Cluster, type GroupMember } from 'kafkajs';
import { HOST_AFFINE, hostAffineAssigner } from './assigner';

function assign(memberIds: string[], topics: Record<string, number>) {
  const cluster = {
    findTopicPartitionMetadata: (t: string) =>
      Array.from({ length: topics[t] }, (_, partitionId) => ({ partitionId })),
  } as unknown as Cluster;
  const a = hostAffineAssigner({ cluster, groupId: 'g', logger: undefined as never });
  const members: GroupMember[] = memberIds.map((memberId) => ({
    memberId,
    memberMetadata: a.protocol({ topics: Object.keys(topics) }).metadata,
  }));
  return a
    .assign({ members, topics: Object.keys(topics) })
    .then((r) =>
      Object.fromEntries(
        r.map((m) => [m.memberId, AssignerProtocol.MemberAssignment.decode(m.memberAssignment)!.assignment]),
      ),
    );
}

describe('hostAffineAssigner', () => {
  it('gives partition p of every topic to the same member', async () => {
    const r = await assign(['b-2', 'a-1'], {
      'lab.igb_xmit_frame': 4,
      'lab.hw_rx_dma': 4,
      'lab.veth_xmit': 4,
    });
    // Members in memberId order: a-1 gets the even partitions, b-2 the odd ones, on every topic.
    expect(r['a-1']).toEqual({
      'lab.igb_xmit_frame': [0, 2],
      'lab.hw_rx_dma': [0, 2],
      'lab.veth_xmit': [0, 2],
    });
    expect(r['b-2']).toEqual({
      'lab.igb_xmit_frame': [1, 3],
      'lab.hw_rx_dma': [1, 3],
      'lab.veth_xmit': [1, 3],
    });
  });

  it('gives one member everything, and leaves a member past the partitions idle', async () => {
    expect(await assign(['only'], { t1: 2, t2: 2 })).toEqual({ only: { t1: [0, 1], t2: [0, 1] } });
    const r = await assign(['m1', 'm2', 'm3'], { t1: 2 });
    expect(r).toEqual({ m1: { t1: [0] }, m2: { t1: [1] }, m3: {} });
  });

  it('names its protocol', () => {
    const a = hostAffineAssigner({ cluster: {} as Cluster, groupId: 'g', logger: undefined as never });
    expect(a.protocol({ topics: ['t'] }).name).toBe(HOST_AFFINE);
  });
});
