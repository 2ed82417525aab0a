/**
 * The differential suite: every scenario runs against the real kernel (network namespaces on this machine)
 * and against skblab (`node bin/skblab shell host1`), and what skblab shows must equal what the kernel
 * shows: nonzero /proc/net/snmp deltas per namespace, `ip -s link` deltas per device, the text of chosen
 * commands, and the output and exit status of chosen action lines. See docs/differential.md.
 *
 * Without root, network namespaces or the tools, the tests are defined with test.skip and a warning says
 * what is missing. Run one scenario: npx jest test/differential/differential -t 'lo-ping-1'
 */
import { deleteStaleNamespaces, probeKernelFeatures, probeRealKernel, RealKernel } from './real-kernel';
import { Scenario, SCENARIOS } from './scenarios';
import { Observed, observe, SideRun, transcript } from './script';
import { runSkblab } from './skblab-side';

const missing = probeRealKernel();
if (missing) {
  console.warn(
    `differential suite SKIPPED: the real-kernel side cannot run on this machine: ${missing}\n` +
      `(it needs Linux, root, ip netns add, iproute2, iputils-ping, netcat-openbsd, nsenter, timeout)`,
  );
}
const maybe = missing ? test.skip : test;

/** Scenarios that need a kernel feature this kernel lacks (netem here) are skipped, and say so. */
const lacking = missing ? new Map<string, string>() : probeKernelFeatures();
for (const s of SCENARIOS) {
  const why = (s.needs ?? []).filter((f) => lacking.has(f));
  if (why.length)
    console.warn(`differential scenario ${s.name} SKIPPED: ${why.map((f) => lacking.get(f)).join('; ')}`);
}
const testFor = (s: Scenario): typeof test =>
  (s.needs ?? []).some((f) => lacking.has(f)) ? test.skip : maybe;

/** A skblab that hangs would cost every scenario its full time limit: stop trying after a few in a row. */
const GIVE_UP_AFTER_TIMEOUTS = 3;
let skblabTimeouts = 0;

function withContext(e: unknown, context: string): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  err.message = `${err.message}\n\n${context}`;
  return err;
}

function show(obs: Observed): string {
  return JSON.stringify(obs, null, 2);
}

/** What the real kernel showed, per scenario, for the distributed-mode run to be held to as well. */
const realByScenario = new Map<string, Observed>();

describe('differential: real kernel vs skblab', () => {
  let real: RealKernel | undefined;

  beforeAll(() => {
    if (missing) return;
    deleteStaleNamespaces();
    real = new RealKernel();
  });

  afterAll(() => real?.cleanup());

  for (const s of SCENARIOS) {
    testFor(s)(
      `${s.name}: ${s.description}`,
      () => {
        const realRun = (real as RealKernel).run(s);
        let realObs: Observed;
        try {
          realObs = observe(s, realRun, true);
          realByScenario.set(s.name, realObs);
        } catch (e) {
          throw withContext(
            e,
            'The REAL-kernel side failed: this is a problem of the suite or of this machine.',
          );
        }
        let skRun: SideRun;
        let skObs: Observed;
        try {
          if (skblabTimeouts >= GIVE_UP_AFTER_TIMEOUTS) {
            throw new Error(
              `skblab not run: it timed out in the last ${skblabTimeouts} scenarios, so the rest are not tried.`,
            );
          }
          skRun = runSkblab(s);
          skblabTimeouts = skRun.exit.startsWith('timed out') ? skblabTimeouts + 1 : 0;
          skObs = observe(s, skRun);
        } catch (e) {
          throw withContext(e, `What the real kernel shows for this scenario:\n${show(realObs)}`);
        }
        try {
          expect(skObs).toEqual(realObs);
        } catch (e) {
          throw withContext(
            e,
            `skblab transcript:\n${transcript(skRun)}\n\nreal-kernel transcript:\n${transcript(realRun)}`,
          );
        }
      },
      ((s.timeoutSec ?? 30) * 2 + 20) * 1000,
    );
  }
});

/**
 * Parity: the same scenarios in distributed mode (every layer a service over Kafka, state in Redis), held to
 * what the real kernel showed above. Needs the e2e global setup's brokers (KAFKA_BROKERS, REDIS_URL).
 */
describe('differential: real kernel vs skblab --mode distributed', () => {
  const testLab = process.env.SKBLAB_TEST_LAB_ID;
  SCENARIOS.forEach((s, i) => {
    testFor(s)(
      `${s.name} (distributed): ${s.description}`,
      () => {
        const realObs = realByScenario.get(s.name);
        if (!realObs)
          throw new Error(`the real-kernel run of ${s.name} failed above: nothing to compare with`);
        if (!testLab) throw new Error('no SKBLAB_TEST_LAB_ID: the e2e global setup did not run');
        const skRun = runSkblab(s, { mode: 'distributed', labId: `${testLab}-d${i}` });
        let skObs: Observed;
        try {
          skObs = observe(s, skRun);
        } catch (e) {
          throw withContext(e, `skblab (distributed) transcript:\n${transcript(skRun)}`);
        }
        try {
          expect(skObs).toEqual(realObs);
        } catch (e) {
          throw withContext(e, `skblab (distributed) transcript:\n${transcript(skRun)}`);
        }
      },
      ((s.timeoutSec ?? 30) + 90) * 1000,
    );
  });
});
