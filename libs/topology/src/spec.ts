/**
 * What a topology file describes, once parsed and validated: the machines (CPUs, NICs), the wires between
 * NIC ports, and what each host runs at boot (routes, sysctls, any shell line, as in Kathará's .startup
 * files). Every value keeps where it was written, so that a mistake found later (a route `ip` rejects at
 * boot) is still reported as FILE:LINE:COL.
 */

/** Where a value was written in the file (1-based). A generated topology has line 0, col 0 everywhere. */
export interface Pos {
  line: number;
  col: number;
}

/**
 * Where each field's value was written, for the fields the file sets (a defaulted field has none; a
 * generated topology has none at all).
 */
export type FieldPos<K extends string> = Partial<Record<K, Pos>>;

export interface NicSpec {
  name: string;
  /** aa:bb:cc:dd:ee:ff, or null: derived from the host's and the NIC's index (Intel OUI 00:1b:21). */
  mac: string | null;
  mtu: number;
  /** TX/RX queue pairs (igb: 1..8), each with its own MSI-X vector "NAME-TxRx-N". */
  queues: number;
  /** Descriptors per ring (igb: 64..4096 (IGB_MIN_TXD, IGB_MAX_TXD), a multiple of 8; default 256). */
  rxRing: number;
  txRing: number;
  /** The CPU each queue's IRQ is bound to; default queue i → CPU i mod cpus. */
  irqAffinity: number[] | null;
  /** CIDR addresses (ip addr add ADDR dev NAME). */
  addresses: Array<{ cidr: string; pos: Pos }>;
  /** Where the NIC's name (its key under `nics`) was written. */
  pos: Pos;
  posOf?: FieldPos<'mac' | 'mtu' | 'queues' | 'rxRing' | 'txRing' | 'irqAffinity' | 'addresses'>;
}

export interface HostSpec {
  name: string;
  cpus: number;
  nics: NicSpec[];
  /** `ip route add` arguments, e.g. "default via 192.168.1.254". */
  routes: Array<{ route: string; pos: Pos }>;
  /** sysctl name → value, as `sysctl -w name=value`; `pos` is the name's, `valuePos` the value's. */
  sysctls: Array<{ name: string; value: string; pos: Pos; valuePos?: Pos }>;
  /** Shell lines run at boot after the rest, in order. */
  exec: Array<{ line: string; pos: Pos }>;
  /** Where the host's name (its key under `hosts`) was written. */
  pos: Pos;
  posOf?: FieldPos<'cpus' | 'nics' | 'routes' | 'sysctls' | 'exec'>;
}

/** A wire's impairments, as netem would apply them (one direction each; both directions alike). */
export interface WireSpec {
  a: { host: string; nic: string };
  b: { host: string; nic: string };
  /** ns */
  delay: number;
  /** ns */
  jitter: number;
  /** percent, 0..100 */
  loss: number;
  corrupt: number;
  duplicate: number;
  reorder: number;
  /** bits per second (default 1 Gbit/s) */
  rate: number;
  up: boolean;
  /** Where the wire's entry in `wires` starts. */
  pos: Pos;
  posOf?: FieldPos<
    'a' | 'b' | 'delay' | 'jitter' | 'loss' | 'corrupt' | 'duplicate' | 'reorder' | 'rate' | 'up'
  >;
}

export interface TopologySpec {
  /** The file's name as given to the parser, or '<generated>'. */
  file: string;
  hosts: HostSpec[];
  wires: WireSpec[];
}
