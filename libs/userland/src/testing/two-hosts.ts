/**
 * A test lab: h1 (10.0.0.1) and h2 (10.0.0.2), each with an igb eth0 of `queues` queues, joined by a wire,
 * each with a root shell. `setup()` gives the addresses and brings the links up; `run` runs one line on a
 * node and returns its stdout, stderr and status.
 */
import { Lab } from '@skblab/runtime';
import { newShell, type Shell } from '@skblab/shell';
import { register_igb, wire_connect, type Host, type NetDevice } from '@skblab/kernel';
import { defaultCommands } from '../index';

export interface TestNode {
  host: Host;
  dev: NetDevice;
  shell: Shell;
}

export function twoHosts(queues = 1, irqAffinity: number[] | null = null) {
  const l = new Lab();
  const io = { out: '', err: '' };
  const node = (name: string, n: number): TestNode => {
    const host = l.addHost(name);
    const dev = register_igb(host.initNet, 'eth0', new Uint8Array([0, 0x1b, 0x21, 0, n, 0]), {
      queues,
      txRing: 256,
      rxRing: 256,
      mtu: 1500,
      irqAffinity,
    }) as NetDevice;
    const shell = newShell(l, host, defaultCommands(), {
      out: (s) => (io.out += s),
      err: (s) => (io.err += s),
    });
    return { host, dev, shell };
  };
  const h1 = node('h1', 1);
  const h2 = node('h2', 2);
  wire_connect(h1.dev, h2.dev, {});
  /** Run one line on a node: its stdout, stderr and exit status. */
  const run = async (n: TestNode, line: string) => {
    io.out = '';
    io.err = '';
    const status = await n.shell.runLine(line);
    return { out: io.out, err: io.err, status };
  };
  const setup = async () => {
    for (const [n, a] of [
      [h1, '10.0.0.1'],
      [h2, '10.0.0.2'],
    ] as const) {
      await run(n, `ip addr add ${a}/24 dev eth0`);
      await run(n, 'ip link set eth0 up');
    }
  };
  return { lab: l, h1, h2, run, setup, io };
}
