/**
 * fs/namei.c: path lookup in the host's file store, open (path_openat with O_CREAT, O_EXCL, O_TRUNC),
 * unlink (do_unlinkat), mknod of a socket (vfs_mknod, for AF_UNIX's bind), mkdir and rmdir. The working
 * directory is /, so a relative path starts there.
 */
import { EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY } from '../include/linux/errno';
import {
  FMODE_LSEEK,
  FMODE_PREAD,
  FMODE_READ,
  FMODE_WRITE,
  O_ACCMODE,
  O_CREAT,
  O_EXCL,
  O_RDONLY,
  O_RDWR,
  O_TRUNC,
  O_WRONLY,
  S_IFDIR,
  S_IFREG,
  S_ISDIR,
  S_ISREG,
  type File,
  type Inode,
  type SuperBlock,
} from '../include/linux/fs';
import { ramfs_get_inode } from './ramfs/inode';

/** link_path_walk's result: the normalised absolute path and its parent's, or an errno. */
function path_walk(sb: SuperBlock, name: string): { path: string; parent: string } | number {
  if (name === '') return -ENOENT;
  const parts: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  // Every component but the last must be a directory.
  for (let i = 0; i < parts.length - 1; i++) {
    const dir = sb.dentries.get('/' + parts.slice(0, i + 1).join('/'));
    if (!dir) return -ENOENT;
    if (!S_ISDIR(dir.mode)) return -ENOTDIR;
  }
  return { path: '/' + parts.join('/'), parent: '/' + parts.slice(0, -1).join('/') };
}

/**
 * path_openat → do_open: the file `name` opened with `flags` (O_CREAT makes a regular file of `mode`; O_EXCL
 * fails on one that exists; O_TRUNC empties it), or a negative errno.
 */
export function path_openat(sb: SuperBlock, name: string, flags: number, mode = 0o644): File | number {
  const w = path_walk(sb, name);
  if (typeof w === 'number') return w;
  let inode = sb.dentries.get(w.path);
  if (!inode) {
    if (!(flags & O_CREAT)) return -ENOENT;
    inode = ramfs_get_inode(sb, S_IFREG | (mode & 0o7777));
    sb.dentries.set(w.path, inode);
  } else if (flags & O_CREAT && flags & O_EXCL) return -EEXIST;
  const acc = flags & O_ACCMODE;
  if (S_ISDIR(inode.mode) && (acc !== O_RDONLY || flags & O_CREAT)) return -EISDIR;
  // do_truncate: O_TRUNC on a regular file opened for writing empties it.
  if (flags & O_TRUNC && S_ISREG(inode.mode) && acc !== O_RDONLY) inode.size = 0;
  let fMode = FMODE_LSEEK | FMODE_PREAD;
  if (acc === O_RDONLY || acc === O_RDWR) fMode |= FMODE_READ;
  if (acc === O_WRONLY || acc === O_RDWR) fMode |= FMODE_WRITE;
  return { inode, path: w.path, fPos: 0, fFlags: flags, fMode };
}

/** do_unlinkat: remove a name that is not a directory (one is EISDIR, as unlink(2) on Linux says). */
export function do_unlinkat(sb: SuperBlock, name: string): number {
  const w = path_walk(sb, name);
  if (typeof w === 'number') return w;
  const inode = sb.dentries.get(w.path);
  if (!inode) return -ENOENT;
  if (S_ISDIR(inode.mode)) return -EISDIR;
  sb.dentries.delete(w.path);
  return 0;
}

/** vfs_stat's answer for the tools: the inode at `name`, or null. */
export function lookup_inode(sb: SuperBlock, name: string) {
  const w = path_walk(sb, name);
  return typeof w === 'number' ? null : (sb.dentries.get(w.path) ?? null);
}

/** kern_path: the inode at `name`, or -ENOENT / -ENOTDIR as the walk found. */
export function kern_path(sb: SuperBlock, name: string): Inode | number {
  const w = path_walk(sb, name);
  if (typeof w === 'number') return w;
  return sb.dentries.get(w.path) ?? -ENOENT;
}

/** kern_path_create's checks: the parent must be a directory that exists, the name must be free. */
function path_create(sb: SuperBlock, name: string): string | number {
  const w = path_walk(sb, name);
  if (typeof w === 'number') return w;
  const parent = sb.dentries.get(w.parent);
  if (!parent) return -ENOENT;
  if (!S_ISDIR(parent.mode)) return -ENOTDIR;
  if (w.path === '/' || sb.dentries.has(w.path)) return -EEXIST;
  return w.path;
}

/** kern_path_create + vfs_mknod: a new inode of `mode` (a socket's S_IFSOCK) at `name`, or -EEXIST etc. */
export function vfs_mknod(sb: SuperBlock, name: string, mode: number): Inode | number {
  const p = path_create(sb, name);
  if (typeof p === 'number') return p;
  const inode = ramfs_get_inode(sb, mode);
  sb.dentries.set(p, inode);
  return inode;
}

/** do_mkdirat: a new directory (mkdtemp's mkdir(2)). */
export function do_mkdirat(sb: SuperBlock, name: string, mode = 0o700): number {
  const p = path_create(sb, name);
  if (typeof p === 'number') return p;
  sb.dentries.set(p, ramfs_get_inode(sb, S_IFDIR | (mode & 0o7777)));
  return 0;
}

/** do_rmdir: remove an empty directory. */
export function do_rmdir(sb: SuperBlock, name: string): number {
  const w = path_walk(sb, name);
  if (typeof w === 'number') return w;
  const inode = sb.dentries.get(w.path);
  if (!inode) return -ENOENT;
  if (!S_ISDIR(inode.mode)) return -ENOTDIR;
  for (const k of sb.dentries.keys()) if (k.startsWith(w.path + '/')) return -ENOTEMPTY;
  sb.dentries.delete(w.path);
  return 0;
}
