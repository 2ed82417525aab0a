/**
 * The Task's system calls on AF_UNIX sockets (net/unix/af_unix.c's model): what each returns, as Linux
 * 6.12 answers them, and that nothing but the socket layer runs: no IP, TCP or UDP counter, no device.
 */
import {
  EADDRINUSE,
  EAGAIN,
  ECONNREFUSED,
  ECONNRESET,
  EINVAL,
  EISCONN,
  ENOENT,
  ENOTCONN,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  EPROTOTYPE,
  S_ISSOCK,
  SOCK_DGRAM,
  SOCK_STREAM,
  lookup_inode,
  netns_add,
  snmp_seq_show,
  type Host,
} from '@skblab/kernel';
import { AF_UNIX, type UnixSock } from '@skblab/kernel/include/net/af_unix';
import { MSG_PEEK, MSG_WAITALL } from '@skblab/kernel/include/net/tcp';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN } from '@skblab/kernel/include/net/tcp_states';
import { unix_seq_show } from '@skblab/kernel/net/unix/af_unix';
import { Lab } from './lab';
import { POLLHUP, POLLIN, POLLOUT, SHUT_RD, SHUT_WR, SIOCINQ, SIOCOUTQ, SOCK_NONBLOCK, Task } from './task';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | number) => (typeof b === 'number' ? b : new TextDecoder().decode(b));

/** `ip netns add NAME`: a second namespace of the host. */
function addNamespace(host: Host, name: string) {
  netns_add(host, name);
  return host.namedNets.get(name)!;
}

function setup() {
  const lab = new Lab();
  const host = lab.addHost('h');
  const server = new Task(lab, host, host.initNet, 'server', 0);
  const client = new Task(lab, host, host.initNet, 'client', 1);
  return { lab, host, server, client };
}

/** A listener on `path` and an accepted connection to it. */
async function connected(path = '/tmp/s.sock') {
  const s = setup();
  const l = s.server.socket(AF_UNIX, SOCK_STREAM, 0);
  expect(s.server.bind(l, path)).toBe(0);
  expect(s.server.listen(l, 5)).toBe(0);
  const c = s.client.socket(AF_UNIX, SOCK_STREAM, 0);
  expect(await s.lab.drive(s.client.connectWait(c, path))).toBe(0);
  const a = await s.lab.drive(s.server.accept(l));
  if (typeof a === 'number') throw new Error(`accept: ${a}`);
  return { ...s, l, c, a: a.fd };
}

describe('AF_UNIX stream sockets', () => {
  it('bind makes a socket inode at the path; a second bind there is EADDRINUSE, even after close', () => {
    const { host, server } = setup();
    const a = server.socket(AF_UNIX, SOCK_STREAM, 0);
    expect(server.bind(a, '/tmp/a.sock')).toBe(0);
    expect(S_ISSOCK(lookup_inode(host.fs, '/tmp/a.sock')!.mode)).toBe(true);
    // Bound already: EINVAL, and the second name is not left behind.
    expect(server.bind(a, '/tmp/b.sock')).toBe(-EINVAL);
    expect(lookup_inode(host.fs, '/tmp/b.sock')).toBeNull();
    const b = server.socket(AF_UNIX, SOCK_STREAM, 0);
    expect(server.bind(b, '/tmp/a.sock')).toBe(-EADDRINUSE);
    server.close(a);
    expect(server.bind(b, '/tmp/a.sock')).toBe(-EADDRINUSE);
    expect(server.bind(b, '/nodir/a.sock')).toBe(-ENOENT);
  });

  it('connect: ENOENT without the path, ECONNREFUSED to a path no socket holds or that is no socket', async () => {
    const { lab, server, client } = setup();
    const c = client.socket(AF_UNIX, SOCK_STREAM, 0);
    expect(await lab.drive(client.connectWait(c, '/tmp/none.sock'))).toBe(-ENOENT);
    expect(await lab.drive(client.connectWait(c, '/tmp'))).toBe(-ECONNREFUSED);
    const l = server.socket(AF_UNIX, SOCK_STREAM, 0);
    server.bind(l, '/tmp/s.sock');
    // Bound but not listening.
    expect(await lab.drive(client.connectWait(c, '/tmp/s.sock'))).toBe(-ECONNREFUSED);
    server.listen(l, 5);
    server.close(l);
    // The path outlives the socket: nobody is bound to it any more.
    expect(await lab.drive(client.connectWait(c, '/tmp/s.sock'))).toBe(-ECONNREFUSED);
    const d = server.socket(AF_UNIX, SOCK_DGRAM, 0);
    server.bind(d, '/tmp/d.sock');
    expect(await lab.drive(client.connectWait(c, '/tmp/d.sock'))).toBe(-EPROTOTYPE);
  });

  it('connect establishes both ends at once; a second connect is EISCONN', async () => {
    const s = await connected();
    const c = s.client.sockOf(s.c) as UnixSock;
    const a = s.server.sockOf(s.a) as UnixSock;
    expect([c.state, a.state, c.peer === a, a.peer === c]).toEqual([
      TCP_ESTABLISHED,
      TCP_ESTABLISHED,
      true,
      true,
    ]);
    expect(s.client.connect(s.c, '/tmp/s.sock')).toBe(-EISCONN);
  });

  it('data goes straight onto the peer queue: no Ip, Tcp or Udp counter and no device moves', async () => {
    const s = await connected();
    const before = snmp_seq_show(s.host.initNet);
    const lo = { ...s.host.initNet.loopbackDev.stats };
    expect(await s.lab.drive(s.client.send(s.c, enc('hello')))).toBe(5);
    expect(s.server.ioctl(s.a, SIOCINQ)).toBe(5);
    // The writer's Send-Q: the unread skb's truesize, given back when it is read.
    expect(s.client.ioctl(s.c, SIOCOUTQ)).toBeGreaterThan(5);
    expect(dec(await s.lab.drive(s.server.recv(s.a, 100)))).toBe('hello');
    expect(s.client.ioctl(s.c, SIOCOUTQ)).toBe(0);
    expect(snmp_seq_show(s.host.initNet)).toBe(before);
    expect(s.host.initNet.loopbackDev.stats).toEqual(lo);
  });

  it('1 MB through a blocking send: the writer sleeps on a full send buffer until the reader frees it', async () => {
    const s = await connected();
    const data = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    const sending = s.client.send(s.c, data);
    let done = false;
    void sending.then(() => (done = true));
    await s.lab.drive(Promise.resolve());
    // No more than sk_sndbuf (212992) in flight: the writer waits for the reader.
    expect(done).toBe(false);
    expect(s.client.ioctl(s.c, SIOCOUTQ)).toBeGreaterThanOrEqual(212992);
    let got = 0;
    let sum = 0;
    while (got < data.length) {
      const r = await s.lab.drive(s.server.recv(s.a, 65536));
      if (typeof r === 'number') throw new Error(`recv: ${r}`);
      for (const b of r) sum += b;
      got += r.length;
    }
    expect(await s.lab.drive(sending)).toBe(data.length);
    expect([got, sum]).toEqual([data.length, data.reduce((a, b) => a + b, 0)]);
    expect(s.client.ioctl(s.c, SIOCOUTQ)).toBe(0);
  });

  it('a read takes what it asks for and leaves the rest of the skb; MSG_PEEK leaves it all', async () => {
    const s = await connected();
    await s.lab.drive(s.client.send(s.c, enc('abcdef')));
    await s.lab.drive(s.client.send(s.c, enc('gh')));
    expect(dec(await s.lab.drive(s.server.recv(s.a, 100, MSG_PEEK)))).toBe('abcdefgh');
    expect(dec(await s.lab.drive(s.server.recv(s.a, 4)))).toBe('abcd');
    expect(s.server.ioctl(s.a, SIOCINQ)).toBe(4);
    expect(dec(await s.lab.drive(s.server.recv(s.a, 100)))).toBe('efgh');
  });

  it('a blocking read waits for data; MSG_WAITALL for all of it', async () => {
    const s = await connected();
    const r = s.server.recv(s.a, 6, MSG_WAITALL);
    await s.lab.drive(s.client.send(s.c, enc('abc')));
    await s.lab.drive(s.client.send(s.c, enc('def')));
    expect(dec(await s.lab.drive(r))).toBe('abcdef');
  });

  it('shutdown(SHUT_WR) is the end of the stream for the peer; the peer can still write back', async () => {
    const s = await connected();
    expect(s.client.shutdown(s.c, SHUT_WR)).toBe(0);
    expect(s.server.pollMask(s.a) & POLLIN).toBe(POLLIN);
    expect(dec(await s.lab.drive(s.server.recv(s.a, 100)))).toBe('');
    expect(await s.lab.drive(s.server.send(s.a, enc('bye')))).toBe(3);
    expect(dec(await s.lab.drive(s.client.recv(s.c, 100)))).toBe('bye');
    expect(await s.lab.drive(s.client.send(s.c, enc('x')))).toBe(-EPIPE);
  });

  it('close: the peer reads the end, writes get EPIPE; unread data makes it ECONNRESET first', async () => {
    const s = await connected();
    s.server.close(s.a);
    expect(s.client.pollMask(s.c) & (POLLIN | POLLHUP)).toBe(POLLIN | POLLHUP);
    expect(dec(await s.lab.drive(s.client.recv(s.c, 100)))).toBe('');
    expect(await s.lab.drive(s.client.send(s.c, enc('x')))).toBe(-EPIPE);

    const t = await connected('/tmp/t.sock');
    await t.lab.drive(t.client.send(t.c, enc('unread')));
    t.server.close(t.a);
    expect(await t.lab.drive(t.client.recv(t.c, 100))).toBe(-ECONNRESET);
    expect(dec(await t.lab.drive(t.client.recv(t.c, 100)))).toBe('');
  });

  it('accept: EAGAIN on an empty non-blocking listener, EINVAL when not listening', async () => {
    const { lab, server } = setup();
    const l = server.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    server.bind(l, '/tmp/s.sock');
    expect(await lab.drive(server.accept(l))).toBe(-EINVAL);
    server.listen(l, 1);
    expect(await lab.drive(server.accept(l))).toBe(-EAGAIN);
    expect(server.listen(server.socket(AF_UNIX, SOCK_STREAM, 0), 1)).toBe(-EINVAL);
    expect(server.listen(server.socket(AF_UNIX, SOCK_DGRAM, 0), 1)).toBe(-EOPNOTSUPP);
  });

  it('a full listener queue: a non-blocking connect is EAGAIN, a blocking one waits for accept', async () => {
    const { lab, server, client } = setup();
    const l = server.socket(AF_UNIX, SOCK_STREAM, 0);
    server.bind(l, '/tmp/s.sock');
    server.listen(l, 0);
    // unix_recvq_full: more queued than the backlog, so a backlog of 0 takes one.
    expect(await lab.drive(client.connectWait(client.socket(AF_UNIX, SOCK_STREAM, 0), '/tmp/s.sock'))).toBe(
      0,
    );
    const nb = client.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    expect(client.connect(nb, '/tmp/s.sock')).toBe(-EAGAIN);
    const waiting = client.connectWait(client.socket(AF_UNIX, SOCK_STREAM, 0), '/tmp/s.sock');
    let done = false;
    void waiting.then(() => (done = true));
    await lab.drive(Promise.resolve());
    expect(done).toBe(false);
    await lab.drive(server.accept(l));
    expect(await lab.drive(waiting)).toBe(0);
  });

  it('a connect waiting on a full listener that closes gets ECONNREFUSED (unix_wait_for_peer wakes)', async () => {
    const { lab, server, client } = setup();
    const l = server.socket(AF_UNIX, SOCK_STREAM, 0);
    server.bind(l, '/tmp/s.sock');
    server.listen(l, 0);
    expect(await lab.drive(client.connectWait(client.socket(AF_UNIX, SOCK_STREAM, 0), '/tmp/s.sock'))).toBe(
      0,
    );
    const waiting = client.connectWait(client.socket(AF_UNIX, SOCK_STREAM, 0), '/tmp/s.sock');
    await lab.drive(Promise.resolve());
    server.close(l);
    expect(await lab.drive(waiting)).toBe(-ECONNREFUSED);
  });

  it('a blocking accept after shutdown(SHUT_RD) with nothing queued is EINVAL', async () => {
    const { lab, server } = setup();
    const l = server.socket(AF_UNIX, SOCK_STREAM, 0);
    server.bind(l, '/tmp/s.sock');
    server.listen(l, 1);
    const waiting = server.accept(l);
    await lab.drive(Promise.resolve());
    expect(server.shutdown(l, SHUT_RD)).toBe(0);
    expect(await lab.drive(waiting)).toBe(-EINVAL);
  });

  it('abstract names live in the namespace: taken is EADDRINUSE; another namespace has its own', async () => {
    const { lab, host, server, client } = setup();
    const a = server.socket(AF_UNIX, SOCK_STREAM, 0);
    expect(server.bind(a, '\0name')).toBe(0);
    expect(server.bind(server.socket(AF_UNIX, SOCK_STREAM, 0), '\0name')).toBe(-EADDRINUSE);
    // The hash includes the type: a datagram socket may take the same name.
    expect(server.bind(server.socket(AF_UNIX, SOCK_DGRAM, 0), '\0name')).toBe(0);
    expect(lookup_inode(host.fs, 'name')).toBeNull();
    server.listen(a, 5);
    const c = client.socket(AF_UNIX, SOCK_STREAM, 0);
    expect(await lab.drive(client.connectWait(c, '\0name'))).toBe(0);
    const ns = addNamespace(host, 'ns1');
    const other = new Task(lab, host, ns, 'other', 0);
    const o = other.socket(AF_UNIX, SOCK_STREAM, 0);
    expect(await lab.drive(other.connectWait(o, '\0name'))).toBe(-ECONNREFUSED);
    expect(other.bind(o, '\0name')).toBe(0);
  });

  it("a path is found from any namespace of the host (its file system is the host's)", async () => {
    const { lab, host, server } = setup();
    const l = server.socket(AF_UNIX, SOCK_STREAM, 0);
    server.bind(l, '/tmp/s.sock');
    server.listen(l, 5);
    const other = new Task(lab, host, addNamespace(host, 'ns1'), 'other', 0);
    expect(await lab.drive(other.connectWait(other.socket(AF_UNIX, SOCK_STREAM, 0), '/tmp/s.sock'))).toBe(0);
  });

  it('autobind: sun_family alone gives a five-hex-digit abstract name', () => {
    const { server } = setup();
    const a = server.socket(AF_UNIX, SOCK_STREAM, 0);
    expect(server.bind(a, '')).toBe(0);
    expect((server.sockOf(a) as UnixSock).addr!.name).toMatch(/^\0[0-9a-f]{5}$/);
  });

  it('socketpair: two connected sockets', async () => {
    const { lab, server } = setup();
    const p = server.socketpair(AF_UNIX, SOCK_STREAM, 0);
    if (typeof p === 'number') throw new Error(`socketpair: ${p}`);
    expect(await lab.drive(server.send(p[0], enc('ping')))).toBe(4);
    expect(dec(await lab.drive(server.recv(p[1], 10)))).toBe('ping');
  });

  it('poll: a listener is readable with a connection queued, never writable', async () => {
    const { lab, server, client } = setup();
    const l = server.socket(AF_UNIX, SOCK_STREAM, 0);
    server.bind(l, '/tmp/s.sock');
    server.listen(l, 5);
    expect(server.pollMask(l) & (POLLIN | POLLOUT)).toBe(0);
    await lab.drive(client.connectWait(client.socket(AF_UNIX, SOCK_STREAM, 0), '/tmp/s.sock'));
    expect(server.pollMask(l) & (POLLIN | POLLOUT)).toBe(POLLIN);
  });

  it('/proc/net/unix: refcounts, the listening flag, states and names as unix_seq_show prints them', async () => {
    const s = await connected();
    const lines = unix_seq_show(s.host.initNet)
      .split('\n')
      .map((l) => l.replace(/^[0-9a-f]{16}/, 'P'));
    const ino = (t: Task, fd: number) => t.inodeOf(fd);
    expect(lines).toEqual([
      'Num       RefCount Protocol Flags    Type St Inode Path',
      `P: 00000002 00000000 00010000 0001 01 ${ino(s.server, s.l)} /tmp/s.sock`,
      `P: 00000003 00000000 00000000 0001 03 ${ino(s.client, s.c)}`,
      `P: 00000003 00000000 00000000 0001 03 ${ino(s.server, s.a)} /tmp/s.sock`,
      '',
    ]);
  });
});

describe('AF_UNIX datagram sockets', () => {
  it("sendto a path; the reader gets the datagram and its sender's name as it is when read", () => {
    const { server, client } = setup();
    const r = server.socket(AF_UNIX, SOCK_DGRAM, 0);
    server.bind(r, '/tmp/r.sock');
    const anon = client.socket(AF_UNIX, SOCK_DGRAM, 0);
    expect(client.sendto(anon, enc('zero'), '/tmp/r.sock', 0)).toBe(4);
    const w = client.socket(AF_UNIX, SOCK_DGRAM, 0);
    expect(client.sendto(w, enc('one'), '/tmp/r.sock', 0)).toBe(3);
    client.bind(w, '/tmp/w.sock');
    expect(client.sendto(w, enc('two'), '/tmp/r.sock', 0)).toBe(3);
    const got = [server.tryRecv(r), server.tryRecv(r), server.tryRecv(r)].map((x) =>
      typeof x === 'number' ? x : [dec(x.data), x.path],
    );
    // unix_copy_addr reads the sender's name at recvmsg time: bound since, "one" names it too.
    expect(got).toEqual([
      ['zero', null],
      ['one', '/tmp/w.sock'],
      ['two', '/tmp/w.sock'],
    ]);
    expect(server.tryRecv(r)).toBe(-EAGAIN);
  });

  it('send without a peer is ENOTCONN; a connected receiver refuses other senders (EPERM)', () => {
    const { server, client } = setup();
    const r = server.socket(AF_UNIX, SOCK_DGRAM, 0);
    server.bind(r, '/tmp/r.sock');
    const w = client.socket(AF_UNIX, SOCK_DGRAM, 0);
    expect(client.sendto(w, enc('x'), null, 0)).toBe(-ENOTCONN);
    client.bind(w, '/tmp/w.sock');
    expect(server.connect(r, '/tmp/w.sock')).toBe(0);
    const x = client.socket(AF_UNIX, SOCK_DGRAM, 0);
    expect(client.sendto(x, enc('x'), '/tmp/r.sock', 0)).toBe(-EPERM);
    expect(client.sendto(w, enc('ok'), '/tmp/r.sock', 0)).toBe(2);
  });

  it('a full receiver (more than max_dgram_qlen queued) is EAGAIN for a non-blocking sender', () => {
    const { server, client } = setup();
    const r = server.socket(AF_UNIX, SOCK_DGRAM, 0);
    server.bind(r, '/tmp/r.sock');
    const w = client.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    for (let i = 0; i <= 10; i++) expect(client.sendto(w, enc('x'), '/tmp/r.sock', 0)).toBe(1);
    expect(client.sendto(w, enc('x'), '/tmp/r.sock', 0)).toBe(-EAGAIN);
  });

  it('a connected peer that closed: ECONNREFUSED once, and the socket is disconnected', () => {
    const { server, client } = setup();
    const r = server.socket(AF_UNIX, SOCK_DGRAM, 0);
    server.bind(r, '/tmp/r.sock');
    const w = client.socket(AF_UNIX, SOCK_DGRAM, 0);
    expect(client.connect(w, '/tmp/r.sock')).toBe(0);
    server.close(r);
    expect(client.sendto(w, enc('x'), null, 0)).toBe(-ECONNREFUSED);
    expect((client.sockOf(w) as UnixSock).state).toBe(TCP_CLOSE);
    expect(client.sendto(w, enc('x'), null, 0)).toBe(-ENOTCONN);
  });

  it('a listener is LISTEN, a bound datagram socket CLOSE until connected', () => {
    const { server } = setup();
    const d = server.socket(AF_UNIX, SOCK_DGRAM, 0);
    server.bind(d, '/tmp/d.sock');
    const l = server.socket(AF_UNIX, SOCK_STREAM, 0);
    server.bind(l, '/tmp/l.sock');
    server.listen(l, 5);
    expect([(server.sockOf(d) as UnixSock).state, (server.sockOf(l) as UnixSock).state]).toEqual([
      TCP_CLOSE,
      TCP_LISTEN,
    ]);
  });
});
