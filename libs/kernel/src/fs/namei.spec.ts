/**
 * The host's file store (fs/ramfs, fs/namei.c, fs/read_write.c, drivers/char/mem.c): open with O_CREAT,
 * O_EXCL and O_TRUNC, reads and writes at the file's offset, unlink, and /dev/zero and /dev/null.
 */
import { EBADF, EEXIST, EISDIR, ENOENT, ENOTDIR } from '../include/linux/errno';
import { O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, type File } from '../include/linux/fs';
import { ramfs_fill_super } from './ramfs/inode';
import { do_unlinkat, lookup_inode, path_openat } from './namei';
import { vfs_read, vfs_write } from './read_write';

const open = (sb: ReturnType<typeof ramfs_fill_super>, p: string, f: number) => {
  const r = path_openat(sb, p, f);
  if (typeof r === 'number') throw new Error(`open ${p}: ${r}`);
  return r;
};

describe('the ramfs file store', () => {
  it('creates a file with O_CREAT, reads back what was written, and keeps it after close', () => {
    const sb = ramfs_fill_super();
    expect(path_openat(sb, '/tmp/f', O_RDONLY)).toBe(-ENOENT);
    const w = open(sb, '/tmp/f', O_WRONLY | O_CREAT | O_TRUNC);
    expect(vfs_write(w, new Uint8Array([1, 2, 3]))).toBe(3);
    expect(vfs_write(w, new Uint8Array([4]))).toBe(1);
    expect(vfs_read(w, 10)).toBe(-EBADF);
    const r = open(sb, '/tmp//./f', O_RDONLY);
    expect(Array.from(vfs_read(r, 2) as Uint8Array)).toEqual([1, 2]);
    expect(Array.from(vfs_read(r, 10) as Uint8Array)).toEqual([3, 4]);
    expect((vfs_read(r, 10) as Uint8Array).length).toBe(0);
    expect(vfs_write(r, new Uint8Array([9]))).toBe(-EBADF);
    expect(lookup_inode(sb, '/tmp/f')!.size).toBe(4);
  });

  it('O_TRUNC empties, O_EXCL refuses an existing file, directories and missing parents fail', () => {
    const sb = ramfs_fill_super();
    vfs_write(open(sb, '/tmp/f', O_RDWR | O_CREAT), new Uint8Array(100));
    open(sb, '/tmp/f', O_WRONLY | O_TRUNC);
    expect(lookup_inode(sb, '/tmp/f')!.size).toBe(0);
    expect(path_openat(sb, '/tmp/f', O_WRONLY | O_CREAT | O_EXCL)).toBe(-EEXIST);
    expect(path_openat(sb, '/tmp', O_WRONLY)).toBe(-EISDIR);
    expect(path_openat(sb, '/nope/f', O_WRONLY | O_CREAT)).toBe(-ENOENT);
    expect(path_openat(sb, '/tmp/f/g', O_RDONLY)).toBe(-ENOTDIR);
  });

  it('unlinks files but not directories', () => {
    const sb = ramfs_fill_super();
    open(sb, '/tmp/f', O_WRONLY | O_CREAT);
    expect(do_unlinkat(sb, '/tmp/f')).toBe(0);
    expect(do_unlinkat(sb, '/tmp/f')).toBe(-ENOENT);
    expect(do_unlinkat(sb, '/tmp')).toBe(-EISDIR);
  });

  it('/dev/zero reads zeroes without end; /dev/null takes everything and reads nothing', () => {
    const sb = ramfs_fill_super();
    const z: File = open(sb, '/dev/zero', O_RDWR);
    const got = vfs_read(z, 4096) as Uint8Array;
    expect(got.length).toBe(4096);
    expect(got.every((b) => b === 0)).toBe(true);
    const n = open(sb, '/dev/null', O_RDWR);
    expect(vfs_write(n, new Uint8Array(7))).toBe(7);
    expect((vfs_read(n, 10) as Uint8Array).length).toBe(0);
  });
});
