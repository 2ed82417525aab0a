/**
 * mm/filemap.c: reading and writing a file through its page cache. A ramfs file lives only there, so its
 * bytes are the inode's data (fs/ramfs/file-mmu.c uses these generic operations).
 */
import type { File } from '../include/linux/fs';

/** generic_file_read_iter → filemap_read: copy what lies between *pos and i_size, at most `len`. */
export function generic_file_read_iter(file: File, pos: { v: number }, len: number): Uint8Array {
  const inode = file.inode;
  if (pos.v >= inode.size || len <= 0) return new Uint8Array(0);
  const end = Math.min(inode.size, pos.v + len);
  const out = inode.data.slice(pos.v, end);
  pos.v = end;
  return out;
}

/**
 * generic_file_write_iter → generic_perform_write: copy into the page cache at *pos (O_APPEND: at i_size),
 * growing i_size.
 */
export function generic_file_write_iter(file: File, pos: { v: number }, data: Uint8Array): number {
  const inode = file.inode;
  if (file.fFlags & 0o2000 /* O_APPEND */) pos.v = inode.size;
  const end = pos.v + data.length;
  if (end > inode.data.length) {
    const grown = new Uint8Array(Math.max(end, inode.data.length * 2, 64));
    grown.set(inode.data.subarray(0, inode.size));
    inode.data = grown;
  }
  // A hole between i_size and pos reads as zeroes.
  if (pos.v > inode.size) inode.data.fill(0, inode.size, pos.v);
  inode.data.set(data, pos.v);
  pos.v = end;
  if (end > inode.size) inode.size = end;
  return data.length;
}
