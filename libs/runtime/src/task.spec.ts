/**
 * The Task's system calls on TCP sockets, over 127.0.0.1: what each returns, blocking and not, as Linux
 * 6.12 answers them (the errnos of connect(2), accept(2), bind(2), recv(2) and send(2)).
 */
import {
  AF_INET,
  EADDRINUSE,
  EAGAIN,
  EALREADY,
  ECONNREFUSED,
  EINPROGRESS,
  EHOSTUNREACH,
  EINTR,
  EISCONN,
  ETIMEDOUT,
  SOCK_STREAM,
} from '@skblab/kernel';
import { MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL } from '@skblab/kernel/include/net/tcp';
import { TCP_ESTABLISHED, TCP_LISTEN } from '@skblab/kernel/include/net/tcp_states';
import { Lab } from './lab';
import { ip4, vethLab } from './testing/lab-fixtures';
import {
  POLLIN,
  POLLOUT,
  SHUT_WR,
  SIOCINQ,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SO_ERROR,
  SO_REUSEADDR,
  Task,
} from './task';

const LO = 0x7f000001;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === 'number' ? b : new TextDecoder().decode(b));

function setup() {
  const lab = new Lab();
  const host = lab.addHost('h');
  const server = new Task(lab, host, host.initNet, 'server', 0);
  const client = new Task(lab, host, host.initNet, 'client', 1);
  return { lab, host, server, client };
}

/** A listener on 127.0.0.1:port and an accepted connection to it. */
async function connected(port = 8080) {
  const s = setup();
  const l = s.server.socket(AF_INET, SOCK_STREAM, 0);
  expect(s.server.bind(l, LO, port)).toBe(0);
  expect(s.server.listen(l, 16)).toBe(0);
  const c = s.client.socket(AF_INET, SOCK_STREAM, 0);
  expect(await s.lab.drive(s.client.connectWait(c, LO, port))).toBe(0);
  const a = await s.lab.drive(s.server.accept(l));
  if (typeof a === 'number') throw new Error(`accept: ${a}`);
  return { ...s, l, c, a: a.fd, peerPort: a.port };
}

describe('Task TCP system calls', () => {
  it('bind: EADDRINUSE on a port in use, unless both set SO_REUSEADDR (and none listens)', () => {
    const { server } = setup();
    const a = server.socket(AF_INET, SOCK_STREAM, 0);
    const b = server.socket(AF_INET, SOCK_STREAM, 0);
    expect(server.bind(a, 0, 9000)).toBe(0);
    expect(server.bind(b, 0, 9000)).toBe(-EADDRINUSE);
    const c = server.socket(AF_INET, SOCK_STREAM, 0);
    const d = server.socket(AF_INET, SOCK_STREAM, 0);
    server.setsockoptLevel(c, SOL_SOCKET, SO_REUSEADDR, 1);
    server.setsockoptLevel(d, SOL_SOCKET, SO_REUSEADDR, 1);
    expect(server.bind(c, 0, 9001)).toBe(0);
    expect(server.bind(d, 0, 9001)).toBe(0);
    expect(server.listen(c, 1)).toBe(0);
    expect(server.sockOf(c)).toMatchObject({ state: TCP_LISTEN });
  });

  it("blocking connect and accept: both ends ESTABLISHED, the peer port is the client's", async () => {
    const s = await connected();
    expect(s.client.tcpSockOf(s.c)!.state).toBe(TCP_ESTABLISHED);
    expect(s.server.tcpSockOf(s.a)!.state).toBe(TCP_ESTABLISHED);
    expect(s.peerPort).toBe(s.client.tcpSockOf(s.c)!.num);
  });

  it('blocking connect to a closed port: ECONNREFUSED', async () => {
    const { lab, client } = setup();
    const c = client.socket(AF_INET, SOCK_STREAM, 0);
    expect(await lab.drive(client.connectWait(c, LO, 8081))).toBe(-ECONNREFUSED);
  });

  it('non-blocking connect: EINPROGRESS, then EISCONN; to a closed port SO_ERROR says ECONNREFUSED', async () => {
    const { lab, server, client } = setup();
    const l = server.socket(AF_INET, SOCK_STREAM, 0);
    server.bind(l, 0, 8080);
    server.listen(l, 4);
    const c = client.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    // The SYN-ACK comes back over lo within the call, to the socket's backlog (the caller owns it): the
    // state is still SYN_SENT when __inet_stream_connect looks.
    expect(client.connect(c, LO, 8080)).toBe(-EINPROGRESS);
    expect(await lab.drive(client.poll([{ fd: c, events: POLLOUT }]))).toEqual([POLLOUT]);
    expect(client.connect(c, LO, 8080)).toBe(0);
    expect(client.connect(c, LO, 8080)).toBe(-EISCONN);
    const r = client.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    expect(client.connect(r, LO, 8082)).toBe(-EINPROGRESS);
    expect(client.getsockopt(r, SOL_SOCKET, SO_ERROR)).toBe(ECONNREFUSED);
    expect(client.getsockopt(r, SOL_SOCKET, SO_ERROR)).toBe(0);
  });

  it('connect to an address nobody answers: EALREADY while it runs, EINPROGRESS at the timeout, then the error', async () => {
    const { lab, host } = vethLab();
    const t = new Task(lab, host, host.initNet, 'client', 0);
    const c = t.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    expect(t.connect(c, ip4('10.0.0.9'), 80)).toBe(-EINPROGRESS);
    expect(t.connect(c, ip4('10.0.0.9'), 80)).toBe(-EALREADY);
    const b = t.socket(AF_INET, SOCK_STREAM, 0);
    expect(await lab.drive(t.connectWait(b, ip4('10.0.0.9'), 80, lab.now() + 5e8))).toBe(-EINPROGRESS);
    const end = await lab.drive(t.connectWait(b, ip4('10.0.0.9'), 80));
    // ARP gives up after 3 s: the host unreachable the stack sends itself ends the handshake.
    expect(end).toBe(-EHOSTUNREACH);
    expect(lab.now()).toBeGreaterThan(3e9);
    expect(lab.now()).toBeLessThan(4e9);
    void ETIMEDOUT;
  });

  it('non-blocking accept: EAGAIN while the queue is empty', () => {
    const { server } = setup();
    const l = server.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    server.bind(l, 0, 8080);
    server.listen(l, 4);
    return server.accept(l).then((r) => expect(r).toBe(-EAGAIN));
  });

  it('send and recv; MSG_PEEK leaves the data, MSG_DONTWAIT does not wait, 0 bytes at EOF', async () => {
    const s = await connected();
    expect(await s.lab.drive(s.client.send(s.c, enc('hello world')))).toBe(11);
    expect(s.server.ioctl(s.a, SIOCINQ)).toBe(11);
    expect(s.server.pollMask(s.a) & POLLIN).toBe(POLLIN);
    expect(dec(await s.lab.drive(s.server.recv(s.a, 5, MSG_PEEK)))).toBe('hello');
    expect(dec(await s.lab.drive(s.server.recv(s.a, 100)))).toBe('hello world');
    expect(await s.lab.drive(s.server.recv(s.a, 100, MSG_DONTWAIT))).toBe(-EAGAIN);
    expect(s.client.shutdown(s.c, SHUT_WR)).toBe(0);
    const eof = await s.lab.drive(s.server.recv(s.a, 100));
    expect(eof).toBeInstanceOf(Uint8Array);
    expect((eof as Uint8Array).length).toBe(0);
  });

  it('MSG_WAITALL waits for the whole length across several segments', async () => {
    const s = await connected();
    const p = s.server.recv(s.a, 10, MSG_WAITALL);
    await s.lab.drive(s.client.send(s.c, enc('12345')));
    await s.lab.drive(s.lab.sleepUntil(s.lab.now() + 1e6, s.host));
    await s.lab.drive(s.client.send(s.c, enc('67890abc')));
    expect(dec(await s.lab.drive(p))).toBe('1234567890');
    expect(dec(await s.lab.drive(s.server.recv(s.a, 10)))).toBe('abc');
  });

  it('a blocking send larger than the send buffer waits for ACKs and queues it all', async () => {
    const s = await connected();
    const big = new Uint8Array(1 << 20);
    const sent = s.client.send(s.c, big);
    let got = 0;
    const reader = (async () => {
      while (got < big.length) {
        const r = await s.server.recv(s.a, 65536);
        if (typeof r === 'number' || r.length === 0) break;
        got += r.length;
      }
    })();
    expect(await s.lab.drive(sent)).toBe(big.length);
    await s.lab.drive(reader);
    expect(got).toBe(big.length);
  });

  it('a signal ends a blocking accept with EINTR', async () => {
    const { lab, server } = setup();
    const l = server.socket(AF_INET, SOCK_STREAM, 0);
    server.bind(l, 0, 8080);
    server.listen(l, 4);
    const p = server.accept(l);
    server.interrupt();
    expect(await lab.drive(p)).toBe(-EINTR);
  });
});
