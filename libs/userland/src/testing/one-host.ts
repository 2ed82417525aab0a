/**
 * A test lab of one host, host1 (lo only), with a root shell whose stdout and stderr are collected in `io`;
 * `tosOut` collects the TOS byte of the UDP datagrams it sends, as tcpdump -v would show it.
 */
import { Lab } from '@skblab/runtime';
import { newShell, runScript } from '@skblab/shell';
import { defaultCommands } from '../index';

export function oneHost(opts: { tty?: boolean } = {}) {
  const lab = new Lab();
  const host = lab.addHost('host1');
  const io = { out: '', err: '' };
  const shell = newShell(lab, host, defaultCommands(), {
    out: (s) => (io.out += s),
    err: (s) => (io.err += s),
    tty: opts.tty,
  });
  const tosOut = new Set<number>();
  lab.taps.add((_dev, skb, dir) => {
    if (dir === 'out' && skb.buf[skb.networkHeader + 9] === 17) tosOut.add(skb.buf[skb.networkHeader + 1]);
  });
  return { lab, host, shell, io, tosOut };
}

/** A script on a fresh one-host lab (`tty`: its stdout a terminal): what it printed, its status, the lab. */
export async function runOnOneHost(script: string, tty = false) {
  const t = oneHost({ tty });
  const status = await runScript(t.shell, script);
  return { out: t.io.out, err: t.io.err, status, host: t.host, lab: t.lab };
}
