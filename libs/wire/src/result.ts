/**
 * Results: how every `parse…` function in this module reports bad input.
 *
 * Parsers never throw on packet data. They return `{ ok: true, value }` or `{ ok: false, error }`, where
 * `error` is one of the `WireError` codes below, so callers (the kernel model) can map a failure to the
 * counter Linux would bump (e.g. IPSTATS_MIB_INHDRERRORS vs INTRUNCATEDPKTS vs CSUMERRORS). Failure results
 * are preallocated, so rejecting a packet allocates nothing. Each layer also has an allocation-free
 * `check…(buf, off, len)` that returns the same code or null.
 */

export const WireError = {
  /** The buffer is shorter than the header, or than the length a header field declares. */
  Truncated: 'truncated',
  /** IPv4 version field is not 4. */
  BadVersion: 'bad-version',
  /** A header-length field is below the minimum (IPv4 IHL < 5, TCP data offset < 5). */
  BadHeaderLength: 'bad-header-length',
  /** A length field is inconsistent with its header (IPv4 total length < IHL*4, UDP length < 8). */
  BadLength: 'bad-length',
  /** The checksum does not verify. */
  BadChecksum: 'bad-checksum',
  /** Well-formed but not something this codec models (e.g. ARP for a non-Ethernet/IPv4 pair). */
  Unsupported: 'unsupported',
  /** A TCP option's length byte is impossible (< 2 or past the end of the options). */
  BadOption: 'bad-option',
} as const;
export type WireError = (typeof WireError)[keyof typeof WireError];

export type WireResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: WireError };

const FAILURES = new Map<WireError, { readonly ok: false; readonly error: WireError }>();
for (const e of Object.values(WireError)) FAILURES.set(e, Object.freeze({ ok: false as const, error: e }));

/** A successful result. */
export function ok<T>(value: T): WireResult<T> {
  return { ok: true, value };
}

/** The (shared, frozen) failure result for `error`. */
export function fail<T>(error: WireError): WireResult<T> {
  return FAILURES.get(error) as WireResult<T>;
}
