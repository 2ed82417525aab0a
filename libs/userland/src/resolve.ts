/** Name resolution inside the lab: dotted quads, `localhost`, and the lab's host names. */
import type { Lab } from '@skblab/runtime';
import { parseIpv4 } from '@skblab/wire/address';

export function resolveHost(lab: Lab, name: string): number | null {
  const a = parseIpv4(name);
  if (a !== null) return a;
  if (name === 'localhost') return 0x7f000001;
  const h = lab.hosts.get(name);
  if (h) {
    const ifa = h.initNet.ifaddrs.find((i) => i.dev !== h.initNet.loopbackDev);
    if (ifa) return ifa.local;
  }
  return null;
}
