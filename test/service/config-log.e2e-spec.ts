/**
 * The configuration log (skblab:<lab>:config) read by a real layer service (the ip service's HopWorker,
 * booted in-process as the app boots it) on the real Kafka and Redis: malformed and hostile entries are
 * refused, counted over /metrics and /state, logged once each with their key, and never run (no file is
 * written); good entries around them are applied; the service keeps consuming and answering.
 */
import type { INestApplication } from '@nestjs/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { configChannel, DistributedNode, encodeConfigEntry, KEYS } from '@skblab/distributed';
import { Lab, type ConfigRecord } from '@skblab/runtime';
import { HopWorker, startHops } from '@skblab/service';
import { IpModule } from '../../apps/ip/src/ip.module';
import { newShell, runScript } from '@skblab/shell';
import { defaultCommands } from '@skblab/userland';
import { eventually, layerApp, need, serviceEnv } from './helpers';

jest.setTimeout(120_000);

const HOSTS = [{ name: 'host1', cpus: 2 }];

/** A shell's view of the lab: what its `ip` makes of a script is the log's next entries. */
const shellLab = new Lab();
shellLab.addHost('host1', 2);
async function recorded(script: string): Promise<string[]> {
  const out: ConfigRecord[] = [];
  shellLab.onConfig = (r) => out.push(r);
  const sh = newShell(shellLab, shellLab.hosts.get('host1')!, defaultCommands(), {
    out: () => undefined,
    err: () => undefined,
  });
  expect(await runScript(sh, script)).toBe(0);
  return out.map(encodeConfigEntry);
}

describe('the configuration log, read by the ip service', () => {
  const labId = `${need('SKBLAB_TEST_LAB_ID')}-cfglog`;
  let control: DistributedNode;
  let app: INestApplication;
  let cwd: string;
  let dir: string;
  const warnings: string[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    control = new DistributedNode({
      labId,
      service: 'control',
      kafkaBrokers: need('KAFKA_BROKERS').split(','),
      redisUrl: need('REDIS_URL'),
    });
    await control.createTopics();
    await control.publishTopology(HOSTS);
    // What the old services did with a line: run it in their working folder. Watch that folder.
    cwd = process.cwd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-cfglog-'));
    process.chdir(dir);
    app = await layerApp('ip', { env: serviceEnv({ SKBLAB_LAB_ID: labId }), imports: [IpModule] });
    await startHops(app, 'ip');
    app.useLogger({
      log: () => undefined,
      error: (m: unknown) => void warnings.push(String(m)),
      warn: (m: unknown) => void warnings.push(String(m)),
    });
    await eventually('the ip service consuming', 60_000, async () =>
      (await http().get('/state')).body.consuming ? true : undefined,
    );
  });

  afterAll(async () => {
    await app?.close();
    process.chdir(cwd);
    const keys = await control.redis.keys('*');
    // keyPrefix applies to commands, not to KEYS' answer.
    const prefix = `skblab:${labId}:`;
    if (keys.length) await control.redis.del(...keys.map((k) => k.slice(prefix.length)));
    await control.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a malformed and a hostile entry, counts and logs each once, runs nothing, and applies the good ones', async () => {
    const first = await recorded('ip netns add blue\nip link add va type veth peer name vb');
    const bad = [
      'not json at all',
      '{"host":"host1","line":"tcpdump -i lo -c 1 -w x.pcap &","rng":0}',
      JSON.stringify({ host: 'host1', rng: 1, comm: 'ip', cpu: 0, op: { op: 'exec', argv: ['touch', 'y'] } }),
    ];
    const entries = [...first, ...bad, ...(await recorded('ip netns add red'))];
    const n = await control.redis.rpush(KEYS.config, ...entries);
    await control.redis.publish(configChannel(labId), String(n));
    const worker = app.get(HopWorker);
    await eventually('every entry seen', 30_000, async () =>
      Number(await control.redis.hget(KEYS.configApplied, 'ip')) === entries.length ? true : undefined,
    );

    const state = (await http().get('/state').expect(200)).body;
    expect(state.messages).toMatchObject({ configApplied: 3, configRejected: 3, configFailed: 0 });
    const metrics = (await http().get('/metrics').expect(200)).text;
    expect(metrics).toContain('skblab_config_entries{result="rejected"} 3');
    expect(metrics).toContain('skblab_config_entries{result="applied"} 3');

    // Applied as kernel operations: the namespaces and the veth pair exist in the service's view.
    const host = worker.node!.lab.hosts.get('host1')!;
    expect([...host.namedNets.keys()].sort()).toEqual(['blue', 'red']);
    expect(host.initNet.devices.map((d) => d.name)).toEqual(expect.arrayContaining(['va', 'vb']));

    // Nothing was run: the working folder is as it was.
    expect(fs.readdirSync(dir)).toEqual([]);
    // Each bad entry is logged once, with its key.
    const refused = warnings.filter((w) => w.includes('refused'));
    expect(refused).toEqual([
      `skblab ip: config entry skblab:${labId}:config[2] refused: not JSON`,
      `skblab ip: config entry skblab:${labId}:config[3] refused: unknown field 'line'`,
      `skblab ip: config entry skblab:${labId}:config[4] refused: unknown configuration operation "exec"`,
    ]);

    // The service goes on: another entry later is applied, and the bad ones are not looked at again.
    const later = await recorded('ip link set va netns blue');
    const n2 = await control.redis.rpush(KEYS.config, ...later);
    await control.redis.publish(configChannel(labId), String(n2));
    await eventually('the later entry applied', 30_000, async () =>
      worker.node!.stats.configApplied === 4 ? true : undefined,
    );
    expect(host.namedNets.get('blue')!.devices.map((d) => d.name)).toContain('va');
    expect(warnings.filter((w) => w.includes('refused')).length).toBe(3);
    expect((await http().get('/healthz')).status).toBe(200);
    expect((await http().get('/state')).body.consuming).toBe(true);
  });
});
