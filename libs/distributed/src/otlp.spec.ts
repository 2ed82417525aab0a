import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExportedStep } from '@skblab/runtime';
// The runtime declares the kernel functions it steps itself (kfree_skb_reason), as in every process.
import '@skblab/runtime';
import {
  OtlpExporter,
  contextOfHeaders,
  encodeTraces,
  formatTraceparent,
  newTraceContext,
  parseTraceparent,
  stepSpan,
  traceHeaders,
  type ExportTraceServiceRequest,
  type SpanData,
  type TraceContext,
} from './otlp';

const CTX: TraceContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  origin: 1_700_000_000_000_000_000n,
};

const STEP: ExportedStep = {
  skbId: 4294967297,
  fn: 'ip_route_output_flow',
  t: 1_000,
  cpu: 1,
  len: 84,
  host: 'host1',
  netns: '',
  ifindex: 1,
  comm: 'ping',
  service: 'ip',
  info: 'local 127.0.0.1 dev lo table local → dev lo src 127.0.0.1',
  drop: '',
};

describe('W3C trace context', () => {
  it('formats and parses traceparent, refusing what the spec refuses', () => {
    expect(formatTraceparent(CTX)).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceId: CTX.traceId,
      spanId: CTX.spanId,
    });
    expect(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeNull();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01')).toBeNull();
  });

  it('carries the context in Kafka headers (Buffers when consumed), the time origin in tracestate', () => {
    const h = traceHeaders(CTX);
    expect(h).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'skblab=1700000000000000000',
    });
    expect(
      contextOfHeaders({ traceparent: Buffer.from(h.traceparent), tracestate: Buffer.from(h.tracestate) }),
    ).toEqual(CTX);
    expect(contextOfHeaders({ traceparent: h.traceparent, tracestate: 'other=x,skblab=42' })?.origin).toBe(
      42n,
    );
    // No skblab entry: the spans join the trace, timed from now.
    const before = BigInt(Date.now()) * 1_000_000n;
    expect(contextOfHeaders({ traceparent: h.traceparent })!.origin).toBeGreaterThanOrEqual(before);
    expect(contextOfHeaders({ traceparent: Buffer.from('garbage') })).toBeNull();
    expect(contextOfHeaders({})).toBeNull();
    expect(contextOfHeaders(undefined)).toBeNull();
  });

  it('makes new contexts with random ids, simulated time 0 at the wall clock minus now', () => {
    const a = newTraceContext(5e9);
    const b = newTraceContext(5e9);
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(a.traceId).not.toBe(b.traceId);
    const wall = BigInt(Date.now()) * 1_000_000n;
    expect(wall - (a.origin + 5_000_000_000n)).toBeGreaterThanOrEqual(0n);
    expect(wall - (a.origin + 5_000_000_000n)).toBeLessThan(5_000_000_000n);
  });
});

describe('spans of kernel steps', () => {
  it('names the function and carries where it ran and what it consulted', () => {
    const s = stepSpan(STEP, CTX, 250, () => 'lo');
    expect(s).toEqual({
      traceId: CTX.traceId,
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      parentSpanId: CTX.spanId,
      name: 'ip_route_output_flow',
      kind: 1,
      startNs: CTX.origin + 750n,
      endNs: CTX.origin + 1000n,
      attributes: {
        'skblab.skb.id': 4294967297,
        'skblab.host': 'host1',
        'skblab.dev': 'lo',
        'skblab.cpu': 1,
        'skblab.comm': 'ping',
        'skblab.len': 84,
        'skblab.state': 'local 127.0.0.1 dev lo table local → dev lo src 127.0.0.1',
        'skblab.service': 'ip',
        'code.function': 'ip_route_output_flow',
        'code.filepath': 'net/ipv4/route.c',
        'skblab.layer': 'route',
      },
    });
  });

  it('makes a drop an error whose message is the drop reason', () => {
    const s = stepSpan(
      { ...STEP, fn: 'kfree_skb_reason', netns: 'ns1', drop: 'SKB_DROP_REASON_NO_SOCKET', info: '' },
      CTX,
      250,
      () => '',
    );
    expect(s.error).toBe('SKB_DROP_REASON_NO_SOCKET');
    expect(s.attributes['skblab.drop_reason']).toBe('SKB_DROP_REASON_NO_SOCKET');
    expect(s.attributes['skblab.netns']).toBe('ns1');
    expect(s.attributes['code.filepath']).toBe('net/core/skbuff.c');
    expect(s.attributes).not.toHaveProperty('skblab.dev');
    expect(s.attributes).not.toHaveProperty('skblab.state');
  });
});

describe('the OTLP/HTTP JSON encoding', () => {
  const root: SpanData = {
    traceId: CTX.traceId,
    spanId: CTX.spanId,
    name: 'ping -c 1 127.0.0.1',
    kind: 1,
    startNs: CTX.origin,
    endNs: CTX.origin + 2_000n,
    attributes: { 'skblab.command': 'ping -c 1 127.0.0.1', 'process.exit.code': 0 },
  };

  it('is ExportTraceServiceRequest: resource, scope, spans with hex ids and times as strings', () => {
    const drop = stepSpan({ ...STEP, drop: 'SKB_DROP_REASON_NO_SOCKET' }, CTX, 250, () => 'lo');
    const r = encodeTraces({ 'service.name': 'skblab-ip', 'service.instance.id': 'ip-2' }, [root, drop]);
    // What goes on the wire, and back: nothing is lost to JSON (no BigInt, no undefined).
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.resourceSpans).toHaveLength(1);
    expect(r.resourceSpans[0].resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'skblab-ip' } },
      { key: 'service.instance.id', value: { stringValue: 'ip-2' } },
    ]);
    expect(r.resourceSpans[0].scopeSpans[0].scope).toEqual({ name: 'skblab', version: '0.1.0' });
    const [a, b] = r.resourceSpans[0].scopeSpans[0].spans;
    expect(a).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      name: 'ping -c 1 127.0.0.1',
      kind: 1,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000000002000',
      attributes: [
        { key: 'skblab.command', value: { stringValue: 'ping -c 1 127.0.0.1' } },
        { key: 'process.exit.code', value: { intValue: '0' } },
      ],
    });
    expect(a).not.toHaveProperty('parentSpanId');
    expect(a).not.toHaveProperty('status');
    expect(b.parentSpanId).toBe('00f067aa0ba902b7');
    expect(b.startTimeUnixNano).toBe('1700000000000000750');
    expect(b.status).toEqual({ code: 2, message: 'SKB_DROP_REASON_NO_SOCKET' });
    expect(b.attributes).toContainEqual({ key: 'skblab.skb.id', value: { intValue: '4294967297' } });
    expect(b.attributes).toContainEqual({ key: 'skblab.cpu', value: { intValue: '1' } });
    expect(b.attributes).toContainEqual({ key: 'skblab.host', value: { stringValue: 'host1' } });
  });
});

describe('OtlpExporter', () => {
  let server: http.Server;
  let endpoint: string;
  const answers: number[] = [];
  const got: Array<{ url: string; type: string; body: ExportTraceServiceRequest }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({
          url: req.url ?? '',
          type: req.headers['content-type'] ?? '',
          body: JSON.parse(body) as ExportTraceServiceRequest,
        });
        res.writeHead(answers.shift() ?? 200);
        res.end('no');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const span = (name: string): SpanData => ({
    traceId: CTX.traceId,
    spanId: CTX.spanId,
    name,
    kind: 1,
    startNs: 1n,
    endNs: 2n,
    attributes: {},
  });

  it('batches what was added until the timer or a flush, then POSTs JSON to /v1/traces', async () => {
    got.length = 0;
    const x = new OtlpExporter({ endpoint, resource: { 'service.name': 't' }, log: () => undefined });
    let made = 0;
    x.add(() => (made++, [span('a')]));
    x.add(() => (made++, [span('b'), span('c')]));
    // Spans are made only when they go out.
    expect(made).toBe(0);
    await x.flush();
    expect(made).toBe(2);
    expect(got).toHaveLength(1);
    expect(got[0].url).toBe('/v1/traces');
    expect(got[0].type).toBe('application/json');
    expect(got[0].body.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    // The timer sends on its own.
    const y = new OtlpExporter({ endpoint, resource: {}, log: () => undefined, intervalMs: 10 });
    y.add(() => [span('d')]);
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got[1].body.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name)).toEqual(['d']);
    expect(y.stats.spans).toBe(1);
  });

  it('says a failure once, not thrown, and says so when exports work again', async () => {
    const log: string[] = [];
    const x = new OtlpExporter({ endpoint, resource: {}, log: (l) => log.push(l) });
    answers.push(500, 503);
    x.add(() => [span('a')]);
    await x.flush();
    x.add(() => [span('b')]);
    await x.flush();
    expect(x.stats.failures).toBe(2);
    expect(log).toEqual([
      `skblab: OTLP export to ${endpoint}v1/traces failed: HTTP 500: no (1 spans dropped); further failures are not reported until an export succeeds`,
    ]);
    x.add(() => [span('c')]);
    await x.flush();
    expect(log[1]).toBe(`skblab: OTLP export to ${endpoint}v1/traces works again`);
    // A collector that is not there: the same, once.
    const gone = new OtlpExporter({ endpoint: 'http://127.0.0.1:1', resource: {}, log: (l) => log.push(l) });
    gone.add(() => [span('d')]);
    await gone.flush();
    gone.add(() => [span('e')]);
    await gone.flush();
    expect(log.slice(2)).toEqual([
      'skblab: OTLP export to http://127.0.0.1:1/v1/traces failed: connect ECONNREFUSED 127.0.0.1:1 (1 spans dropped); further failures are not reported until an export succeeds',
    ]);
  });

  it('refuses an endpoint that is not an http(s) URL', () => {
    for (const bad of ['jaeger:4318', 'ftp://x', ''])
      expect(() => new OtlpExporter({ endpoint: bad, resource: {}, log: () => undefined })).toThrow(
        `SKBLAB_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://127.0.0.1:4318 (got ${JSON.stringify(bad)})`,
      );
  });
});
