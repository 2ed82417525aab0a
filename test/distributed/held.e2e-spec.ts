/**
 * A batch is held in flight from its produce until its MULTI (in-flight-held), so the lab never looks idle
 * before that batch's trace and counters are in Redis. A process killed in between leaves its hold behind;
 * its successor (the same instance, restarted) handles the batch again and drops the hold. Here the hold a
 * killed ip service would leave is put in place by hand, and the ip service restarted.
 */
import { DistributedNode, KEYS } from '@skblab/distributed';
import { brokers, inProcessLab } from './in-process';

jest.setTimeout(120_000);

describe('a batch held by a process that died', () => {
  it('keeps the lab from settling until the process is back, which lets it go', async () => {
    const lab = await inProcessLab('held');
    const { kafkaBrokers, redisUrl } = brokers();
    let ip: DistributedNode | null = null;
    try {
      expect((await lab.run('ping -c 1 127.0.0.1\n')).status).toBe(0);
      // The ip service is killed between a batch's produce and its MULTI.
      await lab.services.get('ip')!.stop();
      await lab.shellNode.redis.hset(KEYS.held, 'ip', 1);
      await expect(lab.shellNode.idle(1_500)).rejects.toThrow(/waited \d+ s for 1 skb in flight/);
      // Restarted, it drops its predecessor's hold (the batch itself comes again from Kafka).
      ip = new DistributedNode({ labId: lab.labId, service: 'ip', kafkaBrokers, redisUrl, resume: true });
      await ip.loadTopology();
      await ip.start();
      expect(await lab.shellNode.redis.hget(KEYS.held, 'ip')).toBeNull();
      const r = await lab.run('ping -c 2 127.0.0.1\n');
      expect(r.out).toContain('2 packets transmitted, 2 received');
      expect(Number(await lab.shellNode.redis.get(KEYS.inflight))).toBe(0);
    } finally {
      await ip?.stop();
      await lab.stop();
    }
  });
});
