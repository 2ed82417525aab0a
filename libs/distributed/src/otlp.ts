/**
 * Journeys as OpenTelemetry traces: every kernel step an skb passes becomes a span, child of a span for the
 * shell's command line, POSTed to an OTLP/HTTP collector (`${SKBLAB_OTLP_ENDPOINT}/v1/traces`) in the JSON
 * encoding of ExportTraceServiceRequest. One trace per command line; in distributed mode the context
 * travels with each skb in its Kafka message's headers (W3C traceparent), so one ping is one trace across
 * the services (docs/otlp.md).
 *
 * Recording costs the hot path nothing new: the kernel writes its steps into the trace ring as always, and
 * a JourneyTracer only notes which range of the ring belongs to which trace when the context changes (a
 * command line begins or ends, a message is taken up or put down). Steps are rendered and encoded later,
 * on the exporter's timer; an export that fails is said once in the log, never thrown.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { randomBytes } from 'node:crypto';
import { KERNEL_FNS, type KernelFn } from '@skblab/kernel';
import type { ExportedStep, Lab } from '@skblab/runtime';

// ---- the trace context (W3C Trace Context) ----------------------------------------------------------------

/** Where a command line's trace stands: its ids, and how simulated time maps to the wall clock. */
export interface TraceContext {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** The command line's span: the parent of every step's span (16 hex digits). */
  spanId: string;
  /**
   * Unix time (ns) of simulated time 0, fixed when the line began: a step at simulated time t starts at
   * origin + t in every service, so spans from different processes order as the steps happened.
   */
  origin: bigint;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const ZERO = /^0+$/;

/** `00-<trace id>-<parent span id>-01` (version 00, sampled). */
export function formatTraceparent(c: Pick<TraceContext, 'traceId' | 'spanId'>): string {
  return `00-${c.traceId}-${c.spanId}-01`;
}

/** The ids of a traceparent header, or null if it is not a valid version-00 one (all-zero ids are not). */
export function parseTraceparent(v: string): { traceId: string; spanId: string } | null {
  const m = TRACEPARENT.exec(v.trim());
  if (!m || ZERO.test(m[1]) || ZERO.test(m[2])) return null;
  return { traceId: m[1], spanId: m[2] };
}

/** What a Kafka message carries: traceparent, and the time origin as this vendor's tracestate entry. */
export function traceHeaders(c: TraceContext): { traceparent: string; tracestate: string } {
  return { traceparent: formatTraceparent(c), tracestate: `skblab=${c.origin}` };
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** The context a message's headers carry (kafkajs gives them as Buffers), or null. */
export function contextOfHeaders(h: Record<string, HeaderValue> | undefined): TraceContext | null {
  const one = (v: HeaderValue) => (v === undefined ? '' : String(Array.isArray(v) ? v[0] : v));
  const ids = h && parseTraceparent(one(h.traceparent));
  if (!ids) return null;
  const m = /(?:^|,)\s*skblab=(\d{1,20})\s*(?:,|$)/.exec(one(h.tracestate));
  // Without our entry (a producer outside skblab) the spans still join the trace, timed from now.
  return { ...ids, origin: m ? BigInt(m[1]) : wallNs() };
}

/** An error's message (errors from node's sockets may come from another realm: not `instanceof Error`). */
const messageOf = (e: unknown) =>
  typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);

const wallNs = () => BigInt(Date.now()) * 1_000_000n;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A new trace for a command line run at simulated time `now`. */
export function newTraceContext(now: number): TraceContext {
  return { traceId: hex(16), spanId: hex(8), origin: wallNs() - BigInt(Math.round(now)) };
}

// ---- spans and their JSON encoding -------------------------------------------------------------------------

/** OTLP's Span.SpanKind and Status.StatusCode (opentelemetry/proto/trace/v1/trace.proto). */
export const SPAN_KIND_INTERNAL = 1;
export const STATUS_CODE_ERROR = 2;

export interface SpanData {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, string | number>;
  /** Set: status ERROR with this message. */
  error?: string;
}

export interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  status?: { code: number; message?: string };
}

/** ExportTraceServiceRequest in the OTLP/HTTP JSON mapping (ids as hex, 64-bit integers as strings). */
export interface ExportTraceServiceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version?: string }; spans: OtlpSpan[] }>;
  }>;
}

/** Integers as intValue (a string: JSON has no int64), everything else as stringValue. */
export function attributesOf(a: Record<string, string | number>): OtlpKeyValue[] {
  return Object.entries(a).map(([key, v]) => ({
    key,
    value:
      typeof v === 'number' && Number.isInteger(v) ? { intValue: String(v) } : { stringValue: String(v) },
  }));
}

export const SCOPE = { name: 'skblab', version: '0.1.0' };

export function encodeTraces(
  resource: Record<string, string | number>,
  spans: SpanData[],
): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributesOf(resource) },
        scopeSpans: [
          {
            scope: SCOPE,
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: String(s.startNs),
              endTimeUnixNano: String(s.endNs),
              attributes: attributesOf(s.attributes),
              ...(s.error !== undefined ? { status: { code: STATUS_CODE_ERROR, message: s.error } } : {}),
            })),
          },
        ],
      },
    ],
  };
}

const FN_BY_NAME = new Map<string, KernelFn>();
function kernelFn(name: string): KernelFn | undefined {
  if (FN_BY_NAME.size !== KERNEL_FNS.length) for (const f of KERNEL_FNS) FN_BY_NAME.set(f.name, f);
  return FN_BY_NAME.get(name);
}

/**
 * A step's span: named after the kernel function, over the simulated time the step took (the clock moves
 * by the lab's step cost to reach `t`), with where it ran and what it consulted; a drop is an ERROR whose
 * message is the drop reason.
 */
export function stepSpan(
  s: ExportedStep,
  ctx: TraceContext,
  stepCostNs: number,
  devName: (s: ExportedStep) => string,
): SpanData {
  const fn = kernelFn(s.fn);
  const end = ctx.origin + BigInt(Math.round(s.t));
  const attributes: Record<string, string | number> = {
    'skblab.skb.id': s.skbId,
    'skblab.host': s.host,
  };
  if (s.netns) attributes['skblab.netns'] = s.netns;
  const dev = devName(s);
  if (dev) attributes['skblab.dev'] = dev;
  attributes['skblab.cpu'] = s.cpu;
  attributes['skblab.comm'] = s.comm;
  attributes['skblab.len'] = s.len;
  if (s.info) attributes['skblab.state'] = s.info;
  if (s.drop) attributes['skblab.drop_reason'] = s.drop;
  attributes['skblab.service'] = s.service;
  attributes['code.function'] = s.fn;
  if (fn) {
    attributes['code.filepath'] = fn.file;
    attributes['skblab.layer'] = fn.layer;
  }
  return {
    traceId: ctx.traceId,
    spanId: hex(8),
    parentSpanId: ctx.spanId,
    name: s.fn,
    kind: SPAN_KIND_INTERNAL,
    startNs: end - BigInt(stepCostNs) > 0n ? end - BigInt(stepCostNs) : end,
    endNs: end,
    attributes,
    ...(s.drop ? { error: s.drop } : {}),
  };
}

// ---- the exporter ------------------------------------------------------------------------------------------

export interface OtlpExporterOptions {
  /** The collector's base URL (http or https): spans go to `${endpoint}/v1/traces`. */
  endpoint: string;
  /** The resource's attributes (service.name and the like). */
  resource: Record<string, string | number>;
  log: (line: string) => void;
  /** How long spans wait to go out together (default 200 ms). */
  intervalMs?: number;
}

/** At most this many spans per request; more wait for the next. */
const MAX_BATCH = 4096;

/**
 * Batches spans and POSTs them, one request at a time. Span data is made only when a batch goes out
 * (`add` takes a function); a failed request is said once in the log (and again only after one has
 * worked), and its spans are dropped.
 */
export class OtlpExporter {
  readonly url: URL;
  private pending: Array<() => SpanData[]> = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> | null = null;
  private failing = false;
  /** Spans exported, and requests that failed (for tests and the curious). */
  readonly stats = { spans: 0, failures: 0 };

  constructor(private readonly opts: OtlpExporterOptions) {
    let url: URL | null = null;
    try {
      url = new URL(opts.endpoint.replace(/\/+$/, '') + '/v1/traces');
    } catch {
      // said below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new Error(
        `SKBLAB_OTLP_ENDPOINT must be an http:// or https:// URL, e.g. http://127.0.0.1:4318 (got ${JSON.stringify(opts.endpoint)})`,
      );
    this.url = url;
  }

  /** Spans to export soon: `make` runs when the batch goes out. */
  add(make: () => SpanData[]): void {
    this.pending.push(make);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.intervalMs ?? 200).unref();
  }

  /** Send everything pending now; resolves when it has been sent (or failed). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.pending.length) {
      const makers = this.pending;
      this.pending = [];
      const spans: SpanData[] = [];
      for (const m of makers) {
        try {
          spans.push(...m());
        } catch (e) {
          this.fail(`making spans: ${messageOf(e)}`);
        }
      }
      for (let i = 0; i < spans.length; i += MAX_BATCH) {
        this.sending = this.post(spans.slice(i, i + MAX_BATCH));
        try {
          await this.sending;
        } finally {
          this.sending = null;
        }
      }
    }
  }

  private async post(spans: SpanData[]): Promise<void> {
    const body = JSON.stringify(encodeTraces(this.opts.resource, spans));
    try {
      await postJson(this.url, body);
      this.stats.spans += spans.length;
      if (this.failing) this.opts.log(`skblab: OTLP export to ${this.url.href} works again`);
      this.failing = false;
    } catch (e) {
      this.stats.failures++;
      this.fail(`${messageOf(e)} (${spans.length} spans dropped)`);
    }
  }

  private fail(why: string): void {
    if (this.failing) return;
    this.failing = true;
    this.opts.log(
      `skblab: OTLP export to ${this.url.href} failed: ${why}; further failures are not reported until an export succeeds`,
    );
  }
}

function postJson(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => void (text.length < 300 && (text += c)));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve();
          else reject(new Error(`HTTP ${code}${text ? ': ' + text.slice(0, 200).trim() : ''}`));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

// ---- the tracer: which steps belong to which trace ---------------------------------------------------------

export interface JourneyTracerOptions {
  endpoint: string;
  /** The service (OTLP resource service.name is `skblab-<service>`; the embedded lab's is `skblab`). */
  service?: string;
  /** The replica (service.instance.id) and the lab, when distributed. */
  instance?: string;
  labId?: string;
  log?: (line: string) => void;
  intervalMs?: number;
}

/** A range of the trace ring recorded under one context. */
interface Recorded {
  from: number;
  to: number;
  ctx: TraceContext;
}

/**
 * A lab's link to an OTLP collector. The context in force (`current`) is a command line's (the shell's
 * side) or that of the message being handled (a service); `enter` switches it, noting the steps recorded
 * since the last switch as the previous context's.
 */
export class JourneyTracer {
  readonly exporter: OtlpExporter;
  current: TraceContext | null = null;
  /** The first step of the trace ring not yet given to a context. */
  private mark: number;
  private tick: NodeJS.Timeout | null = null;
  private readonly intervalMs: number;

  constructor(
    readonly lab: Lab,
    opts: JourneyTracerOptions,
  ) {
    const resource: Record<string, string | number> = {
      'service.name': opts.service ? `skblab-${opts.service}` : 'skblab',
    };
    if (opts.instance) resource['service.instance.id'] = opts.instance;
    if (opts.labId) resource['skblab.lab'] = opts.labId;
    this.exporter = new OtlpExporter({
      endpoint: opts.endpoint,
      resource,
      log: opts.log ?? ((l) => void process.stderr.write(l + '\n')),
      intervalMs: opts.intervalMs,
    });
    this.mark = lab.trace.written;
    this.intervalMs = opts.intervalMs ?? 200;
  }

  /** Make `ctx` the context in force; returns the one it replaces (to restore). */
  enter(ctx: TraceContext | null): TraceContext | null {
    const prev = this.current;
    const to = this.lab.trace.written;
    if (prev && to > this.mark) {
      const r = { from: this.mark, to, ctx: prev };
      this.exporter.add(() => this.spansOf(r));
    }
    this.mark = to;
    this.current = ctx;
    // A context that stays in force (a service's, between messages) has its new steps taken on a timer.
    if (ctx && !this.tick) this.arm(this.intervalMs);
    return prev;
  }

  /** The timer that takes new steps; it waits longer each time it finds none (up to 5 s), as a lab idles. */
  private arm(ms: number): void {
    this.tick = setTimeout(() => {
      this.tick = null;
      if (!this.current) return;
      if (this.lab.trace.written === this.mark) return this.arm(Math.min(ms * 2, 5_000));
      this.enter(this.current);
    }, ms).unref();
  }

  /** This process's steps in a range, as spans (what other processes recorded they export themselves). */
  private spansOf(r: Recorded): SpanData[] {
    const dev = (s: ExportedStep) =>
      s.ifindex
        ? (this.lab.netOf(s.host, s.netns)?.devices.find((d) => d.ifindex === s.ifindex)?.name ?? '')
        : '';
    return this.lab.trace.exportSince(r.from, r.to).map((s) => stepSpan(s, r.ctx, this.lab.stepCostNs, dev));
  }

  /**
   * Run a command line as a trace of its own: its span (named after the line) is the parent of the spans
   * of every step recorded while it runs, here and (through the messages' headers) in other services. A
   * line run inside another (a tool running a command) belongs to the outer one.
   */
  async line(line: string, host: string, run: () => Promise<number>): Promise<number> {
    if (this.current) return run();
    const ctx = newTraceContext(this.lab.now());
    const start = this.lab.now();
    this.enter(ctx);
    let status: number | null = null;
    try {
      return (status = await run());
    } finally {
      this.enter(null);
      const end = this.lab.now();
      const text = line.trim();
      this.exporter.add(() => [
        {
          traceId: ctx.traceId,
          spanId: ctx.spanId,
          name: text.length > 120 ? text.slice(0, 117) + '...' : text,
          kind: SPAN_KIND_INTERNAL,
          startNs: ctx.origin + BigInt(Math.round(start)),
          endNs: ctx.origin + BigInt(Math.round(end)),
          attributes: {
            'skblab.command': text,
            'skblab.host': host,
            ...(status !== null ? { 'process.exit.code': status } : {}),
          },
          ...(status ? { error: `exit status ${status}` } : {}),
        },
      ]);
    }
  }

  /** The shell's hook (ShellOptions.aroundLine) for `host`, around `inner` (distributed mode's) if any. */
  aroundLine(
    host: string,
    inner?: (line: string, run: () => Promise<number>) => Promise<number>,
  ): (line: string, run: () => Promise<number>) => Promise<number> {
    return (line, run) => this.line(line, host, inner ? () => inner(line, run) : run);
  }

  /** Export now what was recorded, in the context in force too. */
  flush(): Promise<void> {
    if (this.current) this.enter(this.current);
    return this.exporter.flush();
  }

  /** The end: everything recorded goes out now, and the context's timer stops. */
  async stop(): Promise<void> {
    await this.flush();
    if (this.tick) clearTimeout(this.tick);
    this.tick = null;
  }
}

const TRACERS = new WeakMap<Lab, JourneyTracer>();

/** The lab's tracer, made on first call (the shell's and its node's are one). */
export function journeyTracer(lab: Lab, opts: JourneyTracerOptions): JourneyTracer {
  let t = TRACERS.get(lab);
  if (!t) TRACERS.set(lab, (t = new JourneyTracer(lab, opts)));
  return t;
}

/** The lab's tracer, if it exports to a collector. */
export function tracerOf(lab: Lab): JourneyTracer | undefined {
  return TRACERS.get(lab);
}
