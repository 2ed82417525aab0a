/** Name resolution inside the lab: numeric hosts as inet_aton reads them, `localhost`, the lab's host names. */
import type { Lab } from '@skblab/runtime';
import { inet_aton } from './libc';

export function resolveHost(lab: Lab, name: string): number | null {
  const a = inet_aton(name);
  if (a !== null) return a;
  if (name === 'localhost') return 0x7f000001;
  const h = lab.hosts.get(name);
  if (h) {
    const ifa = h.initNet.ifaddrs.find((i) => i.dev !== h.initNet.loopbackDev);
    if (ifa) return ifa.local;
  }
  return null;
}
