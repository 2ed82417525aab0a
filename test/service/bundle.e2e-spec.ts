/**
 * The build that the Dockerfile runs (libs/service/build.js): the ip service bundled, started as a process
 * against the real brokers, asked over HTTP, then stopped with SIGTERM. Also: a bad environment exits 1 with
 * the reason, and a bundle built without decorator metadata (plain esbuild) refuses to start.
 */
import { Kafka, logLevel } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { need, serviceEnv } from './helpers';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
// Inside the repository, so that the bundle finds node_modules the way dist/apps/<layer>/main.js does.
const OUT = path.join(ROOT, '.cache', `service-bundles-${process.env.SKBLAB_TEST_LAB_ID ?? process.pid}`);
const { buildServices } = require('../../libs/service/build.js') as {
  buildServices(layers: string[], opts: { outDir: string }): Promise<string[]>;
};

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const runs: Run[] = [];

function start(bundle: string, env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (d) => (run.stdout += d));
  child.stderr!.on('data', (d) => (run.stderr += d));
  runs.push(run);
  return run;
}

async function listening(run: Run, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = /listening on (http:\/\/\S+)\n/.exec(run.stdout);
    if (m) return m[1];
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`not listening within ${ms} ms\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exitWithin(run: Run, ms: number) {
  return Promise.race([
    run.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no exit within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

let bundle: string;

beforeAll(async () => {
  [bundle] = await buildServices(['ip'], { outDir: OUT });
});

afterAll(async () => {
  for (const r of runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  fs.rmSync(OUT, { recursive: true, force: true });
  // The consumer group the hybrid app joined (`<lab>.ip` + Nest's `-server`).
  const admin = new Kafka({
    clientId: `${need('SKBLAB_TEST_LAB_ID')}-bundle-e2e`,
    brokers: need('KAFKA_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  await admin.deleteGroups([`${need('SKBLAB_TEST_LAB_ID')}.ip-server`]).catch(() => undefined);
  await admin.disconnect();
});

describe('the bundled ip service (node dist/apps/ip/main.js)', () => {
  it('starts, prints one line, answers /healthz, validates, and stops on SIGTERM', async () => {
    const run = start(bundle, { ...serviceEnv(), SKBLAB_LAYER: 'ip' });
    const base = await listening(run, 30_000);
    expect(run.stdout).toMatch(/^skblab ip listening on http:\/\/127\.0\.0\.1:\d+\n$/);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ info: { kafka: { status: 'up' }, redis: { status: 'up' } } });

    const bad = await fetch(`${base}/state/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ netns: 'ns1', limit: 'all' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string[] }).message).toContain(
      'limit must be an integer number',
    );

    const state = await (await fetch(`${base}/state`)).json();
    expect(state).toMatchObject({ layer: 'ip', labId: need('SKBLAB_TEST_LAB_ID') });
    const doc = (await (await fetch(`${base}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.paths['/healthz'].get.operationId).toBe('HealthController_check'); // class names kept

    run.child.kill('SIGTERM');
    const { code, signal } = await exitWithin(run, 15_000);
    expect(code === 0 || signal === 'SIGTERM').toBe(true); // Nest re-raises the signal after closing
  });

  it('exits 1 with every problem when the environment is wrong', async () => {
    const run = start(bundle, { REDIS_URL: 'redis://127.0.0.1:6379', SKBLAB_LAYER: 'dev' });
    expect(await exitWithin(run, 15_000)).toEqual({ code: 1, signal: null });
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'skblab ip: cannot start: invalid environment for skblab ip:\n' +
        '  - SKBLAB_LAYER=dev but this is the ip service (apps/ip): unset SKBLAB_LAYER or start apps/dev\n' +
        '  - KAFKA_BROKERS must be a comma-separated list of host:port, e.g. 127.0.0.1:9092 (not set)\n',
    );
  });

  it('refuses to start when built without decorator metadata (plain esbuild)', async () => {
    const plain = path.join(OUT, 'plain', 'main.js');
    await require('esbuild').build({
      entryPoints: [path.join(ROOT, 'apps/ip/src/main.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: plain,
      tsconfig: path.join(ROOT, 'tsconfig.json'),
      packages: 'external',
      logLevel: 'silent',
    });
    const run = start(plain, serviceEnv());
    expect(await exitWithin(run, 15_000)).toEqual({ code: 1, signal: null });
    expect(run.stderr).toContain('skblab ip: cannot start: this build has no TypeScript decorator metadata');
  });
});
