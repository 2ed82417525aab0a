/**
 * include/linux/fs.h: the inodes, open files and file operations of the host's file store (a ramfs root,
 * fs/ramfs/inode.ts, with /dev's character devices, drivers/char/mem.ts). Only what the tools and the
 * packetdrill scripts use: regular files, directories, /dev/zero and /dev/null, and the socket inodes
 * AF_UNIX's bind makes.
 */

// include/uapi/linux/stat.h
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
/** A socket's name in the file system: what unix_bind_bsd's vfs_mknod makes (ls shows `s`). */
export const S_IFSOCK = 0o140000;

// include/uapi/asm-generic/fcntl.h
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;

// f_mode bits (FMODE_*)
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
export const FMODE_LSEEK = 0x4;
export const FMODE_PREAD = 0x8;

/** struct file_operations: how a file of its inode reads and writes. */
export interface FileOperations {
  /** ->read_iter: up to `len` bytes at *pos (advanced). */
  read_iter(file: File, pos: { v: number }, len: number): Uint8Array;
  /** ->write_iter: the bytes taken at *pos (advanced). */
  write_iter(file: File, pos: { v: number }, data: Uint8Array): number;
}

/** struct inode: a regular file's bytes (i_size of them), a directory, or a character device. */
export interface Inode {
  ino: number;
  mode: number;
  /** The page cache of a ramfs file: its first `size` bytes are the file. */
  data: Uint8Array;
  size: number;
  fop: FileOperations | null;
  /**
   * i_mtime, in ns of the lab's CLOCK_REALTIME (simulated time since the epoch). The model has no clock, so
   * the task's system calls stamp it (current_time) when they create, write or change a directory's entries.
   */
  mtime?: number;
  /** i_rdev of a device inode: MKDEV(major, minor) as (major << 20) | minor. */
  rdev?: number;
}

/** struct file: an open file description. */
export interface File {
  inode: Inode;
  path: string;
  fPos: number;
  fFlags: number;
  fMode: number;
}

/** struct super_block of the host's root: its dentries by absolute path. */
export interface SuperBlock {
  dentries: Map<string, Inode>;
  nextIno: number;
}

export const S_ISREG = (m: number) => (m & S_IFMT) === S_IFREG;
export const S_ISDIR = (m: number) => (m & S_IFMT) === S_IFDIR;
export const S_ISSOCK = (m: number) => (m & S_IFMT) === S_IFSOCK;
