/** The services of distributed mode: one per kernel layer, and the control app that drives a lab. */
export const LAYERS = [
  'socket',
  'ip',
  'neigh',
  'dev',
  'loopback',
  'nic',
  'softirq',
  'rx',
  'control',
] as const;

export type LayerName = (typeof LAYERS)[number];

export function isLayerName(s: string): s is LayerName {
  return (LAYERS as readonly string[]).includes(s);
}
