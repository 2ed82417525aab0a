/**
 * fs/splice.c: sendfile's path from a file to a socket. splice_direct_to_actor reads the file into the
 * task's internal pipe (at most its 16 pages at a time) and hands it to direct_splice_actor →
 * splice_to_socket, which sends the pipe's pages with sock_sendmsg(MSG_SPLICE_PAGES) (here inet_sendmsg →
 * tcp_sendmsg: the bytes become TCP payload as a write's would).
 */
import type { File } from '../include/linux/fs';
import { FMODE_LSEEK } from '../include/linux/fs';
import { EINVAL } from '../include/linux/errno';
import type { TcpSock } from '../include/linux/tcp';
import type { KernelCtx } from '../include/net/kctx';
import { MSG_DONTWAIT, MSG_MORE, MSG_SPLICE_PAGES } from '../include/net/tcp';
import { tcp_sendmsg, tcp_splice_eof } from '../net/ipv4/tcp';

/** splice flags (include/linux/splice.h) */
export const SPLICE_F_NONBLOCK = 0x02;
export const SPLICE_F_MORE = 0x04;

/** PIPE_DEF_BUFFERS pages of the internal pipe (alloc_pipe_info). */
const PIPE_CAPACITY = 16 * 4096;

/**
 * splice_to_socket: send the pipe's bytes in one sock_sendmsg (its 16 bio_vecs cover the whole pipe), with
 * MSG_MORE while the caller says more follows. The model's tcp_sendmsg never sleeps: a blocking caller
 * (the Task) waits for send space and calls again for the rest. Returns the bytes sent or an errno.
 */
export function splice_to_socket(ctx: KernelCtx, pipe: Uint8Array, sk: TcpSock, flags: number): number {
  let msgFlags = MSG_SPLICE_PAGES | MSG_DONTWAIT;
  if (flags & SPLICE_F_MORE) msgFlags |= MSG_MORE;
  return tcp_sendmsg(ctx, sk, pipe, msgFlags);
}

/**
 * splice_direct_to_actor (do_splice_direct's loop): read at *pos into the pipe, send it; SPLICE_F_MORE is
 * signalled until what was read covers the request. A short send ends the call (pos moves by what went).
 * At the file's end before `len`, after sending something without the caller's MORE, do_splice_eof pushes
 * (tcp_splice_eof).
 */
export function splice_direct_to_actor(
  ctx: KernelCtx,
  inFile: File,
  pos: { v: number },
  sk: TcpSock,
  len: number,
  callerFlags = 0,
): number {
  // We require the input to be seekable.
  if (!(inFile.fMode & FMODE_LSEEK) || !inFile.inode.fop) return -EINVAL;
  const more = callerFlags & SPLICE_F_MORE;
  let flags = callerFlags | SPLICE_F_MORE;
  let bytes = 0;
  while (len) {
    const readPos = { v: pos.v };
    const prev = pos.v;
    // do_splice_read: up to the pipe's capacity.
    const chunk = inFile.inode.fop.read_iter(inFile, readPos, Math.min(len, PIPE_CAPACITY));
    if (chunk.length <= 0) {
      // read_failure: the file ended.
      if (!more && len > 0 && bytes) tcp_splice_eof(ctx, sk);
      return bytes;
    }
    if (chunk.length >= len && !more) flags &= ~SPLICE_F_MORE;
    const ret = splice_to_socket(ctx, chunk, sk, flags);
    if (ret <= 0) {
      pos.v = prev;
      return bytes || ret;
    }
    bytes += ret;
    len -= ret;
    pos.v = readPos.v;
    if (ret < chunk.length) {
      pos.v = prev + ret;
      return bytes;
    }
  }
  return bytes;
}
