/**
 * nc(1): netcat-openbsd 1.219 as Debian 12 ships it, over TCP (the default) and UDP (-u).
 *
 * TCP: the client makes a non-blocking socket and connects with netcat's connect_with_timeout (connect,
 * EINPROGRESS, wait for writability up to -w seconds, SO_ERROR), then runs readwrite(): netcat's poll loop
 * between standard input/output and the socket. Without -N the end of standard input does not end the
 * connection (the classic netcat hang); -N shuts the socket down for writing (a FIN), -q N quits N seconds
 * after it. The listener (-l) binds with SO_REUSEADDR and SO_REUSEPORT, listens with a backlog of 1, accepts
 * one connection (accept4 SOCK_NONBLOCK) and ends when the peer's FIN arrives; -k accepts the next one.
 * -v prints "Listening on", "Connection received on", "Connection to ... succeeded!" and the connect
 * failures netcat warns about ("nc: connect to 127.0.0.1 port 8081 (tcp) failed: Connection refused"); -z
 * only connects.
 *
 * UDP (-u): the client connects a UDP socket, sends standard input and prints what comes back until -w
 * seconds pass idle; the listener (-l) waits for a first datagram, connects its socket to that peer (so
 * later datagrams from other ports are refused by the kernel: Udp NoPorts and an ICMP port unreachable) and
 * prints what it reads. -v probes the port with "X" datagrams first (udptest), -z only connects.
 *
 * Unix domain sockets (-U): `nc -lU PATH` unlinks PATH, binds and listens (backlog 5) and serves one
 * connection as -l does; `nc -U PATH` connects; "@name" is an abstract name. With -u, datagrams: the
 * listener binds PATH and connects to the first sender's name, and the client binds a temporary
 * /tmp/nc-XXXXXX/recv.sock (removed when it ends) so that replies can reach it. Failures are netcat's
 * warn(): "nc: PATH: No such file or directory", "nc: /tmp: Connection refused", a taken name
 * "nc: Address already in use".
 *
 * Messages, errors and exit statuses are the real ones, including the quirks: a port unreachable ends the
 * UDP client silently with status 0, -v turns it into status 1, and reverse lookups in a box without DNS
 * fail with "Temporary failure in name resolution".
 */
import {
  AF_INET,
  EAGAIN,
  EINVAL,
  ENAMETOOLONG,
  ECONNREFUSED,
  EINPROGRESS,
  EINTR,
  SOCK_DGRAM,
  SOCK_STREAM,
  STRERROR,
} from '@skblab/kernel';
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  SHUT_RD,
  SHUT_WR,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  SO_ERROR,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  type Task,
} from '@skblab/runtime';
import { AF_UNIX, UNIX_PATH_MAX } from '@skblab/kernel/include/net/af_unix';
import { MSG_PEEK } from '@skblab/kernel/include/net/tcp';
import { ipv4ToString } from '@skblab/wire/address';
import type { Command, CommandContext } from './command';
import { NSEC_PER_MSEC, NSEC_PER_SEC, waitNet } from './command';
import { getopt } from './getopt';
import { resolveHost } from './resolve';
import { inet_aton } from './libc';

const BUFSIZE = 16384;
const UDP_SCAN_TIMEOUT = 3;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
const EAI_NONAME = 'Name or service not known';
const EAI_AGAIN = 'Temporary failure in name resolution';
const EAI_SERVICE = 'Servname not supported for ai_socktype';

const USAGE = `usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]
\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]
\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]
\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]
\t  [destination] [port]
`;

const HELP = `OpenBSD netcat (Debian patchlevel 1.219-1)
${USAGE}\tCommand Summary:
\t\t-4\t\tUse IPv4
\t\t-6\t\tUse IPv6
\t\t-b\t\tAllow broadcast
\t\t-C\t\tSend CRLF as line-ending
\t\t-D\t\tEnable the debug socket option
\t\t-d\t\tDetach from stdin
\t\t-F\t\tPass socket fd
\t\t-h\t\tThis help text
\t\t-I length\tTCP receive buffer length
\t\t-i interval\tDelay interval for lines sent, ports scanned
\t\t-k\t\tKeep inbound sockets open for multiple connects
\t\t-l\t\tListen mode, for inbound connects
\t\t-M ttl\t\tOutgoing TTL / Hop Limit
\t\t-m minttl\tMinimum incoming TTL / Hop Limit
\t\t-N\t\tShutdown the network socket after EOF on stdin
\t\t-n\t\tSuppress name/port resolutions
\t\t-O length\tTCP send buffer length
\t\t-P proxyuser\tUsername for proxy authentication
\t\t-p port\t\tSpecify local port for remote connects
\t\t-q secs\t\tquit after EOF on stdin and delay of secs
\t\t-r\t\tRandomize remote ports
\t\t-S\t\tEnable the TCP MD5 signature option
\t\t-s sourceaddr\tLocal source address
\t\t-T keyword\tTOS value
\t\t-t\t\tAnswer TELNET negotiation
\t\t-U\t\tUse UNIX domain socket
\t\t-u\t\tUDP mode
\t\t-V rtable\tSpecify alternate routing table
\t\t-v\t\tVerbose
\t\t-W recvlimit\tTerminate after receiving a number of packets
\t\t-w timeout\tTimeout for connects and final net reads
\t\t-X proto\tProxy protocol: "4", "5" (SOCKS) or "connect"
\t\t-x addr[:port]\tSpecify proxy address and port
\t\t-Z\t\tDCCP mode
\t\t-z\t\tZero-I/O mode [used for scanning]
\tPort numbers can be individual or ranges: lo-hi [inclusive]
`;

/** The udp entries of Debian 12's /etc/services (netbase 6.3): name:port,aliases. */
const UDP_SERVICES_TEXT =
  'echo:7 discard:9,sink,null daytime:13 chargen:19,ttytst,source fsp:21,fspd time:37,timserver tacacs:49 ' +
  'domain:53 bootps:67 bootpc:68 tftp:69 kerberos:88,kerberos5,krb5,kerberos-sec sunrpc:111,portmapper ntp:123 ' +
  'netbios-ns:137 netbios-dgm:138 snmp:161 snmp-trap:162,snmptrap cmip-man:163 cmip-agent:164 xdmcp:177 ' +
  'ipx:213 ptp-event:319 ptp-general:320 rpc2portmap:369 codaauth2:370 clearcase:371,Clearcase ldap:389 ' +
  'svrloc:427 https:443 kpasswd:464 isakmp:500 rtsp:554 asf-rmcp:623 ldp:646 biff:512,comsat who:513,whod ' +
  'syslog:514 talk:517 ntalk:518 route:520,router,routed gdomap:538 dhcpv6-client:546 dhcpv6-server:547 ' +
  'ldaps:636 tinc:655 domain-s:853 openvpn:1194 ms-sql-m:1434 datametrics:1645,old-radius ' +
  'sa-msg-port:1646,old-radacct l2f:1701,l2tp radius:1812 radius-acct:1813,radacct nfs:2049 gnunet:2086 ' +
  'rtcm-sc104:2101 venus:2430 venus-se:2431 codasrv:2432 codasrv-se:2433 mon:2583 icpv2:3130,icp isns:3205 ' +
  'nut:3493 ipsec-nat-t:4500 iax:4569 sip:5060 sip-tls:5061 mdns:5353 gnutella-svc:6346 gnutella-rtr:6347 ' +
  'babel:6696 afs3-fileserver:7000 afs3-callback:7001 afs3-prserver:7002 afs3-vlserver:7003 ' +
  'afs3-kaserver:7004 afs3-volser:7005 afs3-bos:7007 afs3-update:7008 afs3-rmtsys:7009 ' +
  'kerberos4:750,kerberos-iv,kdc kerberos-master:751,kerberos_master passwd-server:752,passwd_server ' +
  'zephyr-srv:2102 zephyr-clt:2103 zephyr-hm:2104 moira-ureg:779,moira_ureg predict:1210 rplay:5555 ' +
  'sgi-cmsd:17001 sgi-crsd:17002 sgi-gcd:17003 asp:27374';

/** The tcp entries of Debian 12's /etc/services (netbase 6.4): name:port,aliases. */
const TCP_SERVICES_TEXT =
  'tcpmux:1 echo:7 discard:9,sink,null systat:11,users daytime:13 netstat:15 qotd:17,quote ' +
  'chargen:19,ttytst,source ftp-data:20 ftp:21 ssh:22 telnet:23 smtp:25,mail time:37,timserver ' +
  'whois:43,nicname tacacs:49 domain:53 gopher:70 finger:79 http:80,www ' +
  'kerberos:88,kerberos5,krb5,kerberos-sec iso-tsap:102,tsap acr-nema:104,dicom pop3:110,pop-3 ' +
  'sunrpc:111,portmapper auth:113,authentication,tap,ident nntp:119,readnews,untp epmap:135,loc-srv ' +
  'netbios-ssn:139 imap2:143,imap snmp:161 snmp-trap:162,snmptrap cmip-man:163 cmip-agent:164 ' +
  'mailq:174 bgp:179 smux:199 qmtp:209 z3950:210,wais pawserv:345 zserv:346 rpc2portmap:369 ' +
  'codaauth2:370 ldap:389 svrloc:427 https:443 snpp:444 microsoft-ds:445 kpasswd:464 ' +
  'submissions:465,ssmtp,smtps,urd saft:487 rtsp:554 nqs:607 qmqp:628 ipp:631 ldp:646 exec:512 ' +
  'login:513 shell:514,cmd,syslog printer:515,spooler gdomap:538 uucp:540,uucpd klogin:543 ' +
  'kshell:544,krcmd afpovertcp:548 nntps:563,snntp submission:587 ldaps:636 tinc:655 silc:706 ' +
  'kerberos-adm:749 domain-s:853 rsync:873 ftps-data:989 ftps:990 telnets:992 imaps:993 pop3s:995 ' +
  'socks:1080 proofd:1093 rootd:1094 openvpn:1194 rmiregistry:1099 lotusnote:1352,lotusnotes ' +
  'ms-sql-s:1433 ingreslock:1524 datametrics:1645,old-radius sa-msg-port:1646,old-radacct kermit:1649 ' +
  'groupwise:1677 radius:1812 radius-acct:1813,radacct cisco-sccp:2000 nfs:2049 gnunet:2086 ' +
  'rtcm-sc104:2101 gsigatekeeper:2119 gris:2135 cvspserver:2401 venus:2430 venus-se:2431 codasrv:2432 ' +
  'codasrv-se:2433 mon:2583 dict:2628 f5-globalsite:2792 gsiftp:2811 gpsd:2947 gds-db:3050,gds_db ' +
  'isns:3205 iscsi-target:3260 mysql:3306 ms-wbt-server:3389 nut:3493 distcc:3632 daap:3689 ' +
  'svn:3690,subversion suucp:4031 sysrqd:4094 sieve:4190 epmd:4369 remctl:4373 f5-iquery:4353 ' +
  'ntske:4460 mtn:4691 radmin-port:4899 sip:5060 sip-tls:5061 xmpp-client:5222,jabber-client ' +
  'xmpp-server:5269,jabber-server cfengine:5308 postgresql:5432,postgres freeciv:5556,rptp amqps:5671 ' +
  'amqp:5672 x11:6000,x11-0 x11-1:6001 x11-2:6002 x11-3:6003 x11-4:6004 x11-5:6005 x11-6:6006 ' +
  'x11-7:6007 gnutella-svc:6346 gnutella-rtr:6347 redis:6379 sge-qmaster:6444,sge_qmaster ' +
  'sge-execd:6445,sge_execd mysql-proxy:6446 ircs-u:6697 bbs:7000 font-service:7100,xfs ' +
  'http-alt:8080,webcache puppet:8140 bacula-dir:9101 bacula-fd:9102 bacula-sd:9103 xmms2:9667 ' +
  'nbd:10809 zabbix-agent:10050 zabbix-trapper:10051 amanda:10080 dicom:11112 hkp:11371 db-lsp:17500 ' +
  'dcap:22125 gsidcap:22128 wnn6:22273 kerberos4:750,kerberos-iv,kdc kerberos-master:751 ' +
  'krb-prop:754,krb_prop,krb5_prop,hprop iprop:2121 supfilesrv:871 supfiledbg:1127 poppassd:106 ' +
  'moira-db:775,moira_db moira-update:777,moira_update spamd:783 skkserv:1178 rmtcfg:1236 xtel:1313 ' +
  'xtelw:1314 zebrasrv:2600 zebra:2601 ripd:2602 ripngd:2603 ospfd:2604 bgpd:2605 ospf6d:2606 ' +
  'ospfapi:2607 isisd:2608 fax:4557 hylafax:4559 munin:4949,lrrd nrpe:5666 nsca:5667 canna:5680 ' +
  'syslog-tls:6514 sane-port:6566,sane,saned ircd:6667 zope-ftp:8021 tproxy:8081 omniorb:8088 ' +
  'clc-build-daemon:8990 xinetd:9098 git:9418 zope:9673 webmin:10000 kamanda:10081 amandaidx:10082 ' +
  'amidxtape:10083 sgi-cad:17004 binkp:24554 asp:27374 csync2:30865 dircproxy:57000 tfido:60177 ' +
  'fido:60179';

function servicesTable(text: string): { byName: Map<string, number>; byPort: Map<number, string> } {
  const byName = new Map<string, number>();
  const byPort = new Map<number, string>();
  for (const entry of text.split(' ')) {
    const [name, rest] = entry.split(':');
    const [port, ...aliases] = rest.split(',');
    for (const n of [name, ...aliases]) if (!byName.has(n)) byName.set(n, Number(port));
    if (!byPort.has(Number(port))) byPort.set(Number(port), name);
  }
  return { byName, byPort };
}
const UDP_SERVICES = servicesTable(UDP_SERVICES_TEXT);
const TCP_SERVICES = servicesTable(TCP_SERVICES_TEXT);

/** getservbyname(name, "udp") */
export function udpServiceByName(name: string): number | null {
  return UDP_SERVICES.byName.get(name) ?? null;
}

/** getservbyport(port, "udp") */
export function udpServiceByPort(port: number): string | null {
  return UDP_SERVICES.byPort.get(port) ?? null;
}

/** getservbyname(name, "tcp") */
export function tcpServiceByName(name: string): number | null {
  return TCP_SERVICES.byName.get(name) ?? null;
}

/** getservbyport(port, "tcp") */
export function tcpServiceByPort(port: number): string | null {
  return TCP_SERVICES.byPort.get(port) ?? null;
}

/** strtonum(3): the value, or the error word netcat prints ("invalid", "too small", "too large"). */
export function strtonum(
  s: string,
  min: number,
  max: number,
): number | 'invalid' | 'too small' | 'too large' {
  if (min > max || !/^\s*[+-]?\d+$/.test(s)) return 'invalid';
  const n = Number(s.trim());
  if (n < min) return 'too small';
  if (n > max) return 'too large';
  return n;
}

/** getaddrinfo's service lookup: a number (htons keeps its low 16 bits) or a service name of the protocol. */
function serviceToPort(s: string | null, udp: boolean): number | null {
  if (s === null) return 0;
  if (/^\d+$/.test(s)) return Number(BigInt(s) & 0xffffn);
  return udp ? udpServiceByName(s) : tcpServiceByName(s);
}

interface Options {
  listen: boolean;
  keep: boolean;
  verbose: boolean;
  numeric: boolean;
  zero: boolean;
  detach: boolean;
  broadcast: boolean;
  shutdownOnEof: boolean;
  udp: boolean;
  /** -w in milliseconds, -1 when not given (poll waits forever). */
  timeoutMs: number;
  /** -q seconds, -1 when not given. */
  quit: number;
  recvLimit: number;
  ttl: number;
  rcvbuf: number;
  sourcePort: string | null;
  sourceAddr: string | null;
  /** -O: SO_SNDBUF */
  sndbuf: number;
  /** -U: AF_UNIX */
  unix: boolean;
}

type Outcome = 'done' | 'quit' | 'stopped';

/** One run of nc: its options, its process, and standard input (read once, shared by every connection). */
class Netcat {
  readonly task: Task;
  private readonly stdin: Uint8Array;
  private stdinPos = 0;
  private readonly decoder = new TextDecoder();

  constructor(
    readonly ctx: CommandContext,
    readonly o: Options,
  ) {
    this.task = ctx.task('nc');
    // SIGINT: a blocking system call returns EINTR (and netcat, which has no handler, dies).
    ctx.job.onStop.push(() => this.task.interrupt());
    this.stdin = new TextEncoder().encode(ctx.stdin ?? '');
  }

  /** read(0, buf, n): the next chunk of standard input, or null at EOF. */
  private readStdin(max: number): Uint8Array | null {
    if (this.stdinPos >= this.stdin.length) return null;
    const chunk = this.stdin.subarray(this.stdinPos, Math.min(this.stdin.length, this.stdinPos + max));
    this.stdinPos += chunk.length;
    return chunk;
  }

  /**
   * getnameinfo(3) as Debian answers it in a namespace without DNS (the differential suite's setting):
   * /etc/hosts names 127.0.0.1 localhost; any other address fails with EAI_AGAIN, even 0.0.0.0.
   */
  nameOf(addr: number): string | null {
    if (this.o.numeric) return ipv4ToString(addr);
    if (addr === 0x7f000001) return 'localhost';
    return null;
  }

  /** report_sock(): "Bound on 0.0.0.0 5000", or netcat's warning when the reverse lookup fails. */
  reportSock(msg: string, addr: number, port: number): void {
    const name = this.nameOf(addr);
    if (name === null) this.ctx.err(`nc: getnameinfo: ${EAI_AGAIN}\n`);
    else this.ctx.err(`${msg} ${name} ${port}\n`);
  }

  /** getaddrinfo(3) for a host, honouring -n (AI_NUMERICHOST). */
  lookup(host: string): { addr: number } | { error: string } {
    const numeric = inet_aton(host);
    if (numeric !== null) return { addr: numeric };
    if (this.o.numeric) return { error: EAI_NONAME };
    const a = resolveHost(this.ctx.lab, host);
    return a === null ? { error: EAI_AGAIN } : { addr: a };
  }

  /** set_common_sockopts() */
  commonSockopts(fd: number): void {
    if (this.o.broadcast) this.task.setsockopt(fd, 'broadcast', 1);
    if (this.o.rcvbuf > 0) this.task.setsockopt(fd, 'rcvbuf', this.o.rcvbuf);
    if (this.o.sndbuf > 0) this.task.setsockoptLevel(fd, SOL_SOCKET, SO_SNDBUF, this.o.sndbuf);
    if (this.o.ttl >= 0) this.task.setsockopt(fd, 'ttl', this.o.ttl);
  }

  /** Wait until the socket is readable, the deadline passes, or the job is stopped (a signal). */
  waitNet(fd: number, deadline: number): Promise<'ready' | 'timeout' | 'stopped'> {
    return waitNet(this.ctx.job, this.task, fd, deadline);
  }

  /** Block until the job is stopped (poll(2) on nothing, with no timeout). */
  private waitForever(): Promise<'stopped'> {
    return new Promise((resolve) => {
      if (this.ctx.job.stopped) resolve('stopped');
      else this.ctx.job.onStop.push(() => resolve('stopped'));
    });
  }

  /** The -q delay: the socket is closed, then nc exits 0 after q seconds (SIGALRM). */
  private async delayExit(fd: number): Promise<Outcome> {
    if (this.o.quit === 0) return 'quit';
    this.task.close(fd);
    const ok = await this.ctx.sleep(this.o.quit * NSEC_PER_SEC);
    return ok ? 'quit' : 'stopped';
  }

  /**
   * readwrite(): netcat's poll loop between standard input/output and the socket, with read(2) and
   * write(2). `pending` holds a datagram the listener already took.
   */
  async readwrite(fd: number, pending: Array<{ data: Uint8Array }>): Promise<Outcome> {
    const o = this.o;
    let stdinOpen = !o.detach;
    let netOut = true;
    let netIn = true;
    let stdoutOpen = true;
    let stdinBuf: Uint8Array | null = null;
    let wantOut = false;
    let ctrld = false;
    let recvCount = 0;
    for (;;) {
      if (this.ctx.job.stopped) return 'stopped';
      // both inputs are gone, buffers are empty, we are done
      if (!stdinOpen && !netIn && !stdinBuf) return o.quit <= 0 ? 'done' : this.delayExit(fd);
      // both outputs are gone, we can't continue
      if (!netOut && !stdoutOpen) return o.quit <= 0 ? 'done' : this.delayExit(fd);
      // listen and net in gone or ^D, queues empty, done
      if (((o.listen && !netIn) || ctrld) && !stdinBuf) {
        if (o.quit < 0 || !ctrld) return 'done';
        return this.delayExit(fd);
      }

      // poll(): what is ready right now. Standard input (echo's pipe) is always readable: data or EOF.
      const sk = this.task.sockOf(fd)!;
      const err = sk.skErr !== 0;
      const readable = pending.length > 0 || sk.receiveQueue.length > 0;
      const rev = {
        stdin: stdinOpen,
        netOut: netOut && wantOut,
        netOutErr: netOut && err,
        netIn: netIn && readable,
        netInErr: netIn && err,
      };
      if (!rev.stdin && !rev.netOut && !rev.netOutErr && !rev.netIn && !rev.netInErr) {
        const deadline = o.timeoutMs >= 0 ? this.ctx.lab.now() + o.timeoutMs * NSEC_PER_MSEC : Infinity;
        if (!netIn) {
          // Nothing to poll but the timeout.
          if (deadline === Infinity) return this.waitForever();
          return (await this.ctx.sleep(deadline - this.ctx.lab.now())) ? 'done' : 'stopped';
        }
        const w = await this.waitNet(fd, deadline);
        if (w === 'stopped') return 'stopped';
        if (w === 'timeout') return 'done';
        continue;
      }

      // treat socket error conditions
      if (rev.netOutErr) netOut = false;
      if (rev.netInErr) netIn = false;
      // if no net out, stop watching stdin; if no stdout, stop watching net in
      if (!netOut && stdinOpen) stdinOpen = false;
      if (!stdoutOpen && netIn) netIn = false;

      // try to read from stdin
      if (rev.stdin && stdinOpen && !stdinBuf) {
        const chunk = this.readStdin(BUFSIZE);
        if (chunk === null) {
          stdinOpen = false;
          if (o.quit >= 0) ctrld = true;
        } else {
          stdinBuf = chunk;
          wantOut = true;
        }
      }
      // try to write to the network: one datagram per buffer
      if (rev.netOut && netOut && stdinBuf) {
        const rc = this.task.sendto(fd, stdinBuf, null, 0);
        if (rc >= 0) {
          stdinBuf = null;
          wantOut = false;
        } else if (rc !== -EAGAIN) netOut = false;
      }
      // try to read from the network
      if (rev.netIn && netIn) {
        const r = pending.shift() ?? this.task.tryRecv(fd);
        if (typeof r === 'number') {
          if (r !== -EAGAIN) netIn = false;
        } else {
          // A zero-length datagram reads as EOF.
          if (r.data.length === 0) netIn = false;
          else if (stdoutOpen) this.ctx.out(this.decoder.decode(r.data.subarray(0, BUFSIZE)));
          if (o.recvLimit > 0 && ++recvCount >= o.recvLimit) {
            netIn = false;
            stdinOpen = false;
          }
        }
      }
      // stdin gone and queue empty? (-N would shutdown(SHUT_WR), which changes nothing a UDP peer sees)
      if (!stdinOpen && !stdinBuf && netOut) netOut = false;
      // net in gone and queue empty?
      if (!netIn && stdoutOpen) stdoutOpen = false;
    }
  }

  /** udptest(): write "X" until the port answers unreachable; 1 s apart for -w (or 3) seconds. */
  async udptest(fd: number): Promise<boolean | 'stopped'> {
    const x = new Uint8Array([0x58]);
    if (this.task.sendto(fd, x, null, 0) !== 1) return false;
    if (this.task.sendto(fd, x, null, 0) === -ECONNREFUSED) return false;
    const t = this.o.timeoutMs === -1 ? UDP_SCAN_TIMEOUT : Math.floor(this.o.timeoutMs / 1000);
    for (let i = 0; i < t; i++) {
      if (!(await this.ctx.sleep(NSEC_PER_SEC))) return 'stopped';
      if (this.task.sendto(fd, x, null, 0) === -ECONNREFUSED) return false;
    }
    return true;
  }

  async listen(host: string | null, port: string): Promise<number> {
    const ctx = this.ctx;
    // local_listen(): getaddrinfo(host, port, AI_PASSIVE) looks the service up first
    const p = serviceToPort(port, this.o.udp);
    if (p === null) return fail(ctx, `nc: getaddrinfo: ${EAI_SERVICE}`);
    let addr = 0;
    if (host !== null) {
      const a = this.lookup(host);
      if ('error' in a) return fail(ctx, `nc: getaddrinfo: ${a.error}`);
      addr = a.addr;
    }
    if (!this.o.udp) return this.listenTcp(addr, p);
    const fd = this.task.socket(AF_INET, SOCK_DGRAM, 0);
    this.commonSockopts(fd);
    const rc = this.task.bind(fd, addr, p);
    if (rc < 0) return this.exit(fail(ctx, `nc: ${STRERROR[-rc]}`));
    if (this.o.verbose) {
      const sk = this.task.sockOf(fd)!;
      this.reportSock('Bound on', sk.rcvSaddr, sk.num);
    }
    if (this.o.keep) {
      // -k: Debian's netcat reads and writes the unconnected socket as it is: every peer's datagrams are
      // printed (without -v reports), and standard input fails with EDESTADDRREQ.
      for (;;) {
        const r = await this.readwrite(fd, []);
        if (r === 'stopped') return this.stopped();
        if (r === 'quit') break;
      }
      return this.exit(0);
    }
    // recvfrom(MSG_PEEK) without a timeout: the first datagram names the peer. (Taking it now and handing
    // it to readwrite() reads the same, and counts InDatagrams once, like the later read(2).)
    let first = this.task.tryRecv(fd);
    while (typeof first === 'number') {
      if (first !== -EAGAIN) return this.exit(fail(ctx, `nc: recvfrom: ${STRERROR[-first]}`));
      if ((await this.waitNet(fd, Infinity)) === 'stopped') return this.stopped();
      first = this.task.tryRecv(fd);
    }
    if (this.o.verbose) this.reportSock('Connection received on', first.from, first.port);
    const c = this.task.connect(fd, first.from, first.port);
    if (c < 0) return this.exit(fail(ctx, `nc: connect: ${STRERROR[-c]}`));
    const r = await this.readwrite(fd, [first]);
    if (r === 'stopped') return this.stopped();
    this.task.closeAll();
    return 0;
  }

  async connectAll(host: string, ports: string[]): Promise<number> {
    const ctx = this.ctx;
    const o = this.o;
    let ret = 1;
    let fd = -1;
    for (const port of ports) {
      if (fd !== -1) this.task.close(fd);
      fd = -1;
      // remote_connect()
      const a = this.lookup(host);
      if ('error' in a)
        return this.exit(fail(ctx, `nc: getaddrinfo for host "${host}" port ${port}: ${a.error}`));
      const ipaddr = ipv4ToString(a.addr);
      const s = this.task.socket(AF_INET, SOCK_DGRAM, 0);
      if (o.sourceAddr !== null || o.sourcePort !== null) {
        const p = serviceToPort(o.sourcePort, true);
        if (p === null) return this.exit(fail(ctx, `nc: getaddrinfo: ${EAI_SERVICE}`));
        let src = 0;
        if (o.sourceAddr !== null) {
          const sa = this.lookup(o.sourceAddr);
          if ('error' in sa) return this.exit(fail(ctx, `nc: getaddrinfo: ${sa.error}`));
          src = sa.addr;
        }
        const rc = this.task.bind(s, src, p);
        if (rc < 0) return this.exit(fail(ctx, `nc: bind failed: ${STRERROR[-rc]}`));
      }
      this.commonSockopts(s);
      const rc = this.task.connect(s, a.addr, Number(port));
      if (rc < 0) {
        if (o.verbose) {
          const where = o.numeric || host === ipaddr ? host : `${host} (${ipaddr})`;
          ctx.err(`nc: connect to ${where} port ${port} (udp) failed: ${STRERROR[-rc]}\n`);
        }
        this.task.close(s);
        continue;
      }
      fd = s;
      ret = 0;
      if (o.verbose) {
        const t = await this.udptest(fd);
        if (t === 'stopped') return this.stopped();
        if (!t) {
          ret = 1;
          continue;
        }
        const sv = o.numeric ? null : udpServiceByPort(Number(port));
        const named = !o.numeric && host !== ipaddr ? ` (${ipaddr})` : '';
        ctx.err(`Connection to ${host}${named} ${port} port [udp/${sv ?? '*'}] succeeded!\n`);
      }
      if (!o.zero) {
        const r = await this.readwrite(fd, []);
        if (r === 'stopped') return this.stopped();
        if (r === 'quit') return this.exit(0);
      }
    }
    return this.exit(ret);
  }

  // ---- TCP -------------------------------------------------------------------------------------------

  /** poll(2) on the socket for `events`, up to -w (or forever); 'stopped' on a signal. */
  private async pollNet(fd: number, events: number, deadline: number): Promise<number | 'stopped'> {
    if (this.ctx.job.stopped) return 'stopped';
    const r = await this.task.poll([{ fd, events }], deadline);
    if (r === -EINTR || typeof r === 'number') return 'stopped';
    return r[0];
  }

  /**
   * readwrite() for a stream socket: netcat's poll loop. Standard input (a pipe from echo, or a terminal at
   * its end) is always readable; the socket's revents come from tcp_poll. Reads and writes are the
   * non-blocking read(2)/write(2) netcat makes (EAGAIN is not an error).
   */
  async readwriteTcp(fd: number): Promise<Outcome> {
    const o = this.o;
    const task = this.task;
    let stdinOpen = !o.detach;
    let netOut = true;
    let netIn = true;
    let stdoutOpen = true;
    let stdinBuf = new Uint8Array(0);
    let ctrld = false;
    let recvCount = 0;
    for (;;) {
      if (this.ctx.job.stopped) return 'stopped';
      // both inputs are gone, buffers are empty, we are done
      if (!stdinOpen && !netIn && !stdinBuf.length) return o.quit <= 0 ? 'done' : this.delayExit(fd);
      // both outputs are gone, we can't continue
      if (!netOut && !stdoutOpen) return o.quit <= 0 ? 'done' : this.delayExit(fd);
      // listen and net in gone or ^D, queues empty, done
      if (((o.listen && !netIn) || ctrld) && !stdinBuf.length) {
        if (o.quit < 0 || !ctrld) return 'done';
        return this.delayExit(fd);
      }

      // poll(): standard input is ready at once (data or EOF); else wait on the socket up to -w.
      const wantOut = netOut && stdinBuf.length > 0;
      const events = (netIn ? POLLIN : 0) | (wantOut ? POLLOUT : 0);
      const watching = netIn || netOut;
      let rev = watching ? task.pollMask(fd) & (events | POLLERR | POLLHUP | POLLNVAL) : 0;
      const stdinReady = stdinOpen && stdinBuf.length < BUFSIZE;
      if (!stdinReady && rev === 0) {
        const deadline = o.timeoutMs >= 0 ? this.ctx.lab.now() + o.timeoutMs * NSEC_PER_MSEC : Infinity;
        if (!watching) {
          if (deadline === Infinity) return this.waitForever();
          return (await this.ctx.sleep(deadline - this.ctx.lab.now())) ? 'done' : 'stopped';
        }
        const r = await this.pollNet(fd, events, deadline);
        if (r === 'stopped') return 'stopped';
        // timeout happened
        if (r === 0) return 'done';
        rev = r;
      }

      // treat socket error conditions
      if (rev & (POLLERR | POLLNVAL)) {
        netIn = false;
        netOut = false;
      }
      // reading is possible after HUP
      if (netIn && rev & POLLHUP && !(rev & POLLIN)) netIn = false;
      if (rev & POLLHUP && netOut) {
        if (o.shutdownOnEof) task.shutdown(fd, SHUT_WR);
        netOut = false;
      }
      // if no net out, stop watching stdin
      if (!netOut && stdinOpen) stdinOpen = false;
      // if no stdout, stop watching net in
      if (!stdoutOpen && netIn) {
        task.shutdown(fd, SHUT_RD);
        netIn = false;
      }

      // try to read from stdin
      if (stdinOpen && stdinBuf.length < BUFSIZE) {
        const chunk = this.readStdin(BUFSIZE - stdinBuf.length);
        if (chunk === null) {
          stdinOpen = false;
          if (o.quit >= 0) ctrld = true;
        } else {
          const b = new Uint8Array(stdinBuf.length + chunk.length);
          b.set(stdinBuf);
          b.set(chunk, stdinBuf.length);
          stdinBuf = b;
        }
      }
      // try to write to network (poll said POLLOUT, or the buffer was just filled: the next poll would)
      if (netOut && stdinBuf.length && (rev & POLLOUT || task.pollMask(fd) & POLLOUT)) {
        const n = task.sendto(fd, stdinBuf, null, 0);
        if (n >= 0) stdinBuf = stdinBuf.subarray(n);
        else if (n !== -EAGAIN && n !== -EINTR) netOut = false;
      }
      // try to read from network
      if (netIn && rev & POLLIN) {
        const r = task.tryRecv(fd, BUFSIZE);
        if (typeof r === 'number') {
          if (r !== -EAGAIN && r !== -EINTR) netIn = false;
        } else if (r.data.length === 0) {
          // eof on net in - remove from pfd
          task.shutdown(fd, SHUT_RD);
          netIn = false;
        } else {
          if (stdoutOpen) this.ctx.out(this.decoder.decode(r.data, { stream: true }));
          if (o.recvLimit > 0 && ++recvCount >= o.recvLimit) {
            if (netIn) task.shutdown(fd, SHUT_RD);
            netIn = false;
            stdinOpen = false;
          }
        }
      }
      // stdin gone and queue empty?
      if (!stdinOpen && !stdinBuf.length && netOut) {
        if (o.shutdownOnEof) task.shutdown(fd, SHUT_WR);
        netOut = false;
      }
      // net in gone and queue empty?
      if (!netIn && stdoutOpen) stdoutOpen = false;
    }
  }

  /** local_listen() and the accept loop of main(): one connection at a time; -k keeps listening. */
  async listenTcp(addr: number, port: number): Promise<number> {
    const ctx = this.ctx;
    const task = this.task;
    const fd = task.socket(AF_INET, SOCK_STREAM, 0);
    task.setsockoptLevel(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    task.setsockoptLevel(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    this.commonSockopts(fd);
    const rc = task.bind(fd, addr, port);
    if (rc < 0) return this.exit(fail(ctx, `nc: ${STRERROR[-rc]}`));
    const lrc = task.listen(fd, 1);
    if (lrc < 0) return this.exit(fail(ctx, `nc: listen: ${STRERROR[-lrc]}`));
    if (this.o.verbose) {
      const sk = task.sockOf(fd)!;
      this.reportSock('Listening on', sk.rcvSaddr, sk.num);
    }
    for (;;) {
      const a = await task.accept(fd, SOCK_NONBLOCK);
      if (typeof a === 'number') {
        if (a === -EINTR || ctx.job.stopped) return this.stopped();
        return this.exit(fail(ctx, `nc: accept: ${STRERROR[-a]}`));
      }
      if (this.o.verbose) this.reportSock('Connection received on', a.addr, a.port);
      const r = await this.readwriteTcp(a.fd);
      if (r === 'stopped') return this.stopped();
      if (r === 'quit') return this.exit(0);
      task.close(a.fd);
      if (!this.o.keep) break;
    }
    return this.exit(0);
  }

  /**
   * connect_with_timeout(): connect(2) on the non-blocking socket, then wait for writability (select) up to
   * -w seconds, and read the outcome with SO_ERROR.
   */
  private async connectWithTimeout(
    fd: number,
    addr: number,
    port: number,
  ): Promise<{ ok: true } | { ok: false; timeout: boolean; errno: number } | 'stopped'> {
    const rc = this.task.connect(fd, addr, port);
    if (rc === 0) return { ok: true };
    if (rc !== -EINPROGRESS) return { ok: false, timeout: false, errno: -rc };
    const deadline = this.o.timeoutMs > 0 ? this.ctx.lab.now() + this.o.timeoutMs * NSEC_PER_MSEC : Infinity;
    const r = await this.pollNet(fd, POLLOUT, deadline);
    if (r === 'stopped') return 'stopped';
    if (r === 0) return { ok: false, timeout: true, errno: EINPROGRESS };
    const err = this.task.getsockopt(fd, SOL_SOCKET, SO_ERROR) as number;
    return err ? { ok: false, timeout: false, errno: err } : { ok: true };
  }

  /** main()'s loop over the ports with remote_connect(): -v reports, -z only connects. */
  async connectAllTcp(host: string, ports: string[]): Promise<number> {
    const ctx = this.ctx;
    const o = this.o;
    const task = this.task;
    let ret = 1;
    let s = -1;
    for (const port of ports) {
      if (s !== -1) task.close(s);
      s = -1;
      // remote_connect()
      const a = this.lookup(host);
      if ('error' in a)
        return this.exit(fail(ctx, `nc: getaddrinfo for host "${host}" port ${port}: ${a.error}`));
      const ipaddr = ipv4ToString(a.addr);
      const fd = task.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (o.sourceAddr !== null || o.sourcePort !== null) {
        const p = serviceToPort(o.sourcePort, false);
        if (p === null) return this.exit(fail(ctx, `nc: getaddrinfo: ${EAI_SERVICE}`));
        let src = 0;
        if (o.sourceAddr !== null) {
          const sa = this.lookup(o.sourceAddr);
          if ('error' in sa) return this.exit(fail(ctx, `nc: getaddrinfo: ${sa.error}`));
          src = sa.addr;
        }
        const rc = task.bind(fd, src, p);
        if (rc < 0) return this.exit(fail(ctx, `nc: bind failed: ${STRERROR[-rc]}`));
      }
      this.commonSockopts(fd);
      const c = await this.connectWithTimeout(fd, a.addr, Number(port));
      if (c === 'stopped') return this.stopped();
      if (!c.ok) {
        if (o.verbose) {
          const what = c.timeout ? 'timed out' : 'failed';
          const where = o.numeric || host === ipaddr ? host : `${host} (${ipaddr})`;
          ctx.err(`nc: connect to ${where} port ${port} (tcp) ${what}: ${STRERROR[c.errno]}\n`);
        }
        task.close(fd);
        continue;
      }
      s = fd;
      ret = 0;
      if (o.verbose) {
        const sv = o.numeric ? null : tcpServiceByPort(Number(port));
        const named = !o.numeric && host !== ipaddr ? ` (${ipaddr})` : '';
        ctx.err(`Connection to ${host}${named} ${port} port [tcp/${sv ?? '*'}] succeeded!\n`);
      }
      if (!o.zero) {
        const r = await this.readwriteTcp(s);
        if (r === 'stopped') return this.stopped();
        if (r === 'quit') return this.exit(0);
      }
    }
    return this.exit(ret);
  }

  // ---- Unix domain sockets (-U) ------------------------------------------------------------------------

  /**
   * unix_setup_sockaddr(): the sun_path for PATH ("@name": an abstract name, its NUL first), or the errno
   * netcat sets: the empty path is EINVAL, one that does not fit sun_path ENAMETOOLONG.
   */
  private unixSockaddr(path: string): string | number {
    if (path === '') return -EINVAL;
    if (path[0] === '@') return path.length <= UNIX_PATH_MAX ? '\0' + path.slice(1) : -ENAMETOOLONG;
    return path.length < UNIX_PATH_MAX ? path : -ENAMETOOLONG;
  }

  /** unix_bind(): a socket of -u's type bound to PATH, after unlink(PATH) unless it is abstract. */
  private unixBind(path: string): number {
    const sun = this.unixSockaddr(path);
    if (typeof sun === 'number') return sun;
    const s = this.task.socket(AF_UNIX, this.o.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (s < 0) return s;
    if (path[0] !== '@') this.task.unlink(path);
    const rc = this.task.bind(s, sun);
    if (rc < 0) {
      this.task.close(s);
      return rc;
    }
    if (this.o.verbose) this.ctx.err(`Bound on ${path}\n`);
    return s;
  }

  /** The -U listener: unix_listen() (backlog 5) or, with -u, unix_bind(); then main()'s loop. */
  async listenUnix(path: string): Promise<number> {
    const ctx = this.ctx;
    const task = this.task;
    let s = this.unixBind(path);
    if (s >= 0 && !this.o.udp) {
      const rc = task.listen(s, 5);
      if (rc < 0) {
        task.close(s);
        s = rc;
      } else if (this.o.verbose) ctx.err(`Listening on ${path}\n`);
    }
    // err(1, NULL)
    if (s < 0) return this.exit(fail(ctx, `nc: ${STRERROR[-s]}`));
    for (;;) {
      if (this.o.udp && this.o.keep) {
        const r = await this.readwrite(s, []);
        if (r === 'stopped') return this.stopped();
      } else if (this.o.udp) {
        // recvfrom(MSG_PEEK): the first datagram names its sender, whom the socket is connected to.
        let first = task.tryRecv(s, 2048, MSG_PEEK);
        while (typeof first === 'number') {
          if (first !== -EAGAIN) return this.exit(fail(ctx, `nc: recvfrom: ${STRERROR[-first]}`));
          if ((await this.waitNet(s, Infinity)) === 'stopped') return this.stopped();
          first = task.tryRecv(s, 2048, MSG_PEEK);
        }
        // An unbound sender's address is sun_family alone: connect refuses it.
        const c = task.connect(s, first.path ?? '');
        if (c < 0) return this.exit(fail(ctx, `nc: connect: ${STRERROR[-c]}`));
        if (this.o.verbose) ctx.err(`Connection received on ${path}\n`);
        const r = await this.readwrite(s, []);
        if (r === 'stopped') return this.stopped();
      } else {
        const a = await task.accept(s, SOCK_NONBLOCK);
        if (typeof a === 'number') {
          if (a === -EINTR || ctx.job.stopped) return this.stopped();
          return this.exit(fail(ctx, `nc: accept: ${STRERROR[-a]}`));
        }
        if (this.o.verbose) ctx.err(`Connection received on ${path}\n`);
        const r = await this.readwriteTcp(a.fd);
        if (r === 'stopped') return this.stopped();
        task.close(a.fd);
      }
      if (!this.o.keep) break;
    }
    return this.exit(0);
  }

  /** mkdtemp("/tmp/nc-XXXXXX"): a new directory with six random letters and digits. */
  private mkdtemp(): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (;;) {
      let name = '/tmp/nc-';
      for (let i = 0; i < 6; i++) name += chars[(this.ctx.lab.random32() >>> 0) % chars.length];
      if (this.task.mkdir(name, 0o700) === 0) return name;
    }
  }

  /**
   * The -U client: unix_connect() (with -u, from a socket bound to the temporary name, or -s's), then
   * readwrite() unless -z. A failure is warn("%s", PATH) and status 1; the temporary name is removed.
   */
  async connectUnix(path: string): Promise<number> {
    const ctx = this.ctx;
    const task = this.task;
    const o = this.o;
    let tmp: string | null = null;
    if (o.udp) tmp = o.sourceAddr ?? this.mkdtemp() + '/recv.sock';
    let ret = 0;
    const sun = this.unixSockaddr(path);
    let s: number;
    if (typeof sun === 'number') s = sun;
    else {
      if (o.udp) {
        s = this.unixBind(tmp!);
        if (s < 0) {
          ctx.err(`nc: ${tmp}: ${STRERROR[-s]}\n`);
          return this.exit(1);
        }
      } else s = task.socket(AF_UNIX, SOCK_STREAM, 0);
      const rc = await task.connectWait(s, sun);
      if (rc < 0) {
        task.close(s);
        s = rc;
      }
    }
    if (s >= 0) {
      if (!o.zero) {
        const r = o.udp ? await this.readwrite(s, []) : await this.readwriteTcp(s);
        if (r === 'stopped') return this.stopped();
      }
      task.close(s);
    } else {
      ctx.err(`nc: ${path}: ${STRERROR[-s]}\n`);
      ret = 1;
    }
    if (o.udp && o.sourceAddr === null) {
      task.unlink(tmp!);
      task.rmdir(tmp!.slice(0, tmp!.lastIndexOf('/')));
    }
    return this.exit(ret);
  }

  exit(status: number): number {
    this.task.closeAll();
    return status;
  }

  /** Killed by SIGINT (the shell stopped the job): netcat has no handler, so 128 + 2. */
  private stopped(): number {
    this.task.closeAll();
    return 130;
  }
}

function fail(ctx: CommandContext, msg: string): number {
  ctx.err(msg + '\n');
  return 1;
}

/** build_ports(): service names, single ports and lo-hi ranges, each checked by strtoport(). */
function buildPorts(args: string[], udp: boolean): string[] | { error: string } {
  const out: string[] = [];
  const strtoport = (s: string): number | { error: string } => {
    const n = strtonum(s, 1, 65535);
    return typeof n === 'number' ? n : { error: `nc: port number ${n}: ${s}` };
  };
  for (const p of args) {
    const sv = udp ? udpServiceByName(p) : tcpServiceByName(p);
    if (sv !== null) {
      out.push(String(sv));
      continue;
    }
    const dash = p.indexOf('-');
    if (/^\d/.test(p) && dash >= 0) {
      const hi = strtoport(p.slice(dash + 1));
      if (typeof hi !== 'number') return hi;
      const lo = strtoport(p.slice(0, dash));
      if (typeof lo !== 'number') return lo;
      for (let c = Math.min(lo, hi); c <= Math.max(lo, hi); c++) out.push(String(c));
      continue;
    }
    const n = strtoport(p);
    if (typeof n !== 'number') return n;
    out.push(String(n));
  }
  return out;
}

const NOT_MODELLED: Record<string, string> = {
  '6': 'IPv6',
  C: '-C (CRLF line endings)',
  F: '-F (fd passing)',
  i: '-i (delay interval)',
  m: '-m (minimum TTL)',
  P: '-P (proxy user)',
  r: '-r (random ports)',
  S: '-S (TCP MD5 signatures)',
  T: '-T (TOS)',
  t: '-t (telnet)',
  V: '-V (routing tables)',
  X: '-X (proxies)',
  x: '-x (proxies)',
  Z: 'DCCP (-Z)',
};

export const nc: Command = async (ctx) => {
  const g = getopt(ctx.argv.slice(1), '46bCDdFhI:i:klM:m:NnO:P:p:q:rSs:T:tUuV:vW:w:X:x:Zz', 'nc');
  const o: Options = {
    listen: false,
    keep: false,
    verbose: false,
    numeric: false,
    zero: false,
    detach: false,
    broadcast: false,
    shutdownOnEof: false,
    udp: false,
    timeoutMs: -1,
    quit: -1,
    recvLimit: 0,
    ttl: -1,
    rcvbuf: 0,
    sourcePort: null,
    sourceAddr: null,
    sndbuf: 0,
    unix: false,
  };
  const unsupported: string[] = [];
  // Options are acted on as getopt returns them, so the first bad value is the one reported.
  for (const [opt, v] of g.opts) {
    const num = (min: number, max: number, what: string): number | null => {
      const n = strtonum(v!, min, max);
      if (typeof n === 'number') return n;
      ctx.err(`nc: ${what} ${n}: ${v}\n`);
      return null;
    };
    switch (opt) {
      case '4':
      case 'D':
        break;
      case 'b':
        o.broadcast = true;
        break;
      case 'd':
        o.detach = true;
        break;
      case 'h':
        ctx.err(HELP);
        return 0;
      case 'I': {
        const n = num(1, 65536 << 14, 'TCP receive window');
        if (n === null) return 1;
        o.rcvbuf = n;
        break;
      }
      case 'O': {
        const n = num(1, 65536 << 14, 'TCP send window');
        if (n === null) return 1;
        o.sndbuf = n;
        break;
      }
      case 'k':
        o.keep = true;
        break;
      case 'l':
        o.listen = true;
        break;
      case 'M': {
        const n = strtonum(v!, 0, 255);
        if (typeof n !== 'number') return fail(ctx, `nc: ttl is ${n}`);
        o.ttl = n;
        break;
      }
      case 'N':
        o.shutdownOnEof = true;
        break;
      case 'n':
        o.numeric = true;
        break;
      case 'p':
        o.sourcePort = v;
        break;
      case 'q': {
        const n = num(INT_MIN, INT_MAX, 'quit timer');
        if (n === null) return 1;
        o.quit = n;
        if (n >= 0) o.shutdownOnEof = true;
        break;
      }
      case 's':
        o.sourceAddr = v;
        break;
      case 'u':
        o.udp = true;
        break;
      case 'U':
        o.unix = true;
        break;
      case 'v':
        o.verbose = true;
        break;
      case 'W': {
        const n = num(1, INT_MAX, 'receive limit');
        if (n === null) return 1;
        o.recvLimit = n;
        break;
      }
      case 'w': {
        const n = num(0, Math.floor(INT_MAX / 1000), 'timeout');
        if (n === null) return 1;
        o.timeoutMs = n * 1000;
        break;
      }
      case 'z':
        o.zero = true;
        break;
      default:
        unsupported.push(opt);
    }
  }
  if (g.error) {
    ctx.err(g.error + '\n' + USAGE);
    return 1;
  }

  // Cruft to make sure options are clean, and used properly.
  const args = g.operands;
  let host: string | null = null;
  let uport: string[] | null = null;
  if (args.length === 0 && o.listen) {
    uport = o.sourcePort !== null ? [o.sourcePort] : null;
    host = o.sourceAddr;
  } else if (
    args.length === 1 &&
    o.sourcePort === null &&
    // `nc -l 12345` or `nc -U bar` or `nc -uU -s foo bar`
    (o.sourceAddr === null || (o.unix && o.udp && !o.listen))
  ) {
    if (o.unix) host = args[0];
    else if (o.listen) uport = args;
  } else if (args.length >= 2) {
    if (o.listen && (o.sourcePort !== null || o.sourceAddr !== null || args.length > 2)) {
      ctx.err(USAGE);
      return 1;
    }
    host = args[0];
    uport = args.slice(1);
  } else {
    ctx.err(USAGE);
    return 1;
  }
  if (o.unix) {
    if (uport && uport.length) return fail(ctx, 'nc: cannot use port with -U');
    if (host === null) return fail(ctx, 'nc: missing socket pathname');
  } else if (!uport || !uport.length) return fail(ctx, 'nc: missing port number');
  if (o.listen && o.zero) return fail(ctx, 'nc: cannot use -z and -l');
  if (!o.listen && o.keep) return fail(ctx, 'nc: must use -l with -k');
  if (unsupported.length) return fail(ctx, `nc: ${NOT_MODELLED[unsupported[0]]} is not modelled in skblab`);
  if (o.unix) return o.listen ? new Netcat(ctx, o).listenUnix(host!) : new Netcat(ctx, o).connectUnix(host!);
  if (!uport) return fail(ctx, 'nc: missing port number');

  if (o.listen) return new Netcat(ctx, o).listen(host, uport[0]);
  const ports = buildPorts(uport, o.udp);
  if ('error' in ports) return fail(ctx, ports.error);
  if (!o.udp) return new Netcat(ctx, o).connectAllTcp(host!, ports);
  return new Netcat(ctx, o).connectAll(host!, ports);
};
