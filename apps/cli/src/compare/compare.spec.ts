/**
 * `skblab compare`: the four ways measured in real labs, and what must hold between them (the own address
 * goes through lo like 127.0.0.1; AF_UNIX skips TCP/IP; the bypass skips them after the handshake), then
 * the command's output: the table, --json's shape, bad arguments.
 */
import {
  compareMain,
  formatText,
  parseArgs,
  runComparison,
  type Comparison,
  type WayResult,
} from './compare';

jest.setTimeout(180_000);

const N = 100;
let c: Comparison;

beforeAll(async () => {
  c = await runComparison(N);
});

function way(id: WayResult['id']): WayResult {
  const w = c.ways.find((x) => x.id === id);
  if (!w) throw new Error(`no way ${id}`);
  return w;
}

const fns = (w: WayResult) => w.functions.map((f) => f.fn);

async function capture(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const status = await compareMain(argv);
    return { status, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('skblab compare: the four ways', () => {
  it('measures the four ways in order, each request answered', () => {
    expect(c.requests).toBe(N);
    expect(c.ways.map((w) => w.id)).toEqual(['loopback', 'own-address', 'unix', 'sockmap']);
    expect(way('own-address').name).toBe('192.168.1.1'); // host1's eth0 address in the default topology
    for (const w of c.ways) expect(w.perRequest.steps).toBeGreaterThan(0);
  });

  it('127.0.0.1 and the own address take the same path, through lo and not eth0', () => {
    const lo = way('loopback');
    const own = way('own-address');
    for (const w of [lo, own]) {
      expect(fns(w)).toEqual(
        expect.arrayContaining(['loopback_xmit', 'tcp_v4_rcv', 'ip_rcv', 'tcp_write_xmit']),
      );
      expect(w.perRequest.tcpOutSegs).toBeGreaterThan(0);
      expect(w.perRequest.loPackets).toBe(w.perRequest.tcpOutSegs);
      expect(w.perRequest.softnetProcessed).toBe(w.perRequest.loPackets);
      expect(w.perRequest.eth0Packets).toBe(0);
      // One host: every segment sent is received there too.
      expect(w.perRequest.tcpInSegs).toBe(w.perRequest.tcpOutSegs);
    }
    expect(own.route).toMatch(/^local 192\.168\.1\.1 dev lo /);
    expect(way('unix').route).toBeNull();
    expect(own.perRequest.tcpOutSegs).toBe(lo.perRequest.tcpOutSegs);
    expect(own.perRequest.steps).toBe(lo.perRequest.steps);
    expect(own.perRequest.ns).toBe(lo.perRequest.ns);
    expect(fns(own).sort()).toEqual(fns(lo).sort());
    expect(c.why[0]).toMatch(/neither is faster/);
  });

  it('AF_UNIX moves no Tcp segment, no lo packet, no softnet backlog', () => {
    const u = way('unix');
    expect(u.perRequest.tcpOutSegs).toBe(0);
    expect(u.perRequest.ipOutRequests).toBe(0);
    expect(u.perRequest.loPackets).toBe(0);
    expect(u.perRequest.softnetProcessed).toBe(0);
    expect(fns(u)).toContain('unix_stream_sendmsg');
    expect(fns(u)).not.toContain('ip_rcv');
    expect(fns(u)).not.toContain('tcp_v4_rcv');
    expect(u.perRequest.skbs).toBeGreaterThan(0); // AF_UNIX still carries the bytes in skbs
    expect(u.perRequest.steps).toBeLessThan(way('loopback').perRequest.steps);
  });

  it('the bypass sends sk_msgs through tcp_bpf_sendmsg: no segment for the data, TCP only for set-up', () => {
    const b = way('sockmap');
    expect(fns(b)).toEqual(
      expect.arrayContaining(['tcp_bpf_sendmsg', 'bpf_msg_redirect_hash', 'bpf_tcp_ingress']),
    );
    expect(fns(b)).not.toContain('tcp_write_xmit');
    expect(fns(b)).not.toContain('loopback_xmit');
    expect(b.perRequest.tcpOutSegs).toBe(0);
    expect(b.perRequest.loPackets).toBe(0);
    expect(b.perRequest.skbs).toBe(0);
    expect(b.perRequest.skMsgs).toBeGreaterThan(0);
    // The 1+N run moved exactly the segments the 1-request run did: the handshake and the close.
    expect(b.runs.many.tcpOutSegs).toBe(b.runs.one.tcpOutSegs);
    expect(b.perConnection.tcpOutSegs).toBeGreaterThan(0);
    // Amortised over the N requests, the connection's segments are close to none per request.
    expect(b.runs.many.tcpOutSegs / (N + 1)).toBeLessThan(0.1);
    expect(b.perRequest.steps).toBeLessThan(way('loopback').perRequest.steps);
  });

  it("the lab's latency is its steps' simulated time (no timer waited on), and ranks the ways", () => {
    for (const w of c.ways) expect(w.perRequest.ns).toBeCloseTo(w.perRequest.steps * c.stepCostNs, 3);
    expect(way('unix').perRequest.ns).toBeLessThan(way('loopback').perRequest.ns);
    expect(way('sockmap').perRequest.ns).toBeLessThan(way('loopback').perRequest.ns);
  });

  it('prints an aligned table, a row per way, and the why from the figures', () => {
    const text = formatText(c);
    const lines = text.split('\n');
    const head = lines.findIndex((l) => l.startsWith('way '));
    expect(head).toBeGreaterThan(-1);
    const rows = lines.slice(head, head + 5);
    expect(rows.map((r) => r.split(/ {2,}/)[0].trim())).toEqual([
      'way',
      '127.0.0.1',
      '192.168.1.1',
      'AF_UNIX',
      'sockmap bypass',
    ]);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1); // aligned
    const lo = way('loopback');
    expect(rows[1]).toContain(`${(lo.perRequest.ns / 1000).toFixed(2)} us`);
    expect(text).toContain('why:');
    expect(text).toMatch(/sockmap bypass: after the handshake/);
  });
});

describe('skblab compare: the command', () => {
  it('--json prints the comparison as JSON', async () => {
    const r = await capture(['--requests', '3', '--json']);
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out) as Comparison;
    expect(j.requests).toBe(3);
    expect(j.stepCostNs).toBeGreaterThan(0);
    expect(j.ways.map((w) => w.id)).toEqual(['loopback', 'own-address', 'unix', 'sockmap']);
    for (const w of j.ways) {
      for (const k of [
        'steps',
        'functions',
        'skbs',
        'skMsgs',
        'tcpOutSegs',
        'loPackets',
        'softnetProcessed',
        'ns',
      ])
        expect(typeof (w.perRequest as unknown as Record<string, unknown>)[k]).toBe('number');
      expect(w.functions.length).toBe(w.perRequest.functions);
      expect(w.runs.many.steps).toBeGreaterThan(w.runs.one.steps);
    }
    expect(j.why.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses bad arguments with a usage error', async () => {
    expect(parseArgs([])).toEqual({ requests: 200, json: false });
    expect(parseArgs(['--requests=7', '--json'])).toEqual({ requests: 7, json: true });
    for (const bad of [['--requests', '0'], ['--requests', 'x'], ['--requests'], ['--bogus'], ['extra']]) {
      const r = await capture(bad);
      expect(r.status).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^skblab compare: (option --requests needs a number from 1 to 2000|unknown)/);
    }
  });
});
