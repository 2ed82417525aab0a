/**
 * lib/siphash.c: SipHash-2-4, the keyed 64-bit PRF that makes TCP Fast Open server cookies. The message is
 * read as little-endian 64-bit words, as the kernel's siphash() does on any architecture.
 */
const M = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & M;
}

/** siphash_key_t */
export interface SiphashKey {
  key: [bigint, bigint];
}

/** siphash(data, len, key): the 64-bit hash. */
export function siphash(data: Uint8Array, key: SiphashKey): bigint {
  const [k0, k1] = key.key;
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const sipround = (): void => {
    v0 = (v0 + v1) & M;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & M;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & M;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const le64 = (off: number, n: number): bigint => {
    let m = 0n;
    for (let i = n - 1; i >= 0; i--) m = (m << 8n) | BigInt(data[off + i]);
    return m;
  };
  const len = data.length;
  const end = len - (len % 8);
  for (let i = 0; i < end; i += 8) {
    const m = le64(i, 8);
    v3 ^= m;
    sipround();
    sipround();
    v0 ^= m;
  }
  const b = ((BigInt(len) << 56n) | le64(end, len - end)) & M;
  v3 ^= b;
  sipround();
  sipround();
  v0 ^= b;
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) sipround();
  return (v0 ^ v1 ^ v2 ^ v3) & M;
}
