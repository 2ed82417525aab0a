/**
 * MSG_ZEROCOPY on a TCP socket over 127.0.0.1, through the Task's system calls: SO_ZEROCOPY, the
 * completion on the error queue once the data is acknowledged (COPIED: the loopback receive path copies
 * the pinned pages), poll's POLLERR without sk_err, and recvmsg(MSG_ERRQUEUE).
 */
import {
  AF_INET,
  EAGAIN,
  EINVAL,
  EOPNOTSUPP,
  IPPROTO_ICMP,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  SO_SNDBUF,
  SO_ZEROCOPY,
  SO_EE_CODE_ZEROCOPY_COPIED,
  SO_EE_ORIGIN_ZEROCOPY,
} from '@skblab/kernel';
import { MSG_ERRQUEUE, MSG_ZEROCOPY } from '@skblab/kernel/include/net/tcp';
import { Lab } from './lab';
import { POLLERR, POLLOUT, Task } from './task';
import { tcpPair } from './testing/lab-fixtures';

const pair = tcpPair;

/** Wait (simulated) until the socket reports POLLERR, or a second passes. */
async function waitErr(lab: Lab, t: Task, fd: number): Promise<number> {
  const r = await lab.drive(t.poll([{ fd, events: 0 }], lab.now() + 1e9));
  if (typeof r === 'number') throw new Error(`poll ${r}`);
  return r[0];
}

describe('MSG_ZEROCOPY over TCP', () => {
  it('SO_ZEROCOPY is a boolean socket flag on TCP sockets', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const t = new Task(lab, host, host.initNet, 't', 0);
    const fd = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(t.getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY)).toBe(0);
    expect(t.setsockoptLevel(fd, SOL_SOCKET, SO_ZEROCOPY, 2)).toBe(-EINVAL);
    expect(t.setsockoptLevel(fd, SOL_SOCKET, SO_ZEROCOPY, 1)).toBe(0);
    expect(t.getsockopt(fd, SOL_SOCKET, SO_ZEROCOPY)).toBe(1);
    // Not a TCP or UDP socket: -EOPNOTSUPP (sk_setsockopt).
    const ping = t.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    expect(ping).toBeGreaterThan(0);
    expect(t.setsockoptLevel(ping, SOL_SOCKET, SO_ZEROCOPY, 1)).toBe(-EOPNOTSUPP);
  });

  it('completes both sends in one notification [0, 1], COPIED, with POLLERR but no sk_err', async () => {
    const lab = new Lab();
    const { client, server, cfd, afd } = await pair(lab);
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_ZEROCOPY, 1)).toBe(0);
    expect(await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE))).toBe(-EAGAIN);
    const data = new Uint8Array(4000).map((_, i) => i & 0xff);
    expect(await lab.drive(client.send(cfd, data, MSG_ZEROCOPY))).toBe(4000);
    expect(await lab.drive(client.send(cfd, data, MSG_ZEROCOPY))).toBe(4000);
    const got = await lab.drive(server.recv(afd, 8000, 0x100 /* MSG_WAITALL */));
    expect(got).toHaveLength(8000);
    // The receiver's ACK frees the skbs: the completion is queued then.
    expect(await waitErr(lab, client, cfd)).toBe(POLLERR);
    expect(client.pollMask(cfd) & (POLLERR | POLLOUT)).toBe(POLLERR | POLLOUT);
    const r = await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE));
    if (typeof r === 'number') throw new Error(`recvmsg ${r}`);
    expect(r.data).toHaveLength(0);
    expect(r.msgFlags).toBe(MSG_ERRQUEUE);
    expect(r.recverr!.ee).toMatchObject({
      ee_errno: 0,
      ee_origin: SO_EE_ORIGIN_ZEROCOPY,
      ee_code: SO_EE_CODE_ZEROCOPY_COPIED,
      ee_info: 0,
      ee_data: 1,
    });
    expect(client.pollMask(cfd) & POLLERR).toBe(0);
    expect(client.getsockopt(cfd, SOL_SOCKET, SO_ERROR)).toBe(0);
    expect(await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE))).toBe(-EAGAIN);
  });

  it('a blocking send that sleeps for send space is one call: one id', async () => {
    const lab = new Lab();
    const { client, server, cfd, afd } = await pair(lab);
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_ZEROCOPY, 1)).toBe(0);
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_SNDBUF, 4096)).toBe(0);
    const big = new Uint8Array(300_000);
    const sending = client.send(cfd, big, MSG_ZEROCOPY);
    let got = 0;
    while (got < big.length) {
      const r = await lab.drive(server.recv(afd, 65536));
      if (typeof r === 'number' || !r.length) throw new Error(`recv ${String(r)}`);
      got += r.length;
    }
    expect(await lab.drive(sending)).toBe(big.length);
    expect(client.tcpSockOf(cfd)!.zckey).toBe(1);
    expect(await lab.drive(client.send(cfd, new Uint8Array(10), MSG_ZEROCOPY))).toBe(10);
    expect(await lab.drive(server.recv(afd, 10))).toHaveLength(10);
    expect(await waitErr(lab, client, cfd)).toBe(POLLERR);
    const r = await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE));
    if (typeof r === 'number') throw new Error(`recvmsg ${r}`);
    expect([r.recverr!.ee.ee_info, r.recverr!.ee.ee_data]).toEqual([0, 1]);
    expect(await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE))).toBe(-EAGAIN);
  });

  it('a pending notification (POLLERR) neither ends a blocking recv nor a blocking send waiting for space', async () => {
    const lab = new Lab();
    const { client, server, cfd, afd } = await pair(lab);
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_ZEROCOPY, 1)).toBe(0);
    expect(await lab.drive(client.send(cfd, new Uint8Array(100), MSG_ZEROCOPY))).toBe(100);
    expect(await lab.drive(server.recv(afd, 100))).toHaveLength(100);
    expect(await waitErr(lab, client, cfd)).toBe(POLLERR);
    // sk_wait_data waits for data, not for the error queue.
    const reading = client.recv(cfd, 10);
    await lab.drive(lab.sleepUntil(lab.now() + 1e9));
    expect(await lab.drive(server.send(afd, new Uint8Array(10)))).toBe(10);
    expect(await lab.drive(reading)).toHaveLength(10);
    // sk_stream_wait_memory waits for space (sk_err or a shutdown end it), not for the error queue.
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_SNDBUF, 4096)).toBe(0);
    const big = new Uint8Array(200_000);
    const sending = client.send(cfd, big);
    let got = 0;
    while (got < big.length) {
      const r = await lab.drive(server.recv(afd, 65536));
      if (typeof r === 'number' || !r.length) throw new Error(`recv ${String(r)}`);
      got += r.length;
    }
    expect(await lab.drive(sending)).toBe(big.length);
    expect(client.pollMask(cfd) & POLLERR).toBe(POLLERR);
  });

  it('without SO_ZEROCOPY the flag is ignored, and an empty send takes no id', async () => {
    const lab = new Lab();
    const { client, server, cfd, afd } = await pair(lab);
    expect(await lab.drive(client.send(cfd, new Uint8Array(100), MSG_ZEROCOPY))).toBe(100);
    expect(await lab.drive(server.recv(afd, 100))).toHaveLength(100);
    expect(await waitErr(lab, client, cfd)).toBe(0);
    expect(await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE))).toBe(-EAGAIN);

    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_ZEROCOPY, 1)).toBe(0);
    expect(await lab.drive(client.send(cfd, new Uint8Array(0), MSG_ZEROCOPY, [0, 0]))).toBe(0);
    expect(await lab.drive(client.send(cfd, new Uint8Array(10), MSG_ZEROCOPY, [0, 5, 0, 5]))).toBe(10);
    expect(await lab.drive(server.recv(afd, 10))).toHaveLength(10);
    expect(await waitErr(lab, client, cfd)).toBe(POLLERR);
    const r = await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE));
    if (typeof r === 'number') throw new Error(`recvmsg ${r}`);
    expect([r.recverr!.ee.ee_info, r.recverr!.ee.ee_data]).toEqual([0, 0]);
  });
});
