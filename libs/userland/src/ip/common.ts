/**
 * What every `ip` object shares: the invocation (namespace, global options, output), iproute2's argument
 * helpers (matches, NEXT_ARG, invarg, duparg...) with their exact messages and exit statuses, and the
 * printing of netlink errors ("RTNETLINK answers: ..." or the kernel's extack "Error: ....").
 */
import { STRERROR, type Host, type Net, type RtnlResult } from '@skblab/kernel';
import type { Lab } from '@skblab/runtime';
import type { CommandContext } from '../command';

/** exit(status) from anywhere in a handler: the front end catches it and returns the status. */
export class IpExit {
  constructor(readonly status: number) {}
}

export interface IpOptions {
  json: boolean;
  stats: number;
  details: number;
  brief: boolean;
  oneline: boolean;
  /** -4 / -f inet: only IPv4; -0 / -f link: only links. null: any. */
  family: 'inet' | 'inet6' | 'link' | null;
}

/** One invocation of `ip`: where it runs and how it prints. */
export interface Ip {
  ctx: CommandContext;
  lab: Lab;
  host: Host;
  /** The namespace `ip` talks to (`-n NS` switches it). */
  net: Net;
  opts: IpOptions;
  out(s: string): void;
  err(s: string): void;
}

/** iproute2's matches(): `arg` is a non-empty prefix of `word` ("sh" matches "show"). */
export function matches(arg: string | undefined, word: string): boolean {
  return arg !== undefined && arg.length > 0 && arg.length <= word.length && word.startsWith(arg);
}

export function fail(ip: Ip, msg: string, status: number): never {
  ip.err(msg);
  throw new IpExit(status);
}

/** NEXT_ARG(): the value of an option, or "Command line is not complete" (exit 255). */
export function nextArg(ip: Ip, args: string[], i: number): string {
  if (i + 1 >= args.length) fail(ip, 'Command line is not complete. Try option "help"\n', 255);
  return args[i + 1];
}

/** invarg(msg, arg): `msg` carries iproute2's own trailing newline where it has one. */
export function invarg(ip: Ip, msg: string, arg: string): never {
  fail(ip, `Error: argument "${arg}" is wrong: ${msg}\n`, 255);
}

export function duparg(ip: Ip, key: string, arg: string): never {
  fail(ip, `Error: duplicate "${key}": "${arg}" is the second value.\n`, 255);
}

export function duparg2(ip: Ip, key: string, arg: string): never {
  fail(ip, `Error: either "${key}" is duplicate, or "${arg}" is a garbage.\n`, 255);
}

export function nodev(ip: Ip, name: string): never {
  fail(ip, `Cannot find device "${name}"\n`, 1);
}

/** Not in the kernel model's errno table: rtnetlink's answer for an operation a device does not have. */
export const EOPNOTSUPP = 95;

const EXTRA_STRERROR: Record<number, string> = { [EOPNOTSUPP]: 'Operation not supported' };

export function strerror(errno: number): string {
  return STRERROR[errno] ?? EXTRA_STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** What libnetlink prints for a failed request: the extack message if the kernel gave one. */
export function rtnlMessage(err: number, extack?: string): string {
  if (extack) return `Error: ${extack}${extack.endsWith('.') ? '' : '.'}\n`;
  return `RTNETLINK answers: ${strerror(-err)}\n`;
}

/** rtnl_talk() failed: print it and exit 2, as iproute2's modify paths do. */
export function rtnlCheck(ip: Ip, r: RtnlResult | number): void {
  const res = typeof r === 'number' ? { err: r } : r;
  if (res.err < 0) fail(ip, rtnlMessage(res.err, res.extack), 2);
}

/** JSON output: iproute2's json_writer prints compact JSON, one document per command, then a newline. */
export function printJson(ip: Ip, v: unknown): void {
  ip.out(JSON.stringify(v) + '\n');
}
