/**
 * fs/ramfs/inode.c: the host's root file system, kept in memory: the directories a booted box has (/, /tmp,
 * /dev, /proc, /sys, /bin, /usr/bin), regular files the tools write, and /dev's character devices.
 * /proc and /sys are read through their own show functions (userland's cat), not through these inodes.
 */
import { chr_dev_init } from '../../drivers/char/mem';
import { S_IFDIR, S_ISREG, type FileOperations, type Inode, type SuperBlock } from '../../include/linux/fs';
import { generic_file_read_iter, generic_file_write_iter } from '../../mm/filemap';

/** ramfs_file_operations (fs/ramfs/file-mmu.c): the generic page-cache read and write. */
export const ramfs_file_operations: FileOperations = {
  read_iter: generic_file_read_iter,
  write_iter: generic_file_write_iter,
};

/** ramfs_get_inode: a new inode of `mode` (a regular file gets ramfs_file_operations). */
export function ramfs_get_inode(sb: SuperBlock, mode: number): Inode {
  return {
    ino: sb.nextIno++,
    mode,
    data: new Uint8Array(0),
    size: 0,
    fop: S_ISREG(mode) ? ramfs_file_operations : null,
  };
}

/** ramfs_fill_super, then what a booted box has under its root. */
export function ramfs_fill_super(): SuperBlock {
  const sb: SuperBlock = { dentries: new Map(), nextIno: 1 };
  for (const dir of ['/', '/tmp', '/dev', '/proc', '/sys', '/bin', '/usr', '/usr/bin', '/etc'])
    sb.dentries.set(dir, ramfs_get_inode(sb, S_IFDIR | 0o755));
  chr_dev_init(sb);
  return sb;
}
