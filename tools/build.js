// Bundles the entry points (the CLI and the benchmarks) with esbuild into dist/, when a source is newer
// than its bundle. A bundle runs the kernel as plain function calls (no module indirection), and starts
// faster than compiling TypeScript on the fly. `npm ci` runs this through the prepare script.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const ENTRIES = {
  'skblab.js': 'apps/cli/src/main.ts',
  'bench.js': 'tools/bench/udp-loopback.ts',
  'bench-tcp.js': 'tools/bench/tcp-loopback.ts',
  'bench-distributed.js': 'tools/bench/distributed.ts',
  'bench-scale.js': 'tools/bench/scale.ts',
  'bench-scale-distributed.js': 'tools/bench/scale-distributed.ts',
  'bench-kafka-tx.js': 'tools/bench/kafka-transactions.ts',
};

function newestSource(dir, newest = 0) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = newestSource(p, newest);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Build `name` if stale; returns the bundle's path. */
function ensureBuilt(name) {
  const out = path.join(root, 'dist', name);
  const newest = Math.max(
    ...['libs', 'apps', 'tools'].map((d) => newestSource(path.join(root, d))),
    fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
  );
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= newest) return out;
  require('esbuild').buildSync({
    entryPoints: [path.join(root, ENTRIES[name])],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: out,
    tsconfig: path.join(root, 'tsconfig.json'),
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return out;
}

module.exports = { ensureBuilt, newestSource };

if (require.main === module) for (const name of Object.keys(ENTRIES)) ensureBuilt(name);
