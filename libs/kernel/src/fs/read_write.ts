/**
 * fs/read_write.c: read(2), write(2) and sendfile(2) on the host's files.
 */
import { EBADF, EINVAL, EISDIR, ESPIPE } from '../include/linux/errno';
import { FMODE_PREAD, FMODE_READ, FMODE_WRITE, S_ISDIR, type File } from '../include/linux/fs';
import type { TcpSock } from '../include/linux/tcp';
import type { KernelCtx } from '../include/net/kctx';
import { splice_direct_to_actor } from './splice';

/** MAX_RW_COUNT: INT_MAX rounded down to a page. */
export const MAX_RW_COUNT = 0x7ffff000;

/** vfs_read (ksys_read's f_pos): up to `count` bytes, or an errno. */
export function vfs_read(file: File, count: number): Uint8Array | number {
  if (!(file.fMode & FMODE_READ)) return -EBADF;
  if (S_ISDIR(file.inode.mode)) return -EISDIR;
  if (!file.inode.fop) return -EINVAL;
  const pos = { v: file.fPos };
  const out = file.inode.fop.read_iter(file, pos, Math.min(count, MAX_RW_COUNT));
  file.fPos = pos.v;
  return out;
}

/** vfs_write (ksys_write's f_pos): the bytes written, or an errno. */
export function vfs_write(file: File, data: Uint8Array): number {
  if (!(file.fMode & FMODE_WRITE)) return -EBADF;
  if (!file.inode.fop) return -EINVAL;
  const pos = { v: file.fPos };
  const n = file.inode.fop.write_iter(file, pos, data);
  file.fPos = pos.v;
  return n;
}

/**
 * do_sendfile: `count` bytes of `inFile` from *ppos (or its f_pos when ppos is null, which then moves) to a
 * TCP socket, through do_splice_direct. Returns the bytes sent or an errno (-EAGAIN: no send space yet).
 */
export function do_sendfile(
  ctx: KernelCtx,
  inFile: File,
  sk: TcpSock,
  ppos: { v: number } | null,
  count: number,
): number {
  if (!(inFile.fMode & FMODE_READ)) return -EBADF;
  if (ppos && !(inFile.fMode & FMODE_PREAD)) return -ESPIPE;
  const pos = { v: ppos ? ppos.v : inFile.fPos };
  if (pos.v < 0 || count < 0) return -EINVAL;
  if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
  const ret = splice_direct_to_actor(ctx, inFile, pos, sk, count);
  if (ppos) ppos.v = pos.v;
  else inFile.fPos = pos.v;
  return ret;
}
