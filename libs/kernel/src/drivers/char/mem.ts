/**
 * drivers/char/mem.c: the memory character devices /dev/zero and /dev/null (chr_dev_init's devlist), made
 * in the host's /dev as devtmpfs would.
 */
import { S_IFCHR, type FileOperations, type SuperBlock } from '../../include/linux/fs';

/** read_iter_zero: as many zero bytes as asked for. */
function read_iter_zero(_file: unknown, _pos: { v: number }, len: number): Uint8Array {
  return new Uint8Array(Math.max(0, len));
}

/** read_iter_null: end of file at once. */
function read_iter_null(): Uint8Array {
  return new Uint8Array(0);
}

/** write_iter_null (also /dev/zero's write): every byte taken, none kept. */
function write_iter_null(_file: unknown, _pos: { v: number }, data: Uint8Array): number {
  return data.length;
}

const zero_fops: FileOperations = { read_iter: read_iter_zero, write_iter: write_iter_null };
const null_fops: FileOperations = { read_iter: read_iter_null, write_iter: write_iter_null };

/** chr_dev_init: /dev/null (1,3) and /dev/zero (1,5). */
export function chr_dev_init(sb: SuperBlock): void {
  for (const [name, fop, minor] of [
    ['null', null_fops, 3],
    ['zero', zero_fops, 5],
  ] as const)
    sb.dentries.set(`/dev/${name}`, {
      ino: sb.nextIno++,
      mode: S_IFCHR | 0o666,
      data: new Uint8Array(0),
      size: 0,
      fop,
      rdev: (1 << 20) | minor,
    });
}
