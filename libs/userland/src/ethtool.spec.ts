/**
 * ethtool and /proc/interrupts driven through the shell in a real Lab of two hosts whose igb NICs share a
 * wire. The veth, lo and error texts are what ethtool 6.1 (Debian 12) prints for the same commands in a
 * namespace; igb's follow ethtool 6.1's netlink/settings.c and rings.c and the igb driver's answers (no
 * igb to run it on here). /proc/interrupts' layout is kernel/irq/proc.c's, as on this machine's kernel.
 */
import { twoHosts } from './testing/two-hosts';
import { UTS_RELEASE } from './ethtool';
import {
  NETIF_F_GSO,
  NETIF_F_TSO,
  TUN_F_CSUM,
  TUN_F_TSO4,
  register_tun,
  tun_features,
  tun_set_offload,
  type NetDevice,
  igb_adapter,
} from '@skblab/kernel';

const lab = twoHosts;

/** `ethtool -S` as name → value. */
function nicStats(out: string): Record<string, number> {
  const lines = out.split('\n');
  expect(lines[0]).toBe('NIC statistics:');
  return Object.fromEntries(
    lines
      .slice(1)
      .filter((l) => l)
      .map((l) => {
        const m = /^ {5}(\S+): (\d+)$/.exec(l)!;
        return [m[1], Number(m[2])];
      }),
  );
}

const NODEV = 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n';

describe('ethtool -S', () => {
  it("igb's counters move with traffic: the MAC's and each queue's", async () => {
    const t = lab(1);
    await t.setup();
    const before = nicStats((await t.run(t.h1, 'ethtool -S eth0')).out);
    expect(Object.keys(before).slice(0, 4)).toEqual(['rx_packets', 'tx_packets', 'rx_bytes', 'tx_bytes']);
    expect(before.tx_queue_0_packets).toBe(0);
    await t.run(t.h1, 'ping -c 3 10.0.0.2');
    const after = nicStats((await t.run(t.h1, 'ethtool -S eth0')).out);
    // an ARP request and three echo requests out, the ARP reply and three echo replies in
    expect(after.tx_packets - before.tx_packets).toBe(4);
    expect(after.rx_packets - before.rx_packets).toBe(4);
    expect(after.tx_queue_0_packets).toBe(4);
    expect(after.rx_queue_0_packets).toBe(4);
    expect(after.tx_queue_0_bytes).toBe(42 + 3 * 98);
  });

  it('veth: the peer ifindex and the XDP counters of each queue; lo has none (exit 94)', async () => {
    const t = lab(1);
    await t.run(t.h1, 'ip link add veth0 type veth peer name veth1');
    const { out, status } = await t.run(t.h1, 'ethtool -S veth0');
    expect(status).toBe(0);
    const peer = t.h1.host.initNet.devices.find((d) => d.name === 'veth1')!;
    expect(out).toBe(
      'NIC statistics:\n' +
        `     peer_ifindex: ${peer.ifindex}\n` +
        '     rx_queue_0_xdp_packets: 0\n' +
        '     rx_queue_0_xdp_bytes: 0\n' +
        '     rx_queue_0_drops: 0\n' +
        '     rx_queue_0_xdp_redirect: 0\n' +
        '     rx_queue_0_xdp_drops: 0\n' +
        '     rx_queue_0_xdp_tx: 0\n' +
        '     rx_queue_0_xdp_tx_errors: 0\n' +
        '     tx_queue_0_xdp_xmit: 0\n' +
        '     tx_queue_0_xdp_xmit_errors: 0\n',
    );
    expect(await t.run(t.h1, 'ethtool -S lo')).toEqual({ out: '', err: 'no stats available\n', status: 94 });
    expect(await t.run(t.h1, 'ethtool -S nosuch')).toEqual({
      out: '',
      err: 'Cannot get stats strings information: No such device\n',
      status: 96,
    });
    expect(await t.run(t.h1, 'ethtool -S veth0 foo')).toEqual({
      out: '',
      err: "ethtool (-S): unknown parameter 'foo'\n",
      status: 1,
    });
  });
});

describe('ethtool -i', () => {
  it('igb: the kernel release as version, the firmware, the PCI function', async () => {
    const t = lab(1);
    expect(await t.run(t.h1, 'ethtool -i eth0')).toEqual({
      out:
        'driver: igb\n' +
        `version: ${UTS_RELEASE}\n` +
        'firmware-version: 1.63, 0x800009fa\n' +
        'expansion-rom-version: \n' +
        'bus-info: 0000:01:00.0\n' +
        'supports-statistics: yes\n' +
        'supports-test: yes\n' +
        'supports-eeprom-access: yes\n' +
        'supports-register-dump: yes\n' +
        'supports-priv-flags: yes\n',
      err: '',
      status: 0,
    });
  });

  it('veth as ethtool 6.1 prints it; lo has no driver information (exit 71)', async () => {
    const t = lab(1);
    await t.run(t.h1, 'ip link add veth0 type veth peer name veth1');
    expect((await t.run(t.h1, 'ethtool -i veth0')).out).toBe(
      'driver: veth\nversion: 1.0\nfirmware-version: \nexpansion-rom-version: \nbus-info: \n' +
        'supports-statistics: yes\nsupports-test: no\nsupports-eeprom-access: no\n' +
        'supports-register-dump: no\nsupports-priv-flags: no\n',
    );
    expect(await t.run(t.h1, 'ethtool -i lo')).toEqual({
      out: '',
      err: 'Cannot get driver information: Operation not supported\n',
      status: 71,
    });
    expect(await t.run(t.h1, 'ethtool -i nosuch')).toEqual({
      out: '',
      err: 'Cannot get driver information: No such device\n',
      status: 71,
    });
    expect(await t.run(t.h1, 'ethtool -i')).toEqual({
      out: '',
      err: 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n',
      status: 1,
    });
  });
});

describe('ethtool -g / -G', () => {
  const rings = (rx: number, tx: number) =>
    'Ring parameters for eth0:\n' +
    'Pre-set maximums:\nRX:\t\t4096\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t4096\n' +
    `Current hardware settings:\nRX:\t\t${rx}\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t${tx}\n` +
    'RX Buf Len:\t\tn/a\nCQE Size:\t\tn/a\nTX Push:\toff\nTCP data split:\tn/a\n';

  it('-G sets the rings (igb rounds up to a multiple of 8) and -g shows them', async () => {
    const t = lab(1);
    await t.setup();
    expect(await t.run(t.h1, 'ethtool -g eth0')).toEqual({ out: rings(256, 256), err: '', status: 0 });
    expect(await t.run(t.h1, 'ethtool -G eth0 rx 1000 tx 4096')).toEqual({ out: '', err: '', status: 0 });
    expect((await t.run(t.h1, 'ethtool -g eth0')).out).toBe(rings(1000, 4096));
    await t.run(t.h1, 'ethtool -G eth0 rx 100 tx 30');
    expect((await t.run(t.h1, 'ethtool -g eth0')).out).toBe(rings(104, 64));
    expect(igb_adapter(t.h1.dev)!.qVectors[0].rxRing.count).toBe(104);
    // the link still carries traffic
    expect((await t.run(t.h1, 'ping -c 1 10.0.0.2')).out).toContain('1 received');
  });

  it('the ethtool core refuses a size over the maximum, pointing at the attribute', async () => {
    const t = lab(1);
    expect(await t.run(t.h1, 'ethtool -G eth0 rx 5000')).toEqual({
      out: '',
      err: 'netlink error: requested ring size exceeds maximum (offset 36)\nnetlink error: Invalid argument\n',
      status: 81,
    });
    expect((await t.run(t.h1, 'ethtool -G eth0 tx 256 tx 300')).err).toBe(
      "ethtool (-G): duplicate parameter 'tx'\n",
    );
    expect((await t.run(t.h1, 'ethtool -G eth0 tx 100 rx 8192')).err).toMatch(
      /exceeds maximum \(offset 44\)/,
    );
    expect((await t.run(t.h1, 'ethtool -g eth0')).out).toBe(rings(256, 256));
  });

  it('parameter errors (exit 1), devices without rings and unknown ones, as ethtool 6.1 prints them', async () => {
    const t = lab(1);
    await t.run(t.h1, 'ip link add veth0 type veth peer name veth1');
    expect(await t.run(t.h1, 'ethtool -G eth0 rx')).toEqual({
      out: '',
      err: "ethtool (-G): no value for parameter 'rx'\n",
      status: 1,
    });
    expect((await t.run(t.h1, 'ethtool -G eth0 rx x')).err).toBe(
      "ethtool (-G): invalid value 'x' for parameter 'rx'\n",
    );
    expect((await t.run(t.h1, 'ethtool -G eth0 rx -1')).err).toBe(
      "ethtool (-G): invalid value '-1' for parameter 'rx'\n",
    );
    expect((await t.run(t.h1, 'ethtool -G eth0 foo 1')).err).toBe("ethtool (-G): unknown parameter 'foo'\n");
    expect(await t.run(t.h1, 'ethtool -G veth0 rx 100')).toEqual({
      out: '',
      err: 'netlink error: Operation not supported\n',
      status: 81,
    });
    expect(await t.run(t.h1, 'ethtool -g veth0')).toEqual({
      out: '',
      err: 'netlink error: Operation not supported\n',
      status: 1,
    });
    expect(await t.run(t.h1, 'ethtool -g nosuch')).toEqual({ out: '', err: NODEV, status: 1 });
    expect(await t.run(t.h1, 'ethtool -G nosuch rx 100')).toEqual({ out: '', err: NODEV, status: 81 });
    expect(await t.run(t.h1, 'ethtool -g veth0 foo')).toEqual({
      out: '',
      err: "ethtool: unexpected parameter 'foo'\n",
      status: 1,
    });
  });
});

describe('ethtool DEV', () => {
  it('igb: link modes, speed and link as the wire and both ends are up', async () => {
    const t = lab(1);
    const down = await t.run(t.h1, 'ethtool eth0');
    expect(down.out).toContain('\tSpeed: Unknown!\n\tDuplex: Unknown! (255)\n');
    expect(down.out).toMatch(/\tLink detected: no\n$/);
    await t.setup();
    expect(await t.run(t.h1, 'ethtool eth0')).toEqual({
      out:
        'Settings for eth0:\n' +
        '\tSupported ports: [ TP ]\n' +
        '\tSupported link modes:   10baseT/Half 10baseT/Full\n' +
        '\t                        100baseT/Half 100baseT/Full\n' +
        '\t                        1000baseT/Full\n' +
        '\tSupported pause frame use: Symmetric\n' +
        '\tSupports auto-negotiation: Yes\n' +
        '\tSupported FEC modes: Not reported\n' +
        '\tAdvertised link modes:  10baseT/Half 10baseT/Full\n' +
        '\t                        100baseT/Half 100baseT/Full\n' +
        '\t                        1000baseT/Full\n' +
        '\tAdvertised pause frame use: Symmetric\n' +
        '\tAdvertised auto-negotiation: Yes\n' +
        '\tAdvertised FEC modes: Not reported\n' +
        '\tSpeed: 1000Mb/s\n' +
        '\tDuplex: Full\n' +
        '\tAuto-negotiation: on\n' +
        '\tPort: Twisted Pair\n' +
        '\tPHYAD: 1\n' +
        '\tTransceiver: internal\n' +
        '\tMDI-X: off (auto)\n' +
        '\tSupports Wake-on: pumbg\n' +
        '\tWake-on: g\n' +
        '        Current message level: 0x00000007 (7)\n' +
        '                               drv probe link\n' +
        '\tLink detected: yes\n',
      err: '',
      status: 0,
    });
  });

  it('veth and lo as ethtool 6.1 prints them; an unknown device', async () => {
    const t = lab(1);
    await t.run(t.h1, 'ip link add veth0 type veth peer name veth1');
    await t.run(t.h1, 'ip link set veth0 up');
    const v = (await t.run(t.h1, 'ethtool veth0')).out;
    expect(v).toBe(
      'Settings for veth0:\n' +
        '\tSupported ports: [  ]\n' +
        '\tSupported link modes:   Not reported\n' +
        '\tSupported pause frame use: No\n' +
        '\tSupports auto-negotiation: No\n' +
        '\tSupported FEC modes: Not reported\n' +
        '\tAdvertised link modes:  Not reported\n' +
        '\tAdvertised pause frame use: No\n' +
        '\tAdvertised auto-negotiation: No\n' +
        '\tAdvertised FEC modes: Not reported\n' +
        '\tSpeed: 10000Mb/s\n' +
        '\tDuplex: Full\n' +
        '\tAuto-negotiation: off\n' +
        '\tPort: Twisted Pair\n' +
        '\tPHYAD: 0\n' +
        '\tTransceiver: internal\n' +
        '\tMDI-X: Unknown\n' +
        // the peer is down: no carrier
        '\tLink detected: no\n',
    );
    expect((await t.run(t.h1, 'ethtool lo')).out).toBe('Settings for lo:\n\tLink detected: yes\n');
    expect(await t.run(t.h1, 'ethtool nosuch')).toEqual({
      out: 'No data available\n',
      err: NODEV.repeat(5),
      status: 75,
    });
  });
});

describe('/proc/interrupts', () => {
  it("lists each NIC's MSI-X vectors; a queue's count moves on the CPU its IRQ is bound to", async () => {
    const t = lab(2, [1, 0]);
    await t.setup();
    const read = async () => (await t.run(t.h1, 'cat /proc/interrupts')).out;
    const before = await read();
    expect(before).toBe(
      '           CPU0       CPU1       \n' +
        '120:          0          0 IR-PCI-MSIX-0000:01:00.0   0-edge      eth0\n' +
        '121:          0          0 IR-PCI-MSIX-0000:01:00.0   1-edge      eth0-TxRx-0\n' +
        '122:          0          0 IR-PCI-MSIX-0000:01:00.0   2-edge      eth0-TxRx-1\n',
    );
    await t.run(t.h1, 'ping -c 3 10.0.0.2');
    const counts = (await read())
      .split('\n')
      .slice(1, -1)
      .map((l) => l.split(/\s+/).filter((w) => w))
      .map((w) => ({ name: w[w.length - 1], cpu0: Number(w[1]), cpu1: Number(w[2]) }));
    const q0 = counts.find((c) => c.name === 'eth0-TxRx-0')!;
    const q1 = counts.find((c) => c.name === 'eth0-TxRx-1')!;
    // eth0-TxRx-0 is bound to CPU1, eth0-TxRx-1 to CPU0: each counts only there.
    expect(q0.cpu0).toBe(0);
    expect(q1.cpu1).toBe(0);
    expect(q0.cpu1 + q1.cpu0).toBeGreaterThan(0);
  });

  it('names the queue vectors when they are requested (igb_open): a live rename shows there from the next open', async () => {
    const t = lab(1);
    await t.setup();
    const names = async () =>
      (await t.run(t.h1, 'cat /proc/interrupts')).out
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(/\s+/).pop());
    expect((await t.run(t.h1, 'ip link set eth0 name lan0')).status).toBe(0);
    // The link vector is named by netdev->name itself; the queue's name is a copy made at open.
    expect(await names()).toEqual(['lan0', 'eth0-TxRx-0']);
    await t.run(t.h1, 'ip link set lan0 down');
    await t.run(t.h1, 'ip link set lan0 up');
    expect(await names()).toEqual(['lan0', 'lan0-TxRx-0']);
  });
});

describe('ethtool -K', () => {
  it("turns a tun device's TSO off and on (the reader then gets MSS-sized segments or the GSO packet whole)", async () => {
    const t = lab(1);
    const tun = register_tun(t.h1.host.initNet, 'tun0') as NetDevice;
    tun_set_offload(tun, TUN_F_CSUM | TUN_F_TSO4);
    expect(tun_features(tun) & NETIF_F_TSO).toBe(NETIF_F_TSO);
    expect(await t.run(t.h1, 'ethtool -K tun0 tso off gso off')).toEqual({ out: '', err: '', status: 0 });
    expect(tun_features(tun) & (NETIF_F_TSO | NETIF_F_GSO)).toBe(0);
    expect(await t.run(t.h1, 'ethtool --offload tun0 tcp-segmentation-offload on')).toEqual({
      out: '',
      err: '',
      status: 0,
    });
    expect(tun_features(tun) & NETIF_F_TSO).toBe(NETIF_F_TSO);
    // Without TUNSETOFFLOAD's TUN_F_TSO4, tun_net_fix_features keeps TSO off whatever is wanted.
    tun_set_offload(tun, 0);
    expect(tun_features(tun) & NETIF_F_TSO).toBe(0);
  });

  it('names a missing device as ethtool netlink does; refuses what it does not model', async () => {
    const t = lab(1);
    expect(await t.run(t.h1, 'ethtool -K nosuch tso off')).toEqual({ out: '', err: NODEV, status: 92 });
    expect(await t.run(t.h1, 'ethtool -K eth0 tso')).toEqual({
      out: '',
      err: 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n',
      status: 1,
    });
    expect((await t.run(t.h1, 'ethtool -K eth0 tso off')).status).toBe(1);
    expect((await t.run(t.h1, 'ethtool -K eth0 rx-vlan-filter off')).err).toBe(
      'skblab: ethtool -K rx-vlan-filter is not modelled\n',
    );
  });
});
