/**
 * The established hash of struct inet_hashinfo: full sockets, request socks and TIME_WAIT buckets by their
 * 4-tuple (local address and port, remote address and port). Every segment looks its socket up here, so a
 * lookup builds nothing: the key is a number (both ports exact, the addresses mixed, as inet_ehashfn
 * mixes them into a bucket), and the slot keeps the tuple it was inserted under to tell keys that collide
 * apart (a chain, like the kernel's hlist in a bucket). Iteration is in insertion order, as before.
 */
import type { RequestSock, TcpSock, TimewaitSock } from '../linux/tcp';

export type EhashEntry = TcpSock | RequestSock | TimewaitSock;

interface Slot {
  laddr: number;
  lport: number;
  raddr: number;
  rport: number;
  e: EhashEntry;
  next: Slot | null;
}

/** Both ports (32 bits), then 21 bits of the two addresses mixed: an exact integer below 2^53. */
function ehashfn(laddr: number, lport: number, raddr: number, rport: number): number {
  const h = Math.imul(laddr ^ Math.imul(raddr, 0x9e3779b1), 0x85ebca6b) >>> 11;
  return h * 4294967296 + (((lport << 16) | rport) >>> 0);
}

export class EstablishedHash {
  private readonly slots = new Map<number, Slot>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(laddr: number, lport: number, raddr: number, rport: number): EhashEntry | null {
    laddr >>>= 0;
    raddr >>>= 0;
    for (let s: Slot | null = this.slots.get(ehashfn(laddr, lport, raddr, rport)) ?? null; s; s = s.next)
      if (s.lport === lport && s.rport === rport && s.laddr === laddr && s.raddr === raddr) return s.e;
    return null;
  }

  has(laddr: number, lport: number, raddr: number, rport: number): boolean {
    return this.get(laddr, lport, raddr, rport) !== null;
  }

  /** Insert, or replace the entry of the same tuple in its place. */
  set(laddr: number, lport: number, raddr: number, rport: number, e: EhashEntry): void {
    laddr >>>= 0;
    raddr >>>= 0;
    const k = ehashfn(laddr, lport, raddr, rport);
    const head = this.slots.get(k);
    let last: Slot | null = null;
    for (let s: Slot | null = head ?? null; s; s = s.next) {
      if (s.lport === lport && s.rport === rport && s.laddr === laddr && s.raddr === raddr) {
        s.e = e;
        return;
      }
      last = s;
    }
    const slot: Slot = { laddr, lport, raddr, rport, e, next: null };
    if (last) last.next = slot;
    else this.slots.set(k, slot);
    this.count++;
  }

  delete(laddr: number, lport: number, raddr: number, rport: number): void {
    laddr >>>= 0;
    raddr >>>= 0;
    const k = ehashfn(laddr, lport, raddr, rport);
    let prev: Slot | null = null;
    for (let s: Slot | null = this.slots.get(k) ?? null; s; prev = s, s = s.next) {
      if (!(s.lport === lport && s.rport === rport && s.laddr === laddr && s.raddr === raddr)) continue;
      if (prev) prev.next = s.next;
      else if (s.next) this.slots.set(k, s.next);
      else this.slots.delete(k);
      this.count--;
      return;
    }
  }

  /** Delete the entry if it is the one hashed under its tuple. */
  deleteIf(laddr: number, lport: number, raddr: number, rport: number, e: EhashEntry): void {
    if (this.get(laddr, lport, raddr, rport) === e) this.delete(laddr, lport, raddr, rport);
  }

  *values(): IterableIterator<EhashEntry> {
    for (const head of this.slots.values()) for (let s: Slot | null = head; s; s = s.next) yield s.e;
  }
}
