/**
 * Prints what one side observes for some scenarios, to look at the target while implementing:
 *
 *   npx tsx test/differential/show.ts [--skblab] [--transcript] [--json] [name ...]
 *
 * Without --skblab it runs the real kernel (root, namespaces). Names default to all scenarios.
 */
import { deleteStaleNamespaces, probeRealKernel, RealKernel } from './real-kernel';
import { SCENARIOS } from './scenarios';
import { observe, transcript } from './script';
import { runSkblab } from './skblab-side';

function main(): void {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const names = args.filter((a) => !a.startsWith('--'));
  const chosen = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;
  if (chosen.length === 0)
    throw new Error(`no such scenario; known: ${SCENARIOS.map((s) => s.name).join(' ')}`);
  const skblab = flags.has('--skblab');
  let real: RealKernel | undefined;
  if (!skblab) {
    const why = probeRealKernel();
    if (why) throw new Error(`the real side cannot run here: ${why}`);
    deleteStaleNamespaces();
    real = new RealKernel();
  }
  try {
    for (const s of chosen) {
      const t0 = Date.now();
      const run = real ? real.run(s) : runSkblab(s);
      const ms = Date.now() - t0;
      console.log(`=== ${s.name} (${run.side}, ${ms} ms): ${s.description}`);
      if (flags.has('--transcript')) console.log(transcript(run));
      const obs = observe(s, run, run.side === 'real');
      console.log(flags.has('--json') ? JSON.stringify(obs, null, 2) : pretty(obs));
    }
  } finally {
    real?.cleanup();
  }
}

function pretty(obs: ReturnType<typeof observe>): string {
  const out: string[] = [];
  const counters = (c: Record<string, number> | string): string =>
    typeof c === 'string'
      ? c
      : Object.entries(c)
          .map(([k, v]) => `${k} ${v > 0 ? '+' : ''}${v}`)
          .join(', ') || '(none)';
  for (const [ns, c] of Object.entries(obs.snmp)) out.push(`snmp ${ns}: ${counters(c)}`);
  for (const [ns, c] of Object.entries(obs.netstat)) out.push(`netstat ${ns}: ${counters(c)}`);
  for (const [dev, c] of Object.entries(obs.links)) out.push(`link ${dev}: ${counters(c)}`);
  for (const [cmd, text] of Object.entries(obs.texts)) out.push(`$ ${cmd}\n${text.replace(/^/gm, '| ')}`);
  for (const [cmd, { status, text }] of Object.entries(obs.outputs)) {
    out.push(`$ ${cmd}   (exit ${status})\n${text.replace(/^/gm, '| ')}`);
  }
  return out.join('\n');
}

main();
