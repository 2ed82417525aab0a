/**
 * drivers/net/ethernet/intel/igb/igb.h: the adapter, its queue vectors and rings, and the hardware
 * statistics registers ethtool -S reads (struct e1000_hw_stats), reduced to what the model moves.
 */
import type { SkBuff } from '../../../../../include/linux/skbuff';
import type { NapiStruct, NetDevice } from '../../../../../include/linux/netdevice';
import type { IrqDesc } from '../../../../../include/net/net_namespace';
import type { Wire } from '../../../../../hw/wire';

export const IGB_DEFAULT_TXD = 256;
export const IGB_DEFAULT_RXD = 256;
export const IGB_MIN_TXD = 64;
export const IGB_MAX_TXD = 4096;
export const IGB_MIN_RXD = 64;
export const IGB_MAX_RXD = 4096;
export const IGB_DEFAULT_TX_WORK = 128;
/** DESC_NEEDED = MAX_SKB_FRAGS + 4: igb stops a TX queue with fewer free descriptors than this. */
export const DESC_NEEDED = 17 + 4;
export const TX_WAKE_THRESHOLD = DESC_NEEDED * 2;
/** The largest queue count igb gives an 82576/i350 (IGB_MAX_RX_QUEUES). */
export const IGB_MAX_QUEUES = 8;

export interface IgbTxBuffer {
  skb: SkBuff;
  bytecount: number;
  /** The hardware wrote the descriptor back (DD): igb_clean_tx_irq may free it. */
  done: boolean;
}

export interface IgbRing {
  index: number;
  count: number;
  /** TX: descriptors in use, oldest first (next_to_clean .. next_to_use). */
  tx: IgbTxBuffer[];
  /** RX: frames the hardware wrote into posted buffers, not yet cleaned. */
  rx: SkBuff[];
  stats: {
    packets: number;
    bytes: number;
    restartQueue: number;
    drops: number;
    csumErr: number;
    allocFailed: number;
  };
}

/** struct igb_q_vector: one MSI-X vector serving a TX/RX queue pair, with its NAPI. */
export interface IgbQVector {
  index: number;
  adapter: IgbAdapter;
  napi: NapiStruct;
  txRing: IgbRing;
  rxRing: IgbRing;
  irq: IrqDesc;
}

/** struct e1000_hw_stats: the MAC's counters (good packets/octets, missed, no buffer, ...). */
export interface IgbHwStats {
  gprc: number;
  gptc: number;
  gorc: number;
  gotc: number;
  bprc: number;
  bptc: number;
  mprc: number;
  mptc: number;
  mpc: number;
  rnbc: number;
  crcerrs: number;
}

/** netdev_priv(dev) of an igb port: its adapter (null for a device of another driver). */
export function igb_adapter(dev: NetDevice): IgbAdapter | null {
  return dev.ops.kind === 'igb' ? (dev.priv as IgbAdapter) : null;
}

export interface IgbAdapter {
  dev: NetDevice;
  qVectors: IgbQVector[];
  /** The first MSI-X vector ("eth0"): link status and other causes. */
  otherIrq: IrqDesc;
  hw: IgbHwStats;
  txRingCount: number;
  rxRingCount: number;
  txWorkLimit: number;
  /** The port's wire, if any. */
  wire: Wire | null;
  /** When the MAC finishes sending what it has been given (frames leave one after the other). */
  txBusyUntil: number;
  /** PCI address shown by ethtool -i and /proc/interrupts. */
  busInfo: string;
}
