/**
 * SYN cookies (net/ipv4/syncookies.c) driven as packetdrill drives a kernel. With net.ipv4.tcp_syncookies=2
 * every SYN is answered with a cookie and no request sock: the handshake's ACK alone makes the child, which
 * knows the SYN's window scale and SACK from the timestamp the ACK echoes; an ACK whose cookie does not check
 * out is counted (TcpExtSyncookiesFailed) and answered with an RST by the listener.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScriptFile } from './run';

async function run(text: string): Promise<string | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-pd-cookies-'));
  const file = path.join(dir, 'cookies.pkt');
  fs.writeFileSync(file, text);
  try {
    return await runScriptFile(file, { out: () => {}, err: () => {} });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const LISTEN = `\`sysctl -q net.ipv4.tcp_syncookies=2\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 10000 ecr 100,nop,wscale 7>
`;

const nstat = (name: string, v: number): string => `+0 \`nstat -az ${name} | grep -q '^${name}  *${v} '\`\n`;

describe('SYN cookies', () => {
  it('tcp_syncookies=2: the ACK of a cookie SYN-ACK makes the child, with the SYN options the cookie kept', async () => {
    const script =
      LISTEN +
      `+.1 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 10000>
+0 accept(3, ..., ...) = 4
+0 %{ assert tcpi_snd_wscale == 7, tcpi_snd_wscale; assert tcpi_options & TCPI_OPT_SACK, tcpi_options }%
+0 write(4, ..., 1000) = 1000
+0 > P. 1:1001(1000) ack 1 <nop,nop,TS val 10100 ecr 200>
` +
      nstat('TcpExtSyncookiesSent', 1) +
      nstat('TcpExtSyncookiesRecv', 1) +
      nstat('TcpExtTCPReqQFullDoCookies', 1) +
      nstat('TcpExtSyncookiesFailed', 0);
    expect(await run(script)).toBeNull();
  });

  // Both as the real packetdrill saw Linux 6.18 do it here. (An ACK one above the cookie passes: the MSS class
  // in the low bits is then the next one, still in msstab.)
  it('an ACK that does not carry the cookie: SyncookiesFailed, and the listener resets it', async () => {
    const script =
      LISTEN +
      `+.1 < . 1:1(0) ack 100000 win 257 <nop,nop,TS val 200 ecr 10000>
+0 > R 100000:100000(0)
` +
      nstat('TcpExtSyncookiesFailed', 1) +
      nstat('TcpExtSyncookiesRecv', 0);
    expect(await run(script)).toBeNull();
  });
});
