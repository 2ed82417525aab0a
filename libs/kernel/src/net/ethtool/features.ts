/**
 * net/ethtool/features.c: ETHTOOL_MSG_FEATURES_SET (`ethtool -K DEV tso off gso off`), by the kernel's
 * feature names (netdev_features_strings). The device keeps the features its user turned off
 * (dev->wanted_features' cleared bits). The model's transmit path segments a GSO skb in software where a
 * device lacks TSO, so a TCP stream puts the same segments on the wire either way (Linux's sk_setup_caps
 * gives TCP NETIF_F_GSO whatever the device says); no receive path merges TCP (GRO is not modelled for it).
 */
import type { NetDevice } from '../../include/linux/netdevice';

/** The feature names the model's devices have (netdev_features_strings), all changeable (hw_features). */
export const NETDEV_FEATURE_NAMES = [
  'tx-scatter-gather',
  'tx-checksum-ip-generic',
  'tx-generic-segmentation',
  'tx-tcp-segmentation',
  'tx-tcp-ecn-segmentation',
  'tx-tcp-mangleid-segmentation',
  'tx-tcp6-segmentation',
  'rx-gro',
  'rx-lro',
  'rx-checksum',
] as const;

/** ethnl_set_features → netdev_update_features: the wanted features change; true if any did. */
export function ethnl_set_features(dev: NetDevice, on: string[], off: string[]): boolean {
  const before = new Set(dev.featuresOff ?? []);
  const now = new Set(before);
  for (const f of off) now.add(f);
  for (const f of on) now.delete(f);
  dev.featuresOff = [...now].sort();
  return now.size !== before.size || [...now].some((f) => !before.has(f));
}

/** Whether a feature is on (not turned off by the user). */
export function netdev_feature_on(dev: NetDevice, name: string): boolean {
  return !(dev.featuresOff ?? []).includes(name);
}
