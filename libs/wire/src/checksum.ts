/**
 * Checksums: the Internet checksum (RFC 1071) and the IPv4 pseudo-header used by UDP and TCP.
 *
 * Sums are carried unfolded as plain numbers (they stay exact far beyond any 64 KiB datagram) and folded to
 * 16 bits at the end, so a checksum over pseudo-header + header + payload is just a chain of `checksumAdd`
 * calls. Every range added must start at an even offset within the checksummed message; only the last may
 * have odd length (its final byte is padded with a zero, per RFC 1071). Nothing here allocates.
 */

/** Adds the 16-bit big-endian words of `b[off … off+len)` to `sum` and returns the new (unfolded) sum. */
export function checksumAdd(b: Uint8Array, off: number, len: number, sum = 0): number {
  let i = off;
  const end = off + len;
  const end8 = end - 7;
  for (; i < end8; i += 8) {
    sum +=
      ((b[i] << 8) | b[i + 1]) +
      ((b[i + 2] << 8) | b[i + 3]) +
      ((b[i + 4] << 8) | b[i + 5]) +
      ((b[i + 6] << 8) | b[i + 7]);
  }
  for (; i < end - 1; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

/**
 * Like `checksumAdd`, but skips the 16-bit word at `skipAt` (an absolute offset inside the range): the sum a
 * checksum field is computed over, read without first zeroing the field.
 */
export function checksumAddSkipping(
  b: Uint8Array,
  off: number,
  len: number,
  skipAt: number,
  sum = 0,
): number {
  sum = checksumAdd(b, off, skipAt - off, sum);
  return checksumAdd(b, skipAt + 2, off + len - skipAt - 2, sum);
}

/** Folds an unfolded sum to 16 bits with end-around carry (the result is not complemented). */
export function checksumFold(sum: number): number {
  while (sum > 0xffffffff) sum = (sum % 0x100000000) + Math.floor(sum / 0x100000000);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** Complement of the folded sum: the value to store in a checksum field. */
export function checksumFinish(sum: number): number {
  return ~checksumFold(sum) & 0xffff;
}

/** The RFC 1071 Internet checksum of `b[off … off+len)`. */
export function internetChecksum(b: Uint8Array, off: number, len: number): number {
  return ~checksumFold(checksumAdd(b, off, len, 0)) & 0xffff;
}

/** True when the range, checksum field included, sums to 0xffff (i.e. the checksum verifies). */
export function internetChecksumValid(b: Uint8Array, off: number, len: number, initial = 0): boolean {
  return checksumFold(checksumAdd(b, off, len, initial)) === 0xffff;
}

/**
 * Unfolded sum of the IPv4 pseudo-header (RFC 768 / RFC 793): source, destination, zero + protocol, and the
 * transport length (header + payload).
 */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * What Linux leaves in a UDP/TCP checksum field for CHECKSUM_PARTIAL (checksum offload, always used on lo and
 * by default on veth): the folded, uncomplemented pseudo-header sum, `~csum_tcpudp_magic(…, 0)`. The device
 * (or, on lo/veth, nobody) is expected to add the payload. tcpdump shows such packets as "bad cksum".
 */
export function pseudoHeaderPartialChecksum(
  src: number,
  dst: number,
  protocol: number,
  length: number,
): number {
  return checksumFold(pseudoHeaderSum(src, dst, protocol, length));
}

/**
 * The UDP/TCP checksum of the segment `b[off … off+len)` (whose checksum field, at `off + fieldOffset`, is
 * skipped) with the pseudo-header for `src`, `dst`, `protocol`. No UDP zero rule here: see udp.ts.
 */
export function transportChecksum(
  b: Uint8Array,
  off: number,
  len: number,
  fieldOffset: number,
  src: number,
  dst: number,
  protocol: number,
): number {
  const sum = checksumAddSkipping(b, off, len, off + fieldOffset, pseudoHeaderSum(src, dst, protocol, len));
  return ~checksumFold(sum) & 0xffff;
}

/** True when the segment, checksum field included, verifies against the pseudo-header. */
export function transportChecksumValid(
  b: Uint8Array,
  off: number,
  len: number,
  src: number,
  dst: number,
  protocol: number,
): boolean {
  return checksumFold(checksumAdd(b, off, len, pseudoHeaderSum(src, dst, protocol, len))) === 0xffff;
}

/**
 * Incremental update (RFC 1624, eqn. 3) of checksum `check` when a 16-bit word changes from `oldWord` to
 * `newWord`; Linux's csum_replace2(). Useful for TTL decrement and NAT without re-summing.
 */
export function checksumReplace16(check: number, oldWord: number, newWord: number): number {
  return ~checksumFold((~check & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff)) & 0xffff;
}

/** Incremental update when a 32-bit field (an IPv4 address) changes; Linux's csum_replace4(). */
export function checksumReplace32(check: number, oldValue: number, newValue: number): number {
  const sum =
    (~check & 0xffff) +
    (~(oldValue >>> 16) & 0xffff) +
    (~oldValue & 0xffff) +
    (newValue >>> 16) +
    (newValue & 0xffff);
  return ~checksumFold(sum) & 0xffff;
}
