/**
 * `skblab web --lab ID`: the console of a running distributed lab. Its terminal is a shell on that lab (as
 * `skblab exec` opens one), so a ping typed there crosses the layer services on Kafka, and the journey the
 * console shows has the steps the services ran.
 */
import WebSocket from 'ws';
import { startInProcessLab, type InProcessLab } from '@skblab/distributed';
import { openWebLab } from '../../apps/cli/src/web/web';
import { brokers } from '../distributed/in-process';
import type { JourneyView } from '../../apps/cli/src/web/api';

jest.setTimeout(120_000);

describe('skblab web --lab: the console of a distributed lab', () => {
  let lab: InProcessLab;
  let opened: Awaited<ReturnType<typeof openWebLab>>;

  beforeAll(async () => {
    const b = brokers();
    lab = await startInProcessLab({
      labId: `${b.testLab}-web`,
      kafkaBrokers: b.kafkaBrokers,
      redisUrl: b.redisUrl,
    });
    // The console's terminal is the lab's shell from now on (one shell consumes the socket layer's hops).
    await lab.shell.stop();
    opened = await openWebLab(null, { port: 0, lab: lab.labId });
  });

  afterAll(async () => {
    if (opened && 'close' in opened) await opened.close();
    await lab?.stop();
  });

  it('runs a ping typed in its terminal through the services, and shows their steps', async () => {
    if (!('server' in opened)) throw new Error(`the console did not open: ${JSON.stringify(opened)}`);
    const url = opened.server.url;
    const ws = new WebSocket(`${url.replace('http', 'ws')}ws/terminal`);
    let out = '';
    const done = new Promise<{ status: number }>((resolve) =>
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m.t === 'o') out += m.d;
        else if (m.t === 'done') resolve(m.command);
      }),
    );
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ t: 'i', d: 'ping -c 1 127.0.0.1\r' }));
    const command = await done;
    ws.close();
    expect(command.status).toBe(0);
    expect(out).toContain('1 packets transmitted, 1 received');
    const { journeys } = (await (await fetch(`${url}api/journeys?since=0`)).json()) as {
      journeys: JourneyView[];
    };
    const fns = journeys.flatMap((j) => j.steps.map((s) => s.fn));
    // The shell's own steps, and those the ip, loopback, softirq and rx services ran.
    for (const fn of ['ping_v4_sendmsg', 'ip_output', 'loopback_xmit', 'process_backlog', 'icmp_echo'])
      expect(fns).toContain(fn);
  });

  it('says so when the lab does not exist', async () => {
    const writes: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await openWebLab(null, { port: 0, lab: `${brokers().testLab}-nolab` })).toEqual({ status: 1 });
    } finally {
      process.stderr.write = write;
    }
    expect(writes.join('')).toContain(`skblab web: no lab '${brokers().testLab}-nolab'`);
  });
});
