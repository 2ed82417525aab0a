import { describeStall } from './stall';

describe('what the shell says when the lab does not settle', () => {
  it('names the service, the topic, how long, and what to do', () => {
    const s = describeStall({
      labId: 't1',
      waitedMs: 5_200,
      waitingFor: { skbs: 1 },
      lags: [{ service: 'ip', topic: 'skblab.t1.ip_send_skb', lag: 1, members: 0 }],
    });
    expect(s).toBe(
      "lab 't1': waited 5 s for 1 skb in flight: the ip service has not taken 1 message from skblab.t1.ip_send_skb " +
        '(no process of it consumes: its consumer group t1.ip is empty). ' +
        "'skblab logs --lab t1 ip' shows what it said, 'skblab restart --lab t1 ip' restarts it.",
    );
  });

  it('lists several services, timers that are late, and a Kafka that does not answer', () => {
    expect(
      describeStall({
        labId: 't1',
        waitedMs: 31_000,
        waitingFor: { skbs: 3 },
        lags: [
          { service: 'ip', topic: 'skblab.t1.ip_rcv', lag: 2, members: 1 },
          { service: 'rx', topic: 'skblab.t1.ip_rcv_finish', lag: 1, members: 1 },
        ],
      }),
    ).toMatch(
      /^lab 't1': waited 31 s for 3 skbs in flight: the ip service has not taken 2 messages from skblab\.t1\.ip_rcv; the rx service .*'skblab restart --lab t1 SERVICE' restarts it \(ip, rx\)\.$/,
    );
    expect(
      describeStall({ labId: 't1', waitedMs: 6_000, waitingFor: { timersOf: ['neigh'] }, lags: [] }),
    ).toBe(
      "lab 't1': waited 6 s for neigh to fire its timers: no hop topic has a message waiting. " +
        "'skblab logs --lab t1 neigh' shows what it said, 'skblab restart --lab t1 neigh' restarts it.",
    );
    expect(
      describeStall({
        labId: 't1',
        waitedMs: 6_000,
        waitingFor: { skbs: 1 },
        lags: { error: 'no answer in 5 s' },
      }),
    ).toMatch(
      /Kafka does not say which hop waits \(no answer in 5 s\)\. 'skblab logs --lab t1' shows what the services said/,
    );
  });
});
