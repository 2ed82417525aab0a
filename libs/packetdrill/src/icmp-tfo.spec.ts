/**
 * Inbound ICMP errors about the connection under test (`< icmp unreachable frag_needed mtu N [seq]`): the
 * runner quotes the segment with the kernel's live sequence number, and the kernel believes only what
 * tcp_v4_err believes: an out-of-window message is counted (TcpExtOutOfWindowIcmps) and teaches no MTU, an
 * in-window frag-needed shrinks the MSS and retransmits at once, and net.ipv4.ip_no_pmtu_disc=2 ignores it.
 * And the fast-open client's answer to a SYN-ACK without its data acknowledged (tcp_rcv_fastopen_synack).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScriptFile } from './run';

const ESTABLISHED = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 65535 <mss 1460>
+0 > S. 0:0(0) ack 1 <mss 1460>
+.1 < . 1:1(0) ack 1 win 65535
+0 accept(3, ..., ...) = 4
`;

async function run(name: string, text: string): Promise<string | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-pd-icmp-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  try {
    return await runScriptFile(file, { out: () => {}, err: () => {} });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('packetdrill: ICMP frag-needed about the connection under test', () => {
  it('out of window: counted and ignored; in window: the MSS shrinks and the flight goes again at once', async () => {
    // Without TSO on tun0 the segments show their size (packetdrill's tun has TSO: GSO packets come whole).
    const script =
      '`ethtool -K tun0 tso off gso off`\n' +
      ESTABLISHED +
      `+0 write(4, ..., 2920) = 2920
+0 > . 1:1461(1460) ack 1
+0 > P. 1461:2921(1460) ack 1
+.01 < icmp unreachable frag_needed mtu 1000 [5000:6000(1000)]
+0 \`nstat -az TcpExtOutOfWindowIcmps | grep -q 'TcpExtOutOfWindowIcmps  *1 '\`
+0 < . 1:1(0) ack 2921 win 65535
+0 write(4, ..., 1460) = 1460
+0 > P. 2921:4381(1460) ack 1
+0 < icmp unreachable frag_needed mtu 1000 [2921:4381(1460)]
+0 > . 2921:3881(960) ack 1
+0 > P. 3881:4381(500) ack 1
`;
    expect(await run('oow.pkt', script)).toBeNull();
  });

  it('net.ipv4.ip_no_pmtu_disc=2 ignores frag-needed; with 0 the segment is retransmitted', async () => {
    const script = (mode: number) =>
      `\`sysctl -q net.ipv4.ip_no_pmtu_disc=${mode}\`\n` +
      ESTABLISHED +
      `+0 write(4, ..., 1460) = 1460
+0 > P. 1:1461(1460) ack 1
+.01 < icmp unreachable frag_needed mtu 1000 [1:1461(1460)]
+.01 < . 1:1(0) ack 1461 win 65535
+0 write(4, ..., 1460) = 1460
+0 > P. 1461:2921(1460) ack 1
`;
    expect(await run('ignored.pkt', script(2))).toBeNull();
    // The retransmission (960 + 500, aggregated as packetdrill does) comes before the script's next packet.
    expect(await run('believed.pkt', script(0))).toMatch(/expected: 1461 \(0x5b5\) vs actual: 1 \(0x1\)/);
  });
});

describe('packetdrill: a SYN-ACK that does not acknowledge the SYN data', () => {
  it('retransmits the data in Loss state (tcp_non_congestion_loss_retransmit), Open again once acked', async () => {
    const script = `\`sysctl -q net.ipv4.tcp_fastopen=5\`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 sendto(3, ..., 1000, MSG_FASTOPEN, ..., ...) = 1000
+0 > S 0:1000(1000) <...>
+.01 < S. 0:0(0) ack 1 win 5840 <mss 1460,nop,nop,sackOK>
+0 > P. 1:1001(1000) ack 1
// TCP_CA_Loss
+0 %{ assert tcpi_ca_state == 4, tcpi_ca_state }%
+.01 < . 1:1(0) ack 1001 win 5840
+0 %{ assert tcpi_ca_state == 0, tcpi_ca_state }%
`;
    expect(await run('syn-data-not-acked.pkt', script)).toBeNull();
  });
});
