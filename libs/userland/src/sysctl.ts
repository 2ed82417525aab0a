/**
 * sysctl(8) from procps: read (`sysctl NAME`, `-n`), write (`sysctl -w NAME=VALUE`, or `NAME=VALUE`),
 * `-a`, `-e` (ignore unknown keys: no message, no failure), with procps' messages and exit statuses.
 */
import { STRERROR, sysctl_names, sysctl_read } from '@skblab/kernel';
import type { Command } from './command';

const cannotStat = (name: string) =>
  `sysctl: cannot stat /proc/sys/${name.split('.').join('/')}: No such file or directory\n`;

export const sysctl: Command = async (ctx) => {
  let write = false;
  let valueOnly = false;
  let quiet = false;
  let all = false;
  let ignore = false;
  const names: string[] = [];
  for (const a of ctx.argv.slice(1)) {
    if (a === '-w' || a === '--write') write = true;
    else if (a === '-n' || a === '--values') valueOnly = true;
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-a' || a === '-A' || a === '--all') all = true;
    else if (a === '-e' || a === '--ignore') ignore = true;
    else if (/^-[wnqaAe]+$/.test(a)) {
      ignore ||= a.includes('e');
      write ||= a.includes('w');
      valueOnly ||= a.includes('n');
      quiet ||= a.includes('q');
      all ||= /[aA]/.test(a);
    } else if (a.startsWith('-')) {
      ctx.err(`sysctl: invalid option -- '${a[1]}'\n`);
      return 1;
    } else names.push(a);
  }
  const show = (name: string, v: string) => ctx.out(valueOnly ? `${v}\n` : `${name} = ${v}\n`);
  if (all) {
    for (const n of sysctl_names(ctx.host, ctx.net)) show(n, String(sysctl_read(ctx.host, ctx.net, n)));
    return 0;
  }
  if (!names.length) {
    ctx.err("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const arg of names) {
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/\//g, '.');
    if (write || eq >= 0) {
      if (eq < 0) {
        ctx.err('sysctl: command line(0): invalid syntax, continuing...\n');
        status = 1;
        continue;
      }
      const value = arg.slice(eq + 1);
      // procps stats the file first, then writes it: a refused write says why in the kernel's words.
      if (typeof sysctl_read(ctx.host, ctx.net, name) !== 'string') {
        if (ignore) continue;
        ctx.err(cannotStat(name));
        status = 1;
        continue;
      }
      const rc = ctx.lab.configure(ctx.host, { op: 'sysctl.write', netns: ctx.net.name, name, value }).err;
      if (rc < 0) {
        ctx.err(`sysctl: setting key "${name}": ${STRERROR[-rc]}\n`);
        status = 1;
      } else if (!quiet) show(name, String(sysctl_read(ctx.host, ctx.net, name)));
    } else {
      const v = sysctl_read(ctx.host, ctx.net, name);
      if (typeof v !== 'string') {
        if (ignore) continue;
        ctx.err(cannotStat(name));
        status = 1;
      } else show(name, v);
    }
  }
  return status;
};
