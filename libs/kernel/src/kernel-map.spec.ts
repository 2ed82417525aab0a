/**
 * Traces must name real kernel functions in the files they say. docs/kernel-map.md is generated from the
 * Linux 6.12 source (tools/kernel-map/generate.ts fails on any name it cannot find there); this checks that
 * every function the model declares has been through that check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNEL_FNS } from './index';

describe('the kernel map', () => {
  const map = fs.readFileSync(path.join(__dirname, '../../../docs/kernel-map.md'), 'utf8');
  it.each(
    [...new Map(KERNEL_FNS.filter((f) => f.layer !== 'hw').map((f) => [f.name, f])).values()].map((f) => [
      f.name,
      f.file,
    ]),
  )('%s is listed as found in %s', (name, file) => {
    expect(map).toMatch(
      new RegExp(`\\|\\s*\`${name}\`\\s*\\|\\s*${file.replace(/[.]/g, '\\.')}:\\d+\\s*\\|`),
    );
  });
  it.each(KERNEL_FNS.filter((f) => f.layer === 'hw').map((f) => [f.name]))(
    'the hardware step %s is listed as not kernel code',
    (name) => {
      expect(map).toMatch(new RegExp(`\\|\\s*\`${name}\`\\s*\\|\\s*hardware`));
    },
  );
});
