/**
 * TCP over 127.0.0.1 through the Task's system calls: the three-way handshake, data both ways, the
 * orderly close, and the counters Linux moves for each.
 */
import {
  AF_INET,
  EBADF,
  EINVAL,
  SOCK_STREAM,
  LINUX_MIB,
  TCP_MIB,
  O_CREAT,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  TC_H_ROOT,
  tc_del_qdisc,
  tc_modify_qdisc,
  type Net,
} from '@skblab/kernel';
import { Lab } from './lab';
import { IP_MTU_DISCOVER, IP_TOS, SOL_IP } from './task';
import { Task } from './task';
import { ip4, tcpPair } from './testing/lab-fixtures';

function tcpMib(net: Net, name: keyof typeof TCP_MIB): number {
  return net.mib.tcp[TCP_MIB[name]];
}
function ext(net: Net, name: keyof typeof LINUX_MIB): number {
  return net.linuxMib[LINUX_MIB[name]];
}

const pair = tcpPair;

describe('TCP on 127.0.0.1', () => {
  it('connects: both ends ESTABLISHED, ActiveOpens and PassiveOpens +1, CurrEstab 2', async () => {
    const lab = new Lab();
    const { net, client, server, cfd, afd } = await pair(lab);
    expect(client.tcpSockOf(cfd)!.state).toBe(1);
    expect(server.tcpSockOf(afd)!.state).toBe(1);
    expect(tcpMib(net, 'ActiveOpens')).toBe(1);
    expect(tcpMib(net, 'PassiveOpens')).toBe(1);
    expect(tcpMib(net, 'CurrEstab')).toBe(2);
    expect(tcpMib(net, 'AttemptFails')).toBe(0);
  });

  it('carries bytes both ways in order', async () => {
    const lab = new Lab();
    const { client, server, cfd, afd } = await pair(lab);
    const msg = new TextEncoder().encode('hello over tcp\n');
    expect(await lab.drive(client.send(cfd, msg))).toBe(msg.length);
    const got = await lab.drive(server.recv(afd, 100));
    expect(new TextDecoder().decode(got as Uint8Array)).toBe('hello over tcp\n');
    const big = new Uint8Array(200_000).map((_, i) => i & 0xff);
    const sending = client.send(cfd, big);
    let total = 0;
    const chunks: Uint8Array[] = [];
    while (total < big.length) {
      const r = await lab.drive(server.recv(afd, 65536));
      if (typeof r === 'number') throw new Error(`recv ${r}`);
      if (!r.length) break;
      chunks.push(r);
      total += r.length;
    }
    expect(await lab.drive(sending)).toBe(big.length);
    const all = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      all.set(c, off);
      off += c.length;
    }
    expect(total).toBe(big.length);
    // Buffer.compare: jest's element-wise toEqual on 200 kB would dominate the test's time.
    expect(Buffer.compare(all, big)).toBe(0);
  });

  it('a connect to a closed port is refused with a RST: ECONNREFUSED, OutRsts and AttemptFails +1', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const net = host.initNet;
    const client = new Task(lab, host, net, 'client', 0);
    const cfd = client.socket(AF_INET, SOCK_STREAM, 0);
    const rc = await lab.drive(client.connectWait(cfd, ip4('127.0.0.1'), 9));
    expect(rc).toBe(-111);
    expect(tcpMib(net, 'OutRsts')).toBe(1);
    expect(tcpMib(net, 'AttemptFails')).toBe(1);
  });

  it('closes in order: the peer reads EOF, the active closer ends in TIME_WAIT', async () => {
    const lab = new Lab();
    const { net, client, server, cfd, afd } = await pair(lab);
    expect(client.close(cfd)).toBe(0);
    const eof = await lab.drive(server.recv(afd, 100));
    expect((eof as Uint8Array).length).toBe(0);
    expect(server.close(afd)).toBe(0);
    // The last ACK answers the server's FIN as the close returns: client TIME_WAIT, server gone.
    expect(net.tcpTwCount).toBe(1);
    expect(tcpMib(net, 'CurrEstab')).toBe(0);
    expect(tcpMib(net, 'EstabResets')).toBe(0);
    // __inet_twsk_schedule counts TW (TCPTimeWaited) as the bucket's 60 s timer is armed.
    expect(ext(net, 'TW')).toBe(1);
    expect(ext(net, 'TWKilled')).toBe(0);
  });

  it('a lost SYN is retransmitted by the RTO and the SYN-ACK answers it: no undo, no spurious RTO', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const net = host.initNet;
    const lo = net.loopbackDev;
    const server = new Task(lab, host, net, 'server', 0);
    const client = new Task(lab, host, net, 'client', 1);
    const lfd = server.socket(AF_INET, SOCK_STREAM, 0);
    expect(server.bind(lfd, 0, 8080)).toBe(0);
    expect(server.listen(lfd, 128)).toBe(0);
    // pfifo limit 0 drops the first SYN; gone before the retransmission 1 s (TCP_TIMEOUT_INIT) later.
    const q = { cmd: 'add' as const, parent: TC_H_ROOT, handle: 0x10000, kind: 'pfifo', opts: { limit: 0 } };
    expect(tc_modify_qdisc(lab, lo, q)).toEqual({ err: 0 });
    const cfd = client.socket(AF_INET, SOCK_STREAM, 0);
    const connected = client.connectWait(cfd, ip4('127.0.0.1'), 8080);
    await lab.drive(lab.sleepUntil(lab.now() + 500e6));
    expect(tc_del_qdisc(lab, lo, TC_H_ROOT, 0, null)).toEqual({ err: 0 });
    expect(await lab.drive(connected)).toBe(0);
    expect(tcpMib(net, 'RetransSegs')).toBe(1);
    expect(ext(net, 'TCPSynRetrans')).toBe(1);
    expect(ext(net, 'TCPTimeouts')).toBe(1);
    // The SYN-ACK acks a retransmitted SYN (TCPCB_RETRANS, undo_retrans 1) and echoes its timestamp: the
    // timeout was not spurious. The timer's NET_RX runs after tcp_retransmit_timer returns, as in Linux;
    // run inside it, the SYN-ACK came before the SYN was marked retransmitted and F-RTO undid the loss.
    expect(ext(net, 'TCPLossUndo')).toBe(0);
    expect(ext(net, 'TCPSpuriousRTOs')).toBe(0);
  });

  it("sendfile(2) sends a file of the host as the stream's bytes; its offset moves, the file's does not", async () => {
    const lab = new Lab();
    const { client, server, cfd, afd } = await pair(lab);
    const content = new Uint8Array(150_000).map((_, i) => (i * 7) & 0xff);
    const wfd = client.open('/tmp/data', O_WRONLY | O_CREAT | O_TRUNC);
    expect(client.writeFile(wfd, content)).toBe(content.length);
    client.close(wfd);
    const ifd = client.open('/tmp/data', O_RDONLY);
    expect(await lab.drive(client.sendfile(cfd, ifd, null, 0))).toBe(0);
    const offset = { v: 1000 };
    // More than the send buffer takes at once: the blocking call waits for space and sends the rest.
    const sending = client.sendfile(cfd, ifd, offset, content.length);
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (total < content.length - 1000) {
      const r = await lab.drive(server.recv(afd, 65536));
      if (typeof r === 'number' || !r.length) throw new Error(`recv ${String(r)}`);
      chunks.push(r);
      total += r.length;
    }
    // Past the file's end: what there was.
    expect(await lab.drive(sending)).toBe(content.length - 1000);
    expect(offset.v).toBe(content.length);
    expect(Buffer.compare(Buffer.concat(chunks), content.subarray(1000))).toBe(0);
    // The file's own offset did not move: a read starts at 0.
    expect(Array.from(client.readFile(ifd, 3) as Uint8Array)).toEqual([0, 7, 14]);
    expect(await lab.drive(client.sendfile(cfd, 99, null, 1))).toBe(-EBADF);
  });
  it('IP_TOS on a TCP socket keeps its ECN bits, sets sk_priority and drops the cached route, which the next send looks up again; IP_MTU_DISCOVER takes DONT..OMIT', async () => {
    const lab = new Lab();
    const { client, server, cfd, afd } = await pair(lab);
    const sk = client.tcpSockOf(cfd)!;
    expect(sk.dstCache).not.toBeNull();
    sk.tos = 0x02; // ECT(0), as TCP's ECN would have set it
    expect(client.setsockoptLevel(cfd, SOL_IP, IP_TOS, 0x11)).toBe(0);
    expect(sk.tos).toBe(0x12);
    expect(sk.priority).toBe(6); // rt_tos2priority(0x12): IPTOS_LOWDELAY, TC_PRIO_INTERACTIVE
    expect(sk.dstCache).toBeNull();
    expect(await lab.drive(client.send(cfd, new Uint8Array(10)))).toBe(10);
    expect(sk.dstCache).not.toBeNull();
    expect(((await lab.drive(server.recv(afd, 100))) as Uint8Array).length).toBe(10);
    // The same TOS again: nothing changes, the route stays.
    expect(client.setsockoptLevel(cfd, SOL_IP, IP_TOS, 0x10)).toBe(0);
    expect(sk.dstCache).not.toBeNull();
    expect(client.setsockoptLevel(cfd, SOL_IP, IP_MTU_DISCOVER, 0)).toBe(0);
    expect(sk.pmtudisc).toBe(0);
    expect(client.setsockoptLevel(cfd, SOL_IP, IP_MTU_DISCOVER, 6)).toBe(-EINVAL);
    expect(sk.pmtudisc).toBe(0);
  });
});

describe('ephemeral ports (__inet_hash_connect)', () => {
  it("successive connects to one destination take successive even ports, a little apart; another destination's start at another offset", async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const net = host.initNet;
    const server = new Task(lab, host, net, 'server', 0);
    for (const port of [8080, 9090]) {
      const lfd = server.socket(AF_INET, SOCK_STREAM, 0);
      expect(server.bind(lfd, 0, port)).toBe(0);
      expect(server.listen(lfd, 128)).toBe(0);
    }
    const client = new Task(lab, host, net, 'client', 1);
    const ports = async (dport: number, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const fd = client.socket(AF_INET, SOCK_STREAM, 0);
        expect(await lab.drive(client.connectWait(fd, ip4('127.0.0.1'), dport))).toBe(0);
        out.push(client.tcpSockOf(fd)!.sport);
      }
      return out;
    };
    const a = await ports(8080, 6);
    const [lo, hi] = net.sysctl.ipLocalPortRange;
    for (const p of a) expect(p % 2 === lo % 2 && p >= lo && p <= hi).toBe(true);
    // table_perturb[index] moves on by 2 + (0..7) * 2 after each connect: the next port is 2 to 16 further.
    for (let i = 1; i < a.length; i++)
      expect((a[i] - a[i - 1] + (hi + 1 - lo)) % (hi + 1 - lo)).toBeLessThanOrEqual(16);
    const b = await ports(9090, 2);
    expect(Math.min(...b.map((p) => Math.abs(p - a[a.length - 1])))).toBeGreaterThan(16);
  });
});
