import { AssignerProtocol, type Cluster, type GroupMember } from 'kafkajs';
import { HOST_AFFINE, hostAffineAssigner, splitPartitions } from './assigner';

function assign(memberIds: string[], topics: Record<string, number>, held: Record<string, number[]> = {}) {
  const cluster = {
    findTopicPartitionMetadata: (t: string) =>
      Array.from({ length: topics[t] }, (_, partitionId) => ({ partitionId })),
  } as unknown as Cluster;
  const make = (id: string) =>
    hostAffineAssigner(() => held[id] ?? [])({ cluster, groupId: 'g', logger: undefined as never });
  const a = make('leader');
  const members: GroupMember[] = memberIds.map((memberId) => ({
    memberId,
    memberMetadata: make(memberId).protocol({ topics: Object.keys(topics) }).metadata,
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

  it('keeps what each member holds through a rebalance, moving only what the new split needs', async () => {
    const topics = { t1: 4, t2: 4 };
    // c-3 joins a-1 and b-2, which hold the odd and the even partitions. Four over three: the larger
    // share goes to whoever holds most (a tie: the first id), so only b-2 gives one up.
    const r = await assign(['a-1', 'b-2', 'c-3'], topics, { 'a-1': [1, 3], 'b-2': [0, 2] });
    expect(r['a-1']).toEqual({ t1: [1, 3], t2: [1, 3] });
    expect(r['b-2']).toEqual({ t1: [0], t2: [0] });
    expect(r['c-3']).toEqual({ t1: [2], t2: [2] });
    // b-2 leaves: a-1 keeps its own, c-3 keeps its own and takes the orphan.
    const after = await assign(['a-1', 'c-3'], topics, { 'a-1': [1, 3], 'c-3': [2] });
    expect(after).toEqual({ 'a-1': { t1: [1, 3], t2: [1, 3] }, 'c-3': { t1: [0, 2], t2: [0, 2] } });
  });

  it('splits evenly whatever the claims: duplicates, partitions that do not exist, too many', () => {
    const s = splitPartitions(5, [
      { id: 'x', claims: [0, 1, 2, 3, 4, 9, -1] },
      { id: 'y', claims: [0, 1] },
      { id: 'z', claims: [] },
    ]);
    const all = [...s.values()].flat().sort();
    expect(all).toEqual([0, 1, 2, 3, 4]);
    expect([...s.values()].map((l) => l.length).sort()).toEqual([1, 2, 2]);
    // x claimed everything first and keeps the lower two it is allowed; y's claims were x's.
    expect(s.get('x')).toEqual([0, 1]);
    expect(splitPartitions(3, [])).toEqual(new Map());
  });

  it('names its protocol', () => {
    const a = hostAffineAssigner()({ cluster: {} as Cluster, groupId: 'g', logger: undefined as never });
    expect(a.protocol({ topics: ['t'] }).name).toBe(HOST_AFFINE);
  });
});
