/**
 * Journeys as OpenTelemetry traces (libs/distributed/src/otlp.ts), received by an OTLP/HTTP collector
 * this test runs (node:http): in distributed mode, with every service in this process, a ping is one trace
 * whose spans come from the services that ran its kernel steps, the trace context having travelled in the
 * Kafka messages' headers; in embedded mode, each command line of the shell is a trace of its own.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  tracerOf,
  type ExportTraceServiceRequest,
  type JourneyTracer,
  type OtlpSpan,
} from '@skblab/distributed';
import { Lab } from '@skblab/runtime';
import { newShell, runScript } from '@skblab/shell';
import { defaultCommands } from '@skblab/userland';
import { brokers, inProcessLab } from './in-process';

jest.setTimeout(120_000);

const BIN = path.join(__dirname, '..', '..', 'bin', 'skblab');

/** `skblab ARGS` with `input` on stdin (asynchronously: the collector runs in this process). */
function skblab(args: string[], input: string, env: Record<string, string>) {
  return new Promise<{ status: number | null; out: string; err: string }>((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('error', reject);
    c.on('close', (status) => resolve({ status, out, err }));
    c.stdin.end(input);
  });
}

/** A span as the collector got it, with its resource's service.name. */
interface Received extends OtlpSpan {
  service: string;
}

/** An OTLP/HTTP receiver of JSON-encoded traces. */
async function collector() {
  const spans: Received[] = [];
  const requests: Array<{ path: string; contentType: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '' });
      const r = JSON.parse(body) as ExportTraceServiceRequest;
      for (const rs of r.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? v?.intValue;
};

/** The spans of one trace: its root (the command line) and the steps, in order of start time. */
function traceOf(spans: Received[], traceId: string) {
  const all = spans.filter((s) => s.traceId === traceId);
  const roots = all.filter((s) => !s.parentSpanId);
  expect(roots).toHaveLength(1);
  const steps = all
    .filter((s) => s.parentSpanId)
    .sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
  return { root: roots[0], steps };
}

/** `want` appears in `names` in this order (other steps may come between). */
function inOrder(names: string[], want: string[]): boolean {
  let i = 0;
  for (const n of names) if (n === want[i]) i++;
  return i === want.length;
}

/** A ping's journey over lo: the request, the echo made in softirq, the reply received. */
const PING = [
  'ping_v4_sendmsg',
  'ip_route_output_flow',
  'ip_output',
  'neigh_output',
  '__dev_queue_xmit',
  'loopback_xmit',
  'net_rx_action',
  'ip_rcv',
  'icmp_rcv',
  'icmp_echo',
  'icmp_push_reply',
  'loopback_xmit',
  'ip_rcv',
  'icmp_rcv',
  'ping_rcv',
];

describe('journeys exported as OTLP traces', () => {
  it('distributed: one ping is one trace, its kernel steps spans from the services that ran them', async () => {
    const otlp = await collector();
    const logs: string[] = [];
    const lab = await inProcessLab('otlp', (l) => logs.push(l), { otlpEndpoint: otlp.endpoint });
    const nodes = [lab.shellNode, ...lab.services.values()];
    const flushAll = () => Promise.all(nodes.map((n) => tracerOf(n.lab)!.flush()));
    try {
      expect(nodes.every((n) => tracerOf(n.lab))).toBe(true);
      const r = await lab.run('ping -c 1 127.0.0.1\n');
      expect(r.out).toContain('1 packets transmitted, 1 received');
      await flushAll();

      expect(otlp.requests.length).toBeGreaterThan(0);
      for (const q of otlp.requests) {
        expect(q.path).toBe('/v1/traces');
        expect(q.contentType).toBe('application/json');
      }
      // Exactly one trace: the line's.
      const ids = new Set(otlp.spans.map((s) => s.traceId));
      expect(ids.size).toBe(1);
      const [traceId] = ids;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const { root, steps } = traceOf(otlp.spans, traceId);
      expect(root.name).toBe('ping -c 1 127.0.0.1');
      expect(root.service).toBe('skblab-socket');
      expect(attr(root, 'process.exit.code')).toBe('0');
      expect(root.status).toBeUndefined();

      // Every step is a child of the line's span, with an id of its own.
      const spanIds = new Set([root.spanId, ...steps.map((s) => s.spanId)]);
      expect(spanIds.size).toBe(steps.length + 1);
      for (const s of [root, ...steps]) expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      for (const s of steps) {
        expect(s.parentSpanId).toBe(root.spanId);
        expect(BigInt(s.startTimeUnixNano)).toBeLessThanOrEqual(BigInt(s.endTimeUnixNano));
        expect(BigInt(s.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(root.startTimeUnixNano));
        expect(BigInt(s.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(root.endTimeUnixNano));
      }

      // The kernel's order, across the services that ran each part of it.
      const names = steps.map((s) => s.name);
      expect(inOrder(names, PING)).toBe(true);
      expect(inOrder(names, [...PING].reverse())).toBe(false);
      const services = new Set(steps.map((s) => s.service));
      for (const s of ['skblab-socket', 'skblab-ip', 'skblab-neigh', 'skblab-loopback', 'skblab-rx'])
        expect(services).toContain(s);
      // Each span names the service that recorded it, and two skbs (the request and the reply) went by.
      for (const s of steps) expect(`skblab-${attr(s, 'skblab.service')}`).toBe(s.service);
      expect(new Set(steps.map((s) => attr(s, 'skblab.skb.id'))).size).toBeGreaterThanOrEqual(2);

      // The spans are the journey the shell's skbtrace shows: the same steps, with the same state.
      const rows = lab.shellNode.lab.journeyOf(lab.shellNode.lab.journeys);
      expect(steps.map((s) => `${s.name}@${attr(s, 'skblab.service')}`).sort()).toEqual(
        rows.map((x) => `${x.step.fn.name}@${x.step.service}`).sort(),
      );
      const send = steps.find((s) => s.name === 'ping_v4_sendmsg')!;
      expect(attr(send, 'skblab.host')).toBe('host1');
      expect(attr(send, 'skblab.comm')).toBe('ping');
      expect(attr(send, 'code.filepath')).toBe('net/ipv4/ping.c');
      const xmit = steps.find((s) => s.name === 'loopback_xmit')!;
      expect(attr(xmit, 'skblab.dev')).toBe('lo');
      const route = rows.find((x) => x.step.fn.name === 'ip_route_output_flow')!.step;
      expect(route.info).toMatch(/dev lo src 127\.0\.0\.1/);
      expect(steps.find((s) => s.name === 'ip_route_output_flow')!.attributes).toContainEqual({
        key: 'skblab.state',
        value: { stringValue: route.info },
      });

      // The next line is a trace of its own.
      expect((await lab.run('ping -c 1 127.0.0.1\n')).status).toBe(0);
      await flushAll();
      const second = new Set(otlp.spans.map((s) => s.traceId));
      expect(second.size).toBe(2);
      const other = [...second].find((t) => t !== traceId)!;
      const again = traceOf(otlp.spans, other).steps;
      expect(
        inOrder(
          again.map((s) => s.name),
          PING,
        ),
      ).toBe(true);
      // Its skbs are its own (the first ping's are not in it, nor the second's in the first).
      const firstSkbs = new Set(steps.map((s) => attr(s, 'skblab.skb.id')));
      expect(again.filter((s) => firstSkbs.has(attr(s, 'skblab.skb.id')))).toEqual([]);
      expect(logs.filter((l) => /OTLP/.test(l))).toEqual([]);
    } finally {
      await lab.stop();
      await otlp.close();
    }
  });

  it('embedded: each command line of the shell is one trace; a drop or a failed line is an error', async () => {
    const otlp = await collector();
    const lab = new Lab();
    const host = lab.addHost('host1', 2);
    const { journeyTracer } = await import('@skblab/distributed');
    const tracer: JourneyTracer = journeyTracer(lab, { endpoint: otlp.endpoint });
    let out = '';
    const shell = newShell(lab, host, defaultCommands(), {
      out: (s) => void (out += s),
      err: (s) => void (out += s),
      aroundLine: tracer.aroundLine('host1'),
    });
    try {
      const lines = [
        'ping -c 2 127.0.0.1',
        'echo hello',
        'echo x | nc -u -w 1 127.0.0.1 9',
        'ping -c 1 -W 1 192.0.2.1',
        'echo status=$?',
      ];
      await runScript(shell, lines.join('\n') + '\n');
      expect(out).toContain('2 packets transmitted, 2 received');
      const failed = /status=(\d+)/.exec(out)![1];
      expect(failed).not.toBe('0');
      await tracer.stop();

      // One trace per line, each with its line's span as root; every span is the embedded lab's.
      const roots = otlp.spans.filter((s) => !s.parentSpanId);
      expect(roots.map((s) => s.name)).toEqual(lines);
      expect(new Set(roots.map((s) => s.traceId)).size).toBe(lines.length);
      expect(new Set(otlp.spans.map((s) => s.traceId)).size).toBe(lines.length);
      for (const s of otlp.spans) expect(s.service).toBe('skblab');
      const rootOf = new Map(roots.map((r) => [r.traceId, r]));
      for (const s of otlp.spans.filter((x) => x.parentSpanId))
        expect(s.parentSpanId).toBe(rootOf.get(s.traceId)!.spanId);

      const [ping2, echo, nc, unreachable] = roots.map((r) => traceOf(otlp.spans, r.traceId).steps);
      expect(
        inOrder(
          ping2.map((s) => s.name),
          [...PING, ...PING],
        ),
      ).toBe(true);
      expect(ping2.filter((s) => s.name === 'ping_rcv')).toHaveLength(2);
      expect(echo).toEqual([]);
      // The datagram to a port nobody listens on: freed with a drop reason, the span's status says it.
      const drops = nc.filter((s) => s.status);
      expect(drops.map((s) => [s.name, s.status])).toEqual([
        ['kfree_skb_reason', { code: 2, message: 'SKB_DROP_REASON_NO_SOCKET' }],
      ]);
      expect(attr(drops[0], 'skblab.drop_reason')).toBe('SKB_DROP_REASON_NO_SOCKET');
      expect(nc.map((s) => s.name)).toEqual(expect.arrayContaining(['udp_sendmsg', '__udp4_lib_rcv']));
      // A line that fails: its span is an error with the exit status.
      expect(roots[3].status).toEqual({ code: 2, message: `exit status ${failed}` });
      expect(attr(roots[3], 'process.exit.code')).toBe(failed);
      expect(unreachable.every((s) => !s.status)).toBe(true);
      expect(roots.filter((r) => r.status)).toEqual([roots[3]]);
    } finally {
      await otlp.close();
    }
  });

  it('distributed, every service its own process: a ping across the wire to host2 is one trace', async () => {
    const otlp = await collector();
    const { kafkaBrokers, redisUrl, testLab } = brokers();
    try {
      const r = await skblab(
        ['shell', '--mode', 'distributed', '--spawn', '--lab', `${testLab}-otlp-cli`, 'host1'],
        'ping -c 1 192.168.1.2\nskbtrace\n',
        { SKBLAB_OTLP_ENDPOINT: otlp.endpoint, KAFKA_BROKERS: kafkaBrokers.join(','), REDIS_URL: redisUrl },
      );
      expect(r.status).toBe(0);
      expect(r.out).toContain('1 packets transmitted, 1 received');
      expect(r.err).not.toMatch(/OTLP/);
      const roots = otlp.spans.filter((s) => !s.parentSpanId);
      expect(roots.map((s) => s.name)).toEqual(['ping -c 1 192.168.1.2', 'skbtrace']);
      // The services exported their spans before they stopped: every span is in one of the two traces.
      expect(new Set(otlp.spans.map((s) => s.traceId))).toEqual(new Set(roots.map((s) => s.traceId)));
      const { root, steps } = traceOf(otlp.spans, roots[0].traceId);
      for (const s of steps) expect(s.parentSpanId).toBe(root.spanId);
      // Across the wire, the NIC's interrupt and NAPI poll run in the nic service (no softirq, no lo).
      expect(new Set(steps.map((s) => s.service))).toEqual(
        new Set(['socket', 'ip', 'neigh', 'dev', 'nic', 'rx'].map((l) => `skblab-${l}`)),
      );
      // The request on host1, the echo on host2, the reply back on host1; ARP first (a new neighbour).
      const where = steps.map((s) => `${s.name}/${attr(s, 'skblab.host')}`);
      expect(
        inOrder(where, [
          'ping_v4_sendmsg/host1',
          'ip_output/host1',
          'arp_solicit/host1',
          'arp_rcv/host2',
          'arp_rcv/host1',
          'icmp_rcv/host2',
          'icmp_echo/host2',
          'icmp_rcv/host1',
          'ping_rcv/host1',
        ]),
      ).toBe(true);
      // The same steps as the shell's skbtrace shows, each in the service that ran it.
      const rows = r.out
        .split('\n')
        .filter((l) => /^0xffff88[0-9a-f]{10} /.test(l))
        .map((l) => `${l.split(/\s+/)[8].replace(/\(.*$/, '')}@${/ @([a-z]+)/.exec(l)?.[1] ?? ''}`);
      expect(steps.map((s) => `${s.name}@${attr(s, 'skblab.service')}`).sort()).toEqual(rows.sort());
    } finally {
      await otlp.close();
    }
  });

  it("the CLI's shell exports with SKBLAB_OTLP_ENDPOINT set, and refuses an endpoint that is not a URL", async () => {
    const otlp = await collector();
    try {
      const r = await skblab(['shell'], 'ping -c 1 127.0.0.1\nip -br addr show lo\n', {
        SKBLAB_OTLP_ENDPOINT: otlp.endpoint,
      });
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toContain('1 packets transmitted, 1 received');
      const roots = otlp.spans.filter((s) => !s.parentSpanId);
      expect(roots.map((s) => s.name)).toEqual(['ping -c 1 127.0.0.1', 'ip -br addr show lo']);
      expect(roots.map((s) => attr(s, 'skblab.host'))).toEqual(['host1', 'host1']);
      expect(new Set(otlp.spans.map((s) => s.traceId)).size).toBe(2);
      const { steps } = traceOf(otlp.spans, roots[0].traceId);
      expect(
        inOrder(
          steps.map((s) => s.name),
          PING,
        ),
      ).toBe(true);
      for (const s of steps) expect(s.parentSpanId).toBe(roots[0].spanId);
      expect(traceOf(otlp.spans, roots[1].traceId).steps).toEqual([]);
    } finally {
      await otlp.close();
    }
    const bad = await skblab(['shell'], 'echo never\n', { SKBLAB_OTLP_ENDPOINT: 'jaeger:4318' });
    expect(bad.status).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toBe(
      'skblab: SKBLAB_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://127.0.0.1:4318 (got "jaeger:4318")\n',
    );
  });
});
