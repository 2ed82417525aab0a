/**
 * SO_TIMESTAMPING's transmit timestamps on a TCP socket over 127.0.0.1: sock_set_timestamping's checks,
 * SCM_TSTAMP_SCHED / SND / ACK for the last byte of each write on the error queue (ENOMSG,
 * SO_EE_ORIGIN_TIMESTAMPING, OPT_ID keys from snd_una), with the packet's bytes and SCM_TIMESTAMPING.
 */
import {
  EAGAIN,
  EINVAL,
  ENOMSG,
  SOL_SOCKET,
  SO_TIMESTAMPING,
  SO_EE_ORIGIN_TIMESTAMPING,
  SOF_TIMESTAMPING_OPT_ID,
  SOF_TIMESTAMPING_OPT_ID_TCP,
  SOF_TIMESTAMPING_OPT_STATS,
  SOF_TIMESTAMPING_SOFTWARE,
  SOF_TIMESTAMPING_TX_ACK,
  SOF_TIMESTAMPING_TX_SCHED,
  SOF_TIMESTAMPING_TX_SOFTWARE,
  SCM_TSTAMP_ACK,
  SCM_TSTAMP_SCHED,
  SCM_TSTAMP_SND,
} from '@skblab/kernel';
import { MSG_ERRQUEUE, MSG_TRUNC } from '@skblab/kernel/include/net/tcp';
import { Lab } from './lab';
import { Task, type RecvmsgResult } from './task';
import { tcpPair } from './testing/lab-fixtures';

const ALL =
  SOF_TIMESTAMPING_TX_SCHED |
  SOF_TIMESTAMPING_TX_SOFTWARE |
  SOF_TIMESTAMPING_TX_ACK |
  SOF_TIMESTAMPING_SOFTWARE |
  SOF_TIMESTAMPING_OPT_ID;

const pair = tcpPair;

async function readErr(lab: Lab, t: Task, fd: number, len = 0): Promise<RecvmsgResult> {
  const r = await lab.drive(t.recvmsg(fd, len, MSG_ERRQUEUE));
  if (typeof r === 'number') throw new Error(`recvmsg ${r}`);
  return r;
}

describe('SO_TIMESTAMPING over TCP', () => {
  it('refuses OPT_ID on a listener, OPT_ID_TCP without OPT_ID, OPT_STATS without OPT_TSONLY', async () => {
    const lab = new Lab();
    const { server, client, lfd, cfd } = await pair(lab);
    expect(server.setsockoptLevel(lfd, SOL_SOCKET, SO_TIMESTAMPING, ALL)).toBe(-EINVAL);
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_OPT_ID_TCP)).toBe(
      -EINVAL,
    );
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_OPT_STATS)).toBe(
      -EINVAL,
    );
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_TIMESTAMPING, ALL)).toBe(0);
    expect(client.getsockopt(cfd, SOL_SOCKET, SO_TIMESTAMPING)).toBe(ALL);
  });

  it('reports SCHED, SND and ACK for the last byte of each write, keyed from snd_una', async () => {
    const lab = new Lab();
    const { server, client, cfd, afd } = await pair(lab);
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_TIMESTAMPING, ALL)).toBe(0);
    const t0 = lab.now();
    expect(await lab.drive(client.send(cfd, new Uint8Array(1000)))).toBe(1000);
    expect(await lab.drive(server.recv(afd, 1000))).toHaveLength(1000);
    const kinds: number[] = [];
    const stamps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await readErr(lab, client, cfd);
      // A zero-length read of the timestamped packet: truncated.
      expect(r.msgFlags).toBe(MSG_ERRQUEUE | MSG_TRUNC);
      expect(r.data).toHaveLength(0);
      expect(r.recverr!.ee).toMatchObject({
        ee_errno: ENOMSG,
        ee_origin: SO_EE_ORIGIN_TIMESTAMPING,
        ee_data: 999,
      });
      kinds.push(r.recverr!.ee.ee_info);
      stamps.push(r.timestamping![0]);
    }
    expect(kinds).toEqual([SCM_TSTAMP_SCHED, SCM_TSTAMP_SND, SCM_TSTAMP_ACK]);
    expect(stamps[0]).toBeGreaterThanOrEqual(t0);
    expect(stamps[1]).toBeGreaterThanOrEqual(stamps[0]);
    expect(stamps[2]).toBeGreaterThanOrEqual(stamps[1]);
    expect(await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE))).toBe(-EAGAIN);

    // The next write's key counts on; a big enough read gets the packet as it entered the scheduler.
    expect(await lab.drive(client.send(cfd, new Uint8Array(500)))).toBe(500);
    expect(await lab.drive(server.recv(afd, 500))).toHaveLength(500);
    const sched = await readErr(lab, client, cfd, 4096);
    expect(sched.recverr!.ee.ee_info).toBe(SCM_TSTAMP_SCHED);
    expect(sched.recverr!.ee.ee_data).toBe(1499);
    expect(sched.msgFlags).toBe(MSG_ERRQUEUE);
    // lo's frame: the Ethernet header (ETH_P_IP), then the IPv4 header.
    expect((sched.data[12] << 8) | sched.data[13]).toBe(0x0800);
    expect(sched.data[14] >> 4).toBe(4);
    expect(sched.data.length).toBeGreaterThan(14 + 20 + 20 + 500);
    const snd = await readErr(lab, client, cfd, 4096);
    expect(snd.recverr!.ee.ee_info).toBe(SCM_TSTAMP_SND);
    const ack = await readErr(lab, client, cfd, 4096);
    expect(ack.recverr!.ee.ee_info).toBe(SCM_TSTAMP_ACK);
    expect(ack.data).toHaveLength(500); // the retransmit queue's skb: payload only
  });

  it('gives no SCM_TIMESTAMPING without SOF_TIMESTAMPING_SOFTWARE, and no key without OPT_ID', async () => {
    const lab = new Lab();
    const { server, client, cfd, afd } = await pair(lab);
    expect(client.setsockoptLevel(cfd, SOL_SOCKET, SO_TIMESTAMPING, SOF_TIMESTAMPING_TX_ACK)).toBe(0);
    expect(await lab.drive(client.send(cfd, new Uint8Array(100)))).toBe(100);
    expect(await lab.drive(server.recv(afd, 100))).toHaveLength(100);
    const r = await readErr(lab, client, cfd);
    expect(r.recverr!.ee.ee_info).toBe(SCM_TSTAMP_ACK);
    expect(r.recverr!.ee.ee_data).toBe(0);
    expect(r.timestamping).toBeUndefined();
    expect(await lab.drive(client.recvmsg(cfd, 0, MSG_ERRQUEUE))).toBe(-EAGAIN);
  });
});
