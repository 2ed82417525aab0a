/**
 * `ip netns`: list (newest first, as readdir of the /run/netns tmpfs returns them), add, del, exec,
 * identify, list-id, set (ip/ipnetns.c). Named namespaces belong to the host (`host.namedNets`).
 */
import { fail, matches, printJson, type Ip } from './common';
import { getUnsigned } from './parse';
import { nsidList, peernet2id, setNsid } from './state';
import { NETNS_USAGE } from './usage';

function usage(ip: Ip): never {
  fail(ip, NETNS_USAGE, 255);
}

/** /run/netns exists once a namespace was ever added on the host. */
const runDirs = new WeakSet<object>();

function netnsList(ip: Ip): number {
  if (!runDirs.has(ip.host) && !ip.host.namedNets.size) return 0;
  const names = [...ip.host.namedNets.keys()].reverse();
  const rows = names.map((name) => {
    const id = peernet2id(ip.net, ip.host.namedNets.get(name)!);
    return id >= 0 ? { name, id } : { name };
  });
  if (ip.opts.json) printJson(ip, rows);
  else ip.out(rows.map((r) => ('id' in r ? `${r.name} (id: ${r.id})\n` : `${r.name}\n`)).join(''));
  return 0;
}

function netnsListId(ip: Ip): number {
  const rows = nsidList(ip.net).map(([id, peer]) => {
    const name = [...ip.host.namedNets].find(([, n]) => n === peer)?.[0];
    return { id, name };
  });
  if (ip.opts.json)
    printJson(
      ip,
      rows.map((r) => (r.name ? { nsid: r.id, name: r.name } : { nsid: r.id })),
    );
  else ip.out(rows.map((r) => `nsid ${r.id} ${r.name ? `(iproute2 netns name: ${r.name})` : ''}\n`).join(''));
  return 0;
}

async function netnsExec(ip: Ip, args: string[]): Promise<number> {
  if (args.length < 1) fail(ip, 'No netns name specified\n', 1);
  if (args.length < 2) fail(ip, 'No command specified\n', 1);
  const net = ip.host.namedNets.get(args[0]);
  if (!net) fail(ip, `Cannot open network namespace "${args[0]}": No such file or directory\n`, 255);
  return ip.ctx.exec(args.slice(1), { net });
}

export async function doIpNetns(ip: Ip, args: string[]): Promise<number> {
  if (ip.host.namedNets.size) runDirs.add(ip.host);
  if (!args.length) return netnsList(ip);
  const [c, ...rest] = args;
  if (args.length > 1 && (args[1].includes('/') || args[1] === '.' || args[1] === '..'))
    fail(ip, `Invalid netns name "${args[1]}"\n`, 255);
  if (matches(c, 'list') || matches(c, 'show') || matches(c, 'lst')) return netnsList(ip);
  if (matches(c, 'list-id')) return netnsListId(ip);
  if (matches(c, 'help')) usage(ip);
  if (matches(c, 'add')) {
    if (!rest.length) fail(ip, 'No netns name specified\n', 1);
    const name = rest[0];
    runDirs.add(ip.host);
    if (ip.lab.configure(ip.host, { op: 'netns.add', name }).err)
      fail(ip, `Cannot create namespace file "/run/netns/${name}": File exists\n`, 1);
    return 0;
  }
  if (matches(c, 'set')) {
    if (rest.length < 1) fail(ip, 'No netns name specified\n', 1);
    if (rest.length < 2) fail(ip, 'No nsid specified\n', 1);
    const peer = ip.host.namedNets.get(rest[0]);
    if (!peer) fail(ip, `Cannot open network namespace "${rest[0]}": No such file or directory\n`, 1);
    const id = rest[1] === 'auto' ? -1 : getUnsigned(rest[1]);
    if (id === null || id > 0x7fffffff) fail(ip, `Invalid netns id "${rest[1]}"\n`, 1);
    const err = setNsid(ip.net, peer, id);
    if (err) fail(ip, `Error: ${err}.\n`, 2);
    return 0;
  }
  if (matches(c, 'delete')) {
    if (!rest.length) fail(ip, 'No netns name specified\n', 1);
    if (ip.lab.configure(ip.host, { op: 'netns.del', name: rest[0] }).err)
      fail(ip, `Cannot remove namespace file "/run/netns/${rest[0]}": No such file or directory\n`, 1);
    return 0;
  }
  if (matches(c, 'identify')) {
    ip.out(ip.net.name ? `${ip.net.name}\n` : '\n');
    return 0;
  }
  if (matches(c, 'pids')) {
    if (!rest.length) fail(ip, 'No netns name specified\n', 1);
    if (!ip.host.namedNets.has(rest[0]))
      fail(ip, 'Cannot open network namespace: No such file or directory\n', 1);
    return 0;
  }
  if (matches(c, 'exec')) return netnsExec(ip, rest);
  fail(ip, `Command "${c}" is unknown, try "ip netns help".\n`, 255);
}
