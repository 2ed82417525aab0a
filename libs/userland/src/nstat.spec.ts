/**
 * nstat as iproute2 6.1 prints it: the `#kernel` line, then "%-32s%-16llu%6.1f" rows of the counters of
 * /proc/net/snmp then /proc/net/netstat that are not zero; increments since the history file
 * (/tmp/.nstat.u0) the last run wrote, or absolute values without one (-a, -r).
 */
import { runScript } from '@skblab/shell';
import { oneHost } from './testing/one-host';
import { fnmatchCasefold, nstatHistory } from './nstat';

async function session() {
  const h = oneHost();
  return {
    ...h,
    /** The output of one script, stdout and stderr apart. */
    async run(script: string) {
      h.io.out = '';
      h.io.err = '';
      const status = await runScript(h.shell, script);
      return { out: h.io.out, err: h.io.err, status };
    },
  };
}

const PING = 'ping -c 1 -W 1 127.0.0.1 >/dev/null\n';
const row = (id: string, v: number) => `${id.padEnd(32)}${String(v).padEnd(16)}   0.0\n`;

describe('nstat', () => {
  it('prints the increments since the last run, snmp counters before netstat ones, zeros left out', async () => {
    const s = await session();
    await s.run('nstat >/dev/null\n');
    const r = await s.run(PING + 'nstat\n');
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('#kernel');
    // One echo request and its reply, both through lo.
    expect(r.out).toContain(row('IcmpInEchos', 1));
    expect(r.out).toContain(row('IcmpInEchoReps', 1));
    expect(r.out).toContain(row('IcmpOutMsgs', 2));
    expect(r.out).toContain(row('IpExtInOctets', 168));
    expect(lines.findIndex((l) => l.startsWith('IcmpInEchos '))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('IpExtInOctets ')),
    );
    expect(lines.every((l) => l === '' || l === '#kernel' || !/^\S+\s+0\s/.test(l))).toBe(true);
    // Nothing happened since: only the header.
    expect((await s.run('nstat\n')).out).toBe('#kernel\n');
  });

  it('keeps the history in /tmp/.nstat.u0 as absolute values; -r starts again from nothing', async () => {
    const s = await session();
    await s.run(PING + 'nstat -n\n');
    const hist = nstatHistory(s.host)!;
    expect(hist.split('\n')[0]).toBe('#kernel');
    expect(hist).toContain(row('IcmpInEchos', 1));
    await s.run(PING);
    // -r: the history is gone, so the values are absolute (two pings' worth).
    const r = await s.run('nstat -r IcmpInEchos\n');
    expect(r.out).toBe('#kernel\n' + row('IcmpInEchos', 2));
  });

  it('-s does not update the history, -a shows absolute values, -z shows zeros too', async () => {
    const s = await session();
    await s.run('nstat -n\n' + PING);
    expect((await s.run('nstat -s IcmpInEchos\n')).out).toBe('#kernel\n' + row('IcmpInEchos', 1));
    expect((await s.run('nstat -s IcmpInEchos\n')).out).toBe('#kernel\n' + row('IcmpInEchos', 1));
    await s.run('nstat -n\n' + PING);
    expect((await s.run('nstat -a IcmpInEchos\n')).out).toBe('#kernel\n' + row('IcmpInEchos', 2));
    // -a with -s reads no history at all.
    expect((await s.run('nstat -as IcmpInEchos\n')).out).toBe('#kernel\n' + row('IcmpInEchos', 2));
    expect((await s.run('nstat IcmpInEchos\n')).out).toBe('#kernel\n');
    expect((await s.run('nstat -z IcmpInEchos TcpExtOutOfWindowIcmps\n')).out).toBe(
      '#kernel\n' + row('IcmpInEchos', 0) + row('TcpExtOutOfWindowIcmps', 0),
    );
  });

  it('patterns are case-blind globs; counters they leave out keep their remembered value', async () => {
    const s = await session();
    await s.run(PING + 'nstat -n\n' + PING);
    const r = await s.run('nstat icmpin*\n');
    expect(r.out).toBe('#kernel\n' + row('IcmpInMsgs', 2) + row('IcmpInEchos', 1) + row('IcmpInEchoReps', 1));
    // IcmpOutMsgs was not shown, so its increment is still there for the next run.
    expect((await s.run('nstat IcmpOutMsgs IcmpInMsgs\n')).out).toBe('#kernel\n' + row('IcmpOutMsgs', 2));
  });

  it('a counter the history lacks (it was 0) is remembered at its new value even when a pattern hides it', async () => {
    const s = await session();
    await s.run('nstat -n\n' + PING);
    // No history entries: absolute values, and the file takes IcmpOutMsgs' current value (dump_kern_db).
    expect((await s.run('nstat IcmpInEchos\n')).out).toBe('#kernel\n' + row('IcmpInEchos', 1));
    expect((await s.run('nstat IcmpOutMsgs\n')).out).toBe('#kernel\n');
  });

  it('-j prints json_writer.c objects, compact or (-p) pretty', async () => {
    const s = await session();
    await s.run('nstat -n\n' + PING);
    expect((await s.run('nstat -s -j IcmpInEchos IcmpOutEchos\n')).out).toBe(
      '{"kernel":{"IcmpInEchos":1,"IcmpOutEchos":1}}\n',
    );
    expect((await s.run('nstat -s --json --pretty IcmpInEchos IcmpOutEchos\n')).out).toBe(
      '{\n    "kernel": {\n        "IcmpInEchos": 1,\n        "IcmpOutEchos": 1\n    }\n}\n',
    );
    expect((await s.run('nstat -jp NoSuchCounter\n')).out).toBe('{\n    "kernel": {}\n}\n');
  });

  it('refuses an unknown option with its usage and status 255; -h is the usage too', async () => {
    const s = await session();
    const r = await s.run('nstat -x\n');
    expect(r.status).toBe(255);
    expect(r.err.split('\n').slice(0, 2)).toEqual([
      "nstat: invalid option -- 'x'",
      'Usage: nstat [OPTION] [ PATTERN [ PATTERN ] ]',
    ]);
    const h = await s.run('nstat -h\n');
    expect([h.status, h.err.split('\n')[0]]).toEqual([255, 'Usage: nstat [OPTION] [ PATTERN [ PATTERN ] ]']);
    expect((await s.run('nstat -V\n')).out).toBe('nstat utility, iproute2-6.1.0\n');
  });

  it('fnmatch with FNM_CASEFOLD', () => {
    expect(fnmatchCasefold('TcpExt*Icmp?', 'TcpExtOutOfWindowIcmps')).toBe(true);
    expect(fnmatchCasefold('tcpext[!x]*', 'TcpExtListenDrops')).toBe(true);
    expect(fnmatchCasefold('Tcp[A-D]*', 'TcpExtListenDrops')).toBe(false);
    expect(fnmatchCasefold('Ip', 'IpInReceives')).toBe(false);
  });
});
