/**
 * net/socket.c: the system-call entry for sending. The model records it on the skb the protocol builds, so a
 * journey starts where the process called into the kernel.
 */
import type { Sock } from '../include/net/sock';
import { unix_addr_text, unix_sk } from '../include/net/af_unix';
import { kfn } from '../include/net/trace';
import { ipv4ToString } from '@skblab/wire/address';

/** __sys_sendto → __sock_sendmsg → sock_sendmsg_nosec (net/socket.c:2161) */
export const SYS_SENDTO = kfn('__sys_sendto', 'net/socket.c', 'syscall', (sk: Sock, len, daddr, dport) => {
  const u = unix_sk(sk);
  if (u) return `${sk.comm}: ${len} bytes on AF_UNIX${u.addr ? ' ' + unix_addr_text(u.addr) : ''}`;
  return `${sk.comm}: ${len} bytes to ${ipv4ToString(daddr)}${dport ? ':' + dport : ''}`;
});
