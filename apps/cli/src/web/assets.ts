/**
 * Where the console's bundle is: dist/web-console of the checkout, built by tools/build.js (at `npm ci`,
 * and again here when a front-end source is newer than it). Found from this file, whether it runs from
 * apps/cli/src/web (tests, tsx) or bundled into dist/skblab.js.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The checkout's root: the nearest folder up from here with tools/build.js. */
export function repoRoot(from = __dirname): string {
  for (let d = from; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'tools', 'build.js')) && fs.existsSync(path.join(d, 'package.json')))
      return d;
    if (path.dirname(d) === d) throw new Error(`skblab web: no checkout above ${from} (tools/build.js)`);
  }
}

/** The bundle's folder, built if it is missing or stale. */
export function webAssets(): string {
  const build = createRequire(__filename)(path.join(repoRoot(), 'tools', 'build.js')) as {
    ensureWebConsole: () => string;
  };
  return build.ensureWebConsole();
}
