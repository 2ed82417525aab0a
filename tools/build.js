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
  'bench-class.js': 'tools/bench/class.ts',
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

/** Newest modification time of any file under `dir`. */
function newestFile(dir, newest = 0) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = e.isDirectory() ? newestFile(p, newest) : Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The web console's front end (apps/web-console: xterm.js, cytoscape) bundled for the browser into
 * dist/web-console (index.html, app.js, app.css), when a source or the lockfile is newer than the bundle.
 * `skblab web` serves that folder; nothing is fetched from a CDN.
 */
function ensureWebConsole() {
  const src = path.join(root, 'apps', 'web-console');
  const out = path.join(root, 'dist', 'web-console');
  const stamp = path.join(out, 'app.js');
  const newest = Math.max(newestFile(src), fs.statSync(path.join(root, 'package-lock.json')).mtimeMs);
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= newest) return out;
  fs.mkdirSync(out, { recursive: true });
  require('esbuild').buildSync({
    entryPoints: { app: path.join(src, 'src', 'main.ts') },
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    outdir: out,
    minify: true,
    sourcemap: 'linked',
    tsconfig: path.join(src, 'tsconfig.json'),
    loader: { '.woff2': 'file' },
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(src, 'index.html'), path.join(out, 'index.html'));
  return out;
}

module.exports = { ensureBuilt, ensureWebConsole, newestSource };

if (require.main === module) {
  for (const name of Object.keys(ENTRIES)) ensureBuilt(name);
  ensureWebConsole();
}
