/**
 * The kernel model driven through the runtime, checked against what Linux 6.12 does (the counter tables in
 * shared/reference/linux-6.12-ipv4-paths.md, section 3, and the differential suite's measurements).
 */
import {
  AF_INET,
  ECONNREFUSED,
  IPPROTO_ICMP,
  SOCK_DGRAM,
  NUD_DELAY,
  NUD_FAILED,
  NUD_REACHABLE,
  enqueue_to_backlog_for_test,
  allocSkb,
  neigh_lookup,
  inetInsertIfa,
  rt_tos2priority,
} from '@skblab/kernel';
import { Lab } from './lab';
import { Task } from './task';
import { delta, ip4, linkStats, snmp, vethLab } from './testing/lab-fixtures';

/** One echo request from a ping socket, then the reply read; returns the reply or an error. */
async function pingOnce(lab: Lab, task: Task, daddr: number, size = 56, waitNs = 5e9) {
  const fd = task.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
  task.setsockopt(fd, 'recverr', 1);
  const msg = new Uint8Array(8 + size);
  msg[0] = 8;
  msg[7] = 1;
  const rc = task.sendto(fd, msg, daddr, 0);
  const p = task.waitReadable(fd, lab.now() + waitNs);
  await lab.drive(p);
  const r = task.tryRecv(fd);
  const err = task.recvErr(fd);
  task.close(fd);
  return { rc, reply: typeof r === 'number' ? null : r, err };
}

describe('ping 127.0.0.1', () => {
  it('moves the counters Linux moves (reference table A) and lo counts 84 bytes per packet', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const net = host.initNet;
    const before = snmp(net);
    const { reply } = await pingOnce(lab, new Task(lab, host, net, 'ping', 0), ip4('127.0.0.1'));
    expect(reply?.data.length).toBe(64);
    expect(reply?.ttl).toBe(64);
    expect(delta(before, snmp(net))).toEqual({
      'Ip.InReceives': 2,
      'Ip.InDelivers': 2,
      'Ip.OutRequests': 2,
      'Ip.OutTransmits': 2,
      'Icmp.InMsgs': 2,
      'Icmp.OutMsgs': 2,
      'IcmpMsg.InType0': 1,
      'IcmpMsg.InType8': 1,
      'IcmpMsg.OutType0': 1,
      'IcmpMsg.OutType8': 1,
    });
    expect(linkStats(net.loopbackDev)).toMatchObject({
      rxPackets: 2,
      rxBytes: 168,
      txPackets: 2,
      txBytes: 168,
    });
    expect(host.softnet[0].processed).toBe(2);
    expect(host.softnet[1].processed).toBe(0);
  });

  it('uses the backlog of the CPU the sender runs on (taskset)', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    await pingOnce(lab, new Task(lab, host, host.initNet, 'ping', 1), ip4('127.0.0.1'));
    expect(host.softnet[0].processed).toBe(0);
    expect(host.softnet[1].processed).toBe(2);
  });

  it('records a journey from the socket call to the socket queue, with no input route lookup on lo', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    await pingOnce(lab, new Task(lab, host, host.initNet, 'ping', 0), ip4('127.0.0.1'));
    const [req, rep] = lab.journeys;
    const names = (skb: typeof req) => lab.journeyOf([skb]).map((r) => r.step.fn.name);
    const reqFns = names(req);
    expect(reqFns[0]).toBe('__sys_sendto');
    for (const f of [
      'ip_local_out',
      'loopback_xmit',
      'enqueue_to_backlog',
      'process_backlog',
      'ip_rcv',
      'icmp_echo',
    ])
      expect(reqFns).toContain(f);
    expect(reqFns).not.toContain('ip_route_input_noref');
    const repFns = names(rep);
    expect(repFns[0]).toBe('icmp_push_reply');
    expect(repFns.slice(-3)).toEqual(['ping_rcv', '__ping_queue_rcv_skb', 'ping_recvmsg']);
  });
});

describe('the host’s own address', () => {
  it('goes through lo, not the device that owns it', async () => {
    const { lab, host, veth0 } = vethLab();
    const net = host.initNet;
    const before = linkStats(veth0);
    const { reply } = await pingOnce(lab, new Task(lab, host, net, 'ping', 0), ip4('10.0.0.1'));
    expect(reply).not.toBeNull();
    expect(linkStats(veth0)).toEqual(before);
    expect(linkStats(net.loopbackDev)).toMatchObject({ rxPackets: 2, rxBytes: 168 });
  });
});

describe('ping across a veth pair into a namespace', () => {
  it('resolves with ARP first, holding the echo request on arp_queue (reference table B)', async () => {
    const { lab, host, ns1, veth0, veth1 } = vethLab();
    const net = host.initNet;
    const b0 = snmp(net);
    const b1 = snmp(ns1);
    const { reply } = await pingOnce(lab, new Task(lab, host, net, 'ping', 0), ip4('10.0.0.2'));
    expect(reply).not.toBeNull();
    expect(delta(b0, snmp(net))).toMatchObject({
      'Ip.OutRequests': 1,
      'Ip.InReceives': 1,
      'IcmpMsg.OutType8': 1,
      'IcmpMsg.InType0': 1,
    });
    expect(delta(b1, snmp(ns1))).toMatchObject({
      'Ip.OutRequests': 1,
      'Ip.InReceives': 1,
      'IcmpMsg.InType8': 1,
      'IcmpMsg.OutType0': 1,
    });
    // ARP request 42 + echo 98 each way; veth counts the Ethernet header.
    expect(linkStats(veth0)).toMatchObject({ txPackets: 2, txBytes: 140, rxPackets: 2, rxBytes: 140 });
    expect(linkStats(veth1)).toMatchObject({ txPackets: 2, txBytes: 140, rxPackets: 2, rxBytes: 140 });
    expect(neigh_lookup(net, veth0, ip4('10.0.0.2'))?.nudState).toBe(NUD_REACHABLE);
    expect(neigh_lookup(ns1, veth1, ip4('10.0.0.1'))?.nudState).toBe(NUD_DELAY);
    const fns = lab.journeyOf([lab.journeys[0]]).map((r) => r.step.fn.name);
    expect(fns).toContain('__neigh_event_send');
    expect(fns).toContain('veth_xmit');
  });

  it('gives up after three ARP probes: FAILED and ICMP host unreachable to the sender', async () => {
    const { lab, host, veth0 } = vethLab();
    const net = host.initNet;
    const b0 = snmp(net);
    const t0 = lab.now();
    const { reply, err } = await pingOnce(lab, new Task(lab, host, net, 'ping', 0), ip4('10.0.0.99'));
    expect(reply).toBeNull();
    expect(err).toMatchObject({ type: 3, code: 1, offender: ip4('10.0.0.1') });
    expect(lab.now() - t0).toBeGreaterThanOrEqual(3e9);
    expect(neigh_lookup(net, veth0, ip4('10.0.0.99'))?.nudState).toBe(NUD_FAILED);
    expect(linkStats(veth0)).toMatchObject({ txPackets: 3, txBytes: 126 });
    expect(delta(b0, snmp(net))).toEqual({
      'Ip.OutRequests': 2,
      'Ip.OutTransmits': 2,
      'Ip.InReceives': 1,
      'Ip.InDelivers': 1,
      'Icmp.OutMsgs': 2,
      'Icmp.InMsgs': 1,
      'IcmpMsg.OutType8': 1,
      'IcmpMsg.OutType3': 1,
      'IcmpMsg.InType3': 1,
    });
    const drops = lab.journeyOf(lab.journeys).filter((r) => r.step.drop);
    expect(drops.map((r) => r.step.drop)).toContain('SKB_DROP_REASON_NEIGH_FAILED');
  });

  it('fragments a 3028-byte datagram into 1500+1500+68 and reassembles it (reference table C)', async () => {
    const { lab, host, ns1, veth0 } = vethLab();
    const net = host.initNet;
    const b0 = snmp(net);
    const b1 = snmp(ns1);
    const { reply } = await pingOnce(lab, new Task(lab, host, net, 'ping', 0), ip4('10.0.0.2'), 3000);
    expect(reply?.data.length).toBe(3008);
    const frag = {
      'Ip.OutRequests': 1,
      'Ip.FragOKs': 1,
      'Ip.FragCreates': 3,
      'Ip.OutTransmits': 3,
      'Ip.InReceives': 3,
      'Ip.ReasmReqds': 3,
      'Ip.ReasmOKs': 1,
      'Ip.InDelivers': 1,
    };
    expect(delta(b0, snmp(net))).toMatchObject(frag);
    expect(delta(b1, snmp(ns1))).toMatchObject(frag);
    // 1514 + 1514 + 82 per direction, plus the 42-byte ARP frame.
    expect(linkStats(veth0)).toMatchObject({ txPackets: 4, txBytes: 3152, rxPackets: 4, rxBytes: 3152 });
  });
});

describe('UDP', () => {
  it('counts InDatagrams when the reader reads, NoPorts and ECONNREFUSED for a closed port', async () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const net = host.initNet;
    const rx = new Task(lab, host, net, 'nc', 0);
    const tx = new Task(lab, host, net, 'nc', 0);
    const rfd = rx.socket(AF_INET, SOCK_DGRAM, 0);
    expect(rx.bind(rfd, 0, 5000)).toBe(0);
    const sfd = tx.socket(AF_INET, SOCK_DGRAM, 0);
    const b = snmp(net);
    expect(tx.sendto(sfd, new TextEncoder().encode('hi\n'), ip4('127.0.0.1'), 5000)).toBe(3);
    expect(delta(b, snmp(net))).toMatchObject({ 'Udp.OutDatagrams': 1 });
    expect(snmp(net)['Udp.InDatagrams']).toBe(0);
    const r = rx.tryRecv(rfd);
    expect(typeof r === 'number' ? r : new TextDecoder().decode(r.data)).toBe('hi\n');
    expect(snmp(net)['Udp.InDatagrams']).toBe(1);
    // A connected socket to a closed port: the ICMP error comes back as ECONNREFUSED.
    const cfd = tx.socket(AF_INET, SOCK_DGRAM, 0);
    expect(tx.connect(cfd, ip4('127.0.0.1'), 9)).toBe(0);
    const b2 = snmp(net);
    tx.sendto(cfd, new Uint8Array(3), null, 0);
    expect(delta(b2, snmp(net))).toMatchObject({
      'Udp.NoPorts': 1,
      'IcmpMsg.OutType3': 1,
      'IcmpMsg.InType3': 1,
      'Udp.OutDatagrams': 1,
    });
    expect(tx.tryRecv(cfd)).toBe(-ECONNREFUSED);
  });

  it('refuses a second bind to the same port with EADDRINUSE', () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const t = new Task(lab, host, host.initNet, 'nc', 0);
    const a = t.socket(AF_INET, SOCK_DGRAM, 0);
    const b = t.socket(AF_INET, SOCK_DGRAM, 0);
    expect(t.bind(a, 0, 6000)).toBe(0);
    expect(t.bind(b, 0, 6000)).toBe(-98);
  });
});

describe('routing', () => {
  it('has no route: ENETUNREACH and Ip OutNoRoutes', () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    const t = new Task(lab, host, host.initNet, 'ping', 0);
    const fd = t.socket(AF_INET, SOCK_DGRAM, 0);
    const b = snmp(host.initNet);
    expect(t.connect(fd, ip4('192.0.2.1'), 1025)).toBe(-101);
    expect(delta(b, snmp(host.initNet))).toEqual({ 'Ip.OutNoRoutes': 1 });
  });
});

describe('the per-CPU backlog', () => {
  it('drops past net.core.netdev_max_backlog: softnet dropped and the device rx_dropped', () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    host.core.netdevMaxBacklog = 3;
    const net = host.initNet;
    const verdicts = [];
    for (let i = 0; i < 6; i++) {
      const skb = allocSkb(lab.newSkbId(), net, 64);
      skb.dev = net.loopbackDev;
      verdicts.push(enqueue_to_backlog_for_test(lab, skb, 0).kind);
    }
    // qlen > max drops: 0..3 queued (4 of them), then drops.
    expect(verdicts).toEqual(['queued', 'queued', 'queued', 'queued', 'drop', 'drop']);
    expect(host.softnet[0].dropped).toBe(2);
    expect(net.loopbackDev.stats.rxDropped).toBe(2);
  });

  it('counts a time_squeeze when net_rx_action runs out of netdev_budget', () => {
    const lab = new Lab();
    const host = lab.addHost('host1');
    host.core.netdevBudget = 2;
    host.core.devWeight = 2;
    const net = host.initNet;
    for (let i = 0; i < 5; i++) {
      const skb = allocSkb(lab.newSkbId(), net, 64);
      skb.dev = net.loopbackDev;
      enqueue_to_backlog_for_test(lab, skb, 1);
    }
    lab.doSoftirq();
    // Three softirq runs poll 2, 2 and 1 packets: the first two use up the budget of 2, the last does not.
    expect(host.softnet[1].timeSqueeze).toBe(2);
    expect(host.softnet[1].processed).toBe(5);
  });
});

describe('addresses', () => {
  it('refuses a duplicate address with EEXIST', () => {
    const { host, veth0 } = vethLab();
    expect(inetInsertIfa(host.initNet, veth0, ip4('10.0.0.1'), 24, null, null)).toBe(-17);
  });
});

describe('IP_TOS and the priority it gives', () => {
  it('rt_tos2priority follows ip_tos2prio: cost/reliability best effort, throughput bulk, delay interactive', () => {
    // TOS bits 1-4 (RFC 1349) of each of the 16 values, and ECN bits that must not matter.
    const prio = Array.from({ length: 16 }, (_, i) => rt_tos2priority((i << 1) | (i & 1 ? 0x01 : 0x00)));
    expect(prio).toEqual([0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4]);
    expect(rt_tos2priority(0xb8)).toBe(4); // EF: bits 0x18, lowdelay and throughput: interactive bulk
  });

  it("setsockopt(IP_TOS) sets the socket's TOS and sk_priority, and its datagrams carry both", async () => {
    const { lab, host, veth0 } = vethLab();
    const task = new Task(lab, host, host.initNet, 'nc', 0);
    const fd = task.socket(AF_INET, SOCK_DGRAM, 0);
    expect(task.setsockopt(fd, 'tos', 0x10)).toBe(0);
    const seen: Array<{ tos: number; priority: number }> = [];
    lab.taps.add((dev, skb, dir) => {
      if (dev === veth0 && dir === 'out' && skb.protocol === 0x0800)
        seen.push({ tos: skb.buf[skb.networkHeader + 1], priority: skb.priority });
    });
    expect(task.sendto(fd, new Uint8Array(8), ip4('10.0.0.2'), 9)).toBe(8);
    await lab.drive(Promise.resolve());
    expect(seen[0]).toEqual({ tos: 0x10, priority: 6 });
  });
});
