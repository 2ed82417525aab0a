/**
 * The web console's server against a real embedded lab (the default topology, booted as `skblab web` boots
 * it): its JSON answers, and a terminal over a WebSocket whose lines run in the lab's shell.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { Lab, buildHardware } from '@skblab/runtime';
import { Shell, bootTopology } from '@skblab/shell';
import { defaultTopology } from '@skblab/topology';
import { defaultCommands } from '@skblab/userland';
import { LabConsole, pcapFilesOf } from './console';
import { startWebServer, type WebServer } from './server';
import { parseWebArgs } from './web';
import type { JourneyView, Moved, TopologyView } from './api';

let lab: Lab;
let server: WebServer;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skblab-web-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>\n');
  lab = new Lab();
  const spec = defaultTopology();
  buildHardware(lab, spec);
  const commands = defaultCommands();
  expect(await bootTopology(lab, spec, commands)).toBeNull();
  server = await startWebServer({ console: new LabConsole(lab, commands, dir), assets: dir, port: 0 });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get(p: string): Promise<{ status: number; type: string; body: Buffer }> {
  const r = await fetch(server.url + p.replace(/^\//, ''));
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    body: Buffer.from(await r.arrayBuffer()),
  };
}

async function json<T>(p: string): Promise<T> {
  const r = await get(p);
  expect(r.status).toBe(200);
  return JSON.parse(r.body.toString()) as T;
}

/** A terminal: connects, types lines, collects the output; resolves each line's 'done'. */
class Term {
  out = '';
  private readonly ws: WebSocket;
  private waiters: Array<{ n: number; resolve: (c: { id: number; line: string; status: number }) => void }> =
    [];
  private dones: Array<{ id: number; line: string; status: number }> = [];
  readonly opened: Promise<void>;
  readonly exited: Promise<number>;

  constructor(node?: string, headers?: Record<string, string>) {
    this.ws = new WebSocket(`${server.url.replace('http', 'ws')}ws/terminal${node ? `?node=${node}` : ''}`, {
      headers,
    });
    this.opened = new Promise((r) => this.ws.once('open', () => r()));
    let exit: (s: number) => void = () => undefined;
    this.exited = new Promise((r) => (exit = r));
    this.ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.t === 'o') this.out += m.d;
      else if (m.t === 'exit') exit(m.status);
      else if (m.t === 'done') {
        this.dones.push(m.command);
        this.waiters = this.waiters.filter((w) =>
          this.dones.length >= w.n ? (w.resolve(this.dones[w.n - 1]), false) : true,
        );
      }
    });
  }

  /** Type a line (as keys, with Enter) and wait until it ran. */
  async run(line: string): Promise<{ id: number; line: string; status: number }> {
    await this.opened;
    const n = this.dones.length + 1;
    const done = new Promise<{ id: number; line: string; status: number }>((resolve) =>
      this.waiters.push({ n, resolve }),
    );
    this.ws.send(JSON.stringify({ t: 'i', d: line + '\r' }));
    return done;
  }

  send(keys: string): void {
    this.ws.send(JSON.stringify({ t: 'i', d: keys }));
  }

  /** A message as it is, whatever it is. */
  sendRaw(data: string): void {
    this.ws.send(data);
  }

  close(): void {
    this.ws.close();
  }
}

describe('skblab web: the API', () => {
  it('shows the topology: hosts, namespaces, devices with their addresses, and the wire', async () => {
    const t = await json<TopologyView>('/api/topology');
    expect(t.hosts.map((h) => h.name)).toEqual(['host1', 'host2']);
    const h1 = t.hosts[0].namespaces[0];
    expect(h1.name).toBe('');
    expect(h1.devices.map((d) => [d.name, d.kind, d.addresses, d.up])).toEqual([
      ['lo', 'loopback', ['127.0.0.1/8'], true],
      ['eth0', 'igb', ['192.168.1.1/24'], true],
    ]);
    expect(t.links).toEqual([
      expect.objectContaining({ kind: 'wire', a: 'host1//eth0', b: 'host2//eth0', up: true, rate: 1e9 }),
    ]);
  });

  /** A GET sent as it is written (fetch would resolve '..' itself), with the headers given. */
  function rawGet(
    p: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: p, headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
  }

  it('answers bad requests with a clear error and serves nothing outside the bundle', async () => {
    const bad = await get('/api/journeys?since=abc');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error).toMatch(/since: not a journey number: 'abc'/);
    expect((await get('/api/nothing')).status).toBe(404);
    // A file next to the bundle's folder, asked for every way a path can climb out of it.
    const outside = path.join(path.dirname(dir), `${path.basename(dir)}-outside.txt`);
    fs.writeFileSync(outside, 'secret\n');
    try {
      const name = path.basename(outside);
      for (const p of [`/../${name}`, `/%2e%2e/${name}`, `/..%2f${name}`, `/.%2e/${name}`, `/..\\${name}`]) {
        const r = await rawGet(p);
        expect([p, r.status, r.body.includes('secret')]).toEqual([p, 404, false]);
      }
    } finally {
      fs.rmSync(outside, { force: true });
    }
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    const cap = await get('/api/capture');
    expect(cap.status).toBe(404);
    expect(JSON.parse(cap.body.toString()).error).toMatch(/no capture yet/);
  });

  it("runs a typed ping in the lab's shell; its journey comes in the trace's order, and the counters it moved", async () => {
    const term = new Term();
    const before = await json<{ latest: number }>('/api/journeys?since=0');
    const cmd = await term.run('ping -c 1 127.0.0.1');
    expect(cmd).toMatchObject({ line: 'ping -c 1 127.0.0.1', status: 0 });
    expect(term.out).toContain("You are root on host1. Type 'help'.");
    expect(term.out).toContain('1 packets transmitted, 1 received, 0% packet loss');
    expect(term.out).toContain('root@host1:~# ');

    const j = await json<{ lanes: string[]; latest: number; journeys: JourneyView[] }>(
      `/api/journeys?since=${before.latest}`,
    );
    expect(j.lanes).toEqual(['socket', 'ip', 'neigh', 'dev', 'driver', 'softirq', 'rx']);
    // The echo request and the reply the kernel's ICMP socket sent.
    expect(j.journeys.map((x) => x.tuple)).toEqual([
      '127.0.0.1:0->127.0.0.1:0(icmp)',
      '127.0.0.1:0->127.0.0.1:0(icmp)',
    ]);
    const steps = j.journeys.flatMap((x) => x.steps).sort((a, b) => a.seq - b.seq);
    // The same steps in the same order as skbtrace prints them from the same trace.
    let trace = '';
    const sh = new Shell({
      lab,
      host: lab.hosts.get('host1')!,
      commands: defaultCommands(),
      out: (s) => (trace += s),
      err: (s) => (trace += s),
    });
    expect(await sh.runLine('skbtrace -n 2')).toBe(0);
    const rows = trace.trim().split('\n').slice(1);
    expect(steps.map((s) => s.func)).toEqual(rows.map((r) => r.split(/\s+/)[8]));
    expect(steps.map((s) => s.skb)).toEqual(rows.map((r) => r.split(/\s+/)[0]));

    const first = steps[0];
    expect(first).toMatchObject({
      func: '__sys_sendto',
      file: 'net/socket.c',
      lane: 'socket',
      host: 'host1',
      process: 'ping',
    });
    const byFn = (f: string) => steps.find((s) => s.func === f)!;
    expect(byFn('loopback_xmit').lane).toBe('driver');
    expect(byFn('enqueue_to_backlog').lane).toBe('softirq');
    expect(byFn('__netif_receive_skb').lane).toBe('rx');
    expect(byFn('neigh_output').lane).toBe('neigh');
    expect(byFn('__dev_queue_xmit').lane).toBe('dev');
    // Linux 6.12's source, at the function's definition.
    const rcv = byFn('ip_rcv');
    expect(rcv.line).toBeGreaterThan(500);
    expect(rcv.url).toBe(
      `https://elixir.bootlin.com/linux/v6.12.118/source/net/ipv4/ip_input.c#L${rcv.line}`,
    );
    expect(byFn('ip_rcv_core').counters).toEqual(['InReceives']);
    expect(byFn('ip_rcv_core').state).toMatch(/^InReceives\+\+, 127\.0\.0\.1 > 127\.0\.0\.1 ttl 64/);

    const c = await json<{
      last: { line: string; moved: Moved[] };
      counters: { namespaces: Array<{ host: string; snmp: Record<string, Record<string, number>> }> };
    }>('/api/counters');
    expect(c.last.line).toBe('ping -c 1 127.0.0.1');
    const moved = (source: string, group: string, name: string) =>
      c.last.moved.find(
        (m) => m.host === 'host1' && m.source === source && m.group === group && m.name === name,
      );
    const delta = (m: Moved | undefined) => (m ? m.to - m.from : 0);
    // Request and reply both go out and come in on lo: two of each.
    expect(delta(moved('snmp', 'Ip', 'InReceives'))).toBe(2);
    expect(delta(moved('snmp', 'Ip', 'OutRequests'))).toBe(2);
    expect(delta(moved('snmp', 'Icmp', 'InEchos'))).toBe(1);
    expect(delta(moved('link', 'lo', 'rx_packets'))).toBe(2);
    expect(delta(moved('softnet', 'cpu0', 'processed'))).toBe(2);
    // Nothing went near the wire, nor host2.
    expect(c.last.moved.filter((m) => m.host === 'host2' || m.group === 'eth0')).toEqual([]);
    expect(c.counters.namespaces.find((n) => n.host === 'host1')!.snmp.Ip.InReceives).toBe(
      moved('snmp', 'Ip', 'InReceives')!.to,
    );
    term.close();
  });

  it('shows a drop with its reason, on the step that freed the skb', async () => {
    const term = new Term();
    const before = await json<{ latest: number }>('/api/journeys?since=0');
    await term.run('echo hi | nc -u -w 1 127.0.0.1 9');
    const j = await json<{ journeys: JourneyView[] }>(`/api/journeys?since=${before.latest}`);
    const dropped = j.journeys.find((x) => x.dropReason)!;
    expect(dropped.dropReason).toBe('SKB_DROP_REASON_NO_SOCKET');
    const last = dropped.steps[dropped.steps.length - 1];
    expect(last).toMatchObject({ func: 'kfree_skb_reason', dropReason: 'SKB_DROP_REASON_NO_SOCKET' });
    const c = await json<{ last: { moved: Moved[] } }>('/api/counters');
    expect(c.last.moved).toContainEqual(
      expect.objectContaining({ host: 'host1', source: 'snmp', group: 'Udp', name: 'NoPorts' }),
    );
    term.close();
  });

  it('offers the last capture tcpdump -w wrote as a pcap file', async () => {
    const term = new Term();
    const file = path.join(dir, 'web-test.pcap');
    await term.run(`tcpdump -i lo -c 2 -w ${file} &`);
    await term.run('ping -c 1 127.0.0.1');
    await term.run('sleep 1');
    const state = await json<{ capture: { file: string; command: number } }>('/api/state');
    expect(state.capture.file).toBe(file);
    const r = await get('/api/capture');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/vnd.tcpdump.pcap');
    // A classic pcap: magic, version 2.4, LINKTYPE_ETHERNET, then the echo request and reply (98 bytes each).
    expect(r.body.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(r.body.readUInt32LE(20)).toBe(1);
    expect(r.body.length).toBe(24 + 2 * (16 + 98));
    expect(r.body).toEqual(fs.readFileSync(file));
    term.close();
  });

  it('serves no file a line only names: the capture must be a pcap tcpdump wrote since', async () => {
    const term = new Term();
    const notPcap = path.join(dir, 'notes.txt');
    fs.writeFileSync(notPcap, 'not a capture\n');
    await term.run(`echo tcpdump -w ${notPcap}`);
    // Named, but older than the line: not its capture.
    fs.utimesSync(notPcap, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    let r = await get('/api/capture');
    expect([r.status, JSON.parse(r.body.toString()).error]).toEqual([
      404,
      `${notPcap}: not written yet (tcpdump writes it when it stops)`,
    ]);
    // Written since, but not a pcap.
    fs.writeFileSync(notPcap, 'not a capture either, but a long enough text\n');
    r = await get('/api/capture');
    expect([r.status, JSON.parse(r.body.toString()).error]).toEqual([404, `${notPcap}: not a pcap file`]);
    // Nor a device (which would never end).
    await term.run('echo tcpdump -w /dev/zero');
    expect((await get('/api/capture')).status).toBe(404);
    term.close();
  });

  it('ignores WebSocket messages that are not the page’s, and goes on serving', async () => {
    const term = new Term();
    await term.opened;
    for (const m of ['null', '[1]', '5', '"i"', 'not json', '{"t":"resize","cols":"x"}', '{"t":"i","d":7}'])
      term.sendRaw(m);
    const c = await term.run('echo still here');
    expect(c.status).toBe(0);
    expect(term.out).toContain('still here\n');
    expect((await get('/api/state')).status).toBe(200);
    term.close();
  });

  it("refuses another site's page a terminal, and a DNS-rebinding page's Host", async () => {
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}ws/terminal`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => (ws.close(), resolve(101)));
      });
    const origin = server.url.replace(/\/$/, '');
    expect(await refused({ Origin: 'http://evil.example' })).toBe(403);
    expect(await refused({ Origin: 'null' })).toBe(403);
    expect(await refused({ Origin: origin })).toBe(101);
    expect(
      await refused({ Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}` }),
    ).toBe(403);
    const rebound = await rawGet('/api/topology', { Host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toMatch(/^Host 'evil\.example:\d+' is not this server/);
    expect((await rawGet('/api/state', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('opens a shell on the node asked for, refuses an unknown one, and ends the session at exit', async () => {
    const t2 = new Term('host2');
    await t2.run('ip -br addr show dev eth0');
    expect(t2.out).toMatch(/eth0\s+UP\s+192\.168\.1\.2\/24/);
    t2.send('exit 3\r');
    expect(await t2.exited).toBe(3);
    const bad = new Term('nosuch');
    expect(await bad.exited).toBe(1);
    expect(bad.out).toContain("skblab: no node named 'nosuch' (nodes: host1, host2)");
  });
});

describe('skblab web: its pieces', () => {
  it('finds the files tcpdump -w writes in a command line', () => {
    expect(pcapFilesOf('tcpdump -i eth0 -w /tmp/a.pcap')).toEqual(['/tmp/a.pcap']);
    expect(pcapFilesOf('tcpdump -nw b.pcap -c 3 &')).toEqual(['b.pcap']);
    expect(pcapFilesOf('on host2 tcpdump -wc.pcap icmp')).toEqual(['c.pcap']);
    expect(pcapFilesOf('ping -c 1 127.0.0.1; tcpdump -c 1')).toEqual([]);
    expect(pcapFilesOf('echo "unterminated')).toEqual([]);
  });

  it("parses skblab web's arguments, and says what is wrong with bad ones", () => {
    expect(parseWebArgs(['-f', 'x.yaml', '--port', '0'])).toEqual({
      topology: 'x.yaml',
      lab: null,
      port: 0,
      listen: '127.0.0.1',
    });
    expect(parseWebArgs([])).toEqual({ topology: null, lab: null, port: 8080, listen: '127.0.0.1' });
    expect(parseWebArgs(['--lab', 'class1'])).toEqual({
      topology: null,
      lab: 'class1',
      port: 8080,
      listen: '127.0.0.1',
    });
    expect(parseWebArgs(['--lab'])).toEqual({ error: 'skblab: option --lab needs a lab id\n', status: 2 });
    expect(parseWebArgs(['-f', 'x.yaml', '--lab', 'class1'])).toEqual({
      error: 'skblab: web: -f and --lab do not go together (a running lab has its topology)\n',
      status: 2,
    });
    expect(parseWebArgs(['--port', 'http'])).toEqual({
      error: "skblab: option --port needs a port number (0-65535), got 'http'\n",
      status: 2,
    });
    expect(parseWebArgs(['-f'])).toEqual({ error: 'skblab: option -f needs a topology file\n', status: 2 });
    expect(parseWebArgs(['host1'])).toMatchObject({
      error: expect.stringMatching(/^skblab: web: unexpected argument 'host1'/),
      status: 2,
    });
  });
});
