/** The JSON the console's server answers (apps/cli/src/web/api.ts), as the page reads it. */

export interface DeviceView {
  id: string;
  name: string;
  ifindex: number;
  kind: string;
  mtu: number;
  up: boolean;
  carrier: boolean;
  mac: string;
  qdisc: string;
  addresses: string[];
}

export interface TopologyView {
  hosts: Array<{
    name: string;
    cpus: number;
    namespaces: Array<{ id: string; name: string; inode: number; devices: DeviceView[] }>;
  }>;
  links: Array<{
    kind: 'wire' | 'veth';
    a: string;
    b: string;
    up: boolean;
    delay?: number;
    rate?: number;
    loss?: number;
  }>;
}

export interface StepView {
  seq: number;
  skb: string;
  func: string;
  fn: string;
  file: string;
  line: number | null;
  url: string | null;
  layer: string;
  lane: string;
  host: string;
  netns: string;
  netnsInode: number;
  cpu: number;
  iface: string | null;
  process: string;
  len: number;
  timeNs: number;
  state: string | null;
  dropReason: string | null;
  counters: string[];
  service: string;
}

export interface JourneyView {
  no: number;
  skb: string;
  tuple: string;
  dropReason: string | null;
  steps: StepView[];
}

export interface JourneysAnswer {
  lanes: string[];
  latest: number;
  journeys: JourneyView[];
}

export interface CommandSummary {
  id: number;
  host: string;
  line: string;
  status: number;
  journeys: { first: number; last: number };
}

export interface Moved {
  host: string;
  netns: string;
  source: 'snmp' | 'link' | 'softnet';
  group: string;
  name: string;
  from: number;
  to: number;
}

export interface CountersAnswer {
  counters: {
    namespaces: Array<{
      host: string;
      netns: string;
      snmp: Record<string, Record<string, number>>;
      links: Record<string, Record<string, number>>;
    }>;
    softnet: Array<{ host: string; cpus: Array<Record<string, number>> }>;
  };
  last: (CommandSummary & { moved: Moved[] }) | null;
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return (await r.json()) as T;
}

/** A new element with a class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
