/** lib/iov_iter.c, for the model's iovecs (each element's length; the bytes travel separately). */

/** iov_iter_advance: the lengths of an iovec's elements after its first `off` bytes. */
export function iov_iter_advance(iov: readonly number[], off: number): number[] {
  const out: number[] = [];
  for (const l of iov) {
    if (off >= l) {
      off -= l;
      continue;
    }
    out.push(l - off);
    off = 0;
  }
  return out;
}
