#!/usr/bin/env node
// Builds the distributed-mode services: one esbuild bundle per app, dist/apps/<layer>/main.js, holding the
// repo's own code (apps/<layer>, libs/*); the npm packages stay in node_modules (require()d at run time).
//
//   node libs/service/build.js [LAYER...]      (default: every service in apps/: socket ip ... control)
//
// Not plain esbuild: esbuild drops TypeScript's decorator metadata (emitDecoratorMetadata), and Nest reads it
// to inject providers and to know which DTO class a request body must be validated against. So each .ts file
// is compiled by TypeScript itself (transpileModule, the way ts-jest runs the tests) and esbuild only bundles.
// The services refuse to start if the metadata is missing (assertDecoratorMetadata in bootstrap.ts).
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const LAYERS = ['socket', 'ip', 'neigh', 'dev', 'loopback', 'nic', 'softirq', 'rx', 'control'];

/** An esbuild plugin: .ts files go through TypeScript's transpileModule with the repo's compiler options. */
function typescriptWithDecoratorMetadata() {
  const ts = require('typescript');
  const tsconfig = path.join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root, tsconfig);
  const compilerOptions = {
    ...options,
    module: ts.ModuleKind.ESNext, // esbuild does the module format
    target: ts.ScriptTarget.ES2022,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    declaration: false,
    noEmit: false,
  };
  return {
    name: 'typescript-decorator-metadata',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        const out = ts.transpileModule(source, {
          compilerOptions,
          fileName: args.path,
          reportDiagnostics: false,
        });
        return { contents: out.outputText, loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/** Bundles the given services; resolves the paths of the bundles. */
async function buildServices(layers = LAYERS, { outDir = path.join(root, 'dist', 'apps') } = {}) {
  const esbuild = require('esbuild');
  const unknown = layers.filter((l) => !LAYERS.includes(l));
  if (unknown.length) throw new Error(`unknown service(s) ${unknown.join(', ')}: one of ${LAYERS.join(' ')}`);
  const plugin = typescriptWithDecoratorMetadata();
  const outs = [];
  for (const layer of layers) {
    const outfile = path.join(outDir, layer, 'main.js');
    await esbuild.build({
      entryPoints: [path.join(root, 'apps', layer, 'src', 'main.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile,
      tsconfig: path.join(root, 'tsconfig.json'), // the @skblab/* paths are bundled
      packages: 'external', // the npm packages are not: Nest loads optional ones lazily by name
      keepNames: true, // Nest names providers, loggers and OpenAPI operations after the classes
      plugins: [plugin],
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    outs.push(outfile);
  }
  return outs;
}

/** Build the services whose bundle is missing or older than the sources (the CLI's --spawn uses this). */
async function ensureServices(layers = LAYERS) {
  // The staleness rule of the CLI bundle (tools/build.js); required here, so that the Docker build, which
  // has no tools/, can run this file's main.
  const { newestSource } = require('../../tools/build.js');
  const newest = Math.max(newestSource(path.join(root, 'libs')), newestSource(path.join(root, 'apps')));
  const stale = layers.filter((l) => {
    const out = path.join(root, 'dist', 'apps', l, 'main.js');
    return !fs.existsSync(out) || fs.statSync(out).mtimeMs < newest;
  });
  if (stale.length) await buildServices(stale);
  return layers.map((l) => path.join(root, 'dist', 'apps', l, 'main.js'));
}

module.exports = { buildServices, ensureServices, LAYERS };

if (require.main === module) {
  const t0 = Date.now();
  buildServices(process.argv.length > 2 ? process.argv.slice(2) : LAYERS).then(
    (outs) => {
      for (const o of outs) process.stdout.write(`${path.relative(root, o)}\n`);
      process.stderr.write(`built ${outs.length} service(s) in ${Date.now() - t0} ms\n`);
    },
    (e) => {
      process.stderr.write(`libs/service/build.js: ${e.message}\n`);
      process.exit(1);
    },
  );
}
