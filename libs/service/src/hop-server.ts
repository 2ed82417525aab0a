/**
 * The layer services' Nest transport: a custom transport strategy whose patterns are kernel hops. A layer
 * app declares each hop it runs as a message handler, named after the kernel function the skb enters:
 *
 *   @EventPattern('ip_rcv') ip_rcv(@Payload() m: HopMessage) { return this.receive(m); }
 *
 * (in a controller that extends LayerHops) and this server feeds those handlers from the hop topics. The Kafka side (consumer group, batches of
 * binary envelopes, exactly-once bookkeeping, the flush to Kafka and Redis after each batch) is the
 * HopWorker's DistributedNode; each message it takes goes through the app's handler for its hop.
 *
 * listen refuses an app whose handlers are not exactly its layer's hops (contracts' HOP_LAYER): a hop
 * without a handler would never be consumed, and a handler for another layer's hop never called.
 *
 * A handler hands the message on and returns; it must not wait for I/O. The batch is handled in one run of
 * microtasks, so nothing that comes from I/O (a timer advance, a configuration entry, a rebalance) can run
 * between two of its messages, as nothing runs between two softirq steps on one CPU.
 */
import { Catch, Inject, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import type { HopMessage } from '@skblab/distributed';
import type { Verdict } from '@skblab/kernel';
import { HopWorker } from './hop-worker';

export const HOP_TRANSPORT = Symbol('skblab-hops');

/**
 * Nest's default filter turns whatever a handler throws into {status: 'error', message: 'Internal server
 * error'}; a hop's error goes back to the node as it was thrown. LayerHops carries it for every app's hops
 * controller: a global filter cannot be set on a hybrid app's microservice once connected.
 */
@Catch()
export class RethrowHopErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * What a layer app's hops controller extends: the way into the kernel (the HopWorker) and the filter that
 * gives a handler's error back as thrown. The app's controller only declares its hops, one handler each:
 *
 *   @EventPattern('ip_rcv') ip_rcv(@Payload() m: HopMessage) { return this.receive(m); }
 */
@UseFilters(RethrowHopErrors)
export abstract class LayerHops {
  constructor(@Inject(HopWorker) private readonly kernel: HopWorker) {}

  /** A hop's message into the kernel, through the door. */
  protected receive(m: HopMessage): Verdict {
    return this.kernel.receive(m);
  }
}

export class HopServer extends Server implements CustomTransportStrategy {
  override readonly transportId = HOP_TRANSPORT;

  constructor(
    private readonly worker: HopWorker,
    /** The app's name in errors (skblab ip). */
    private readonly app: string,
  ) {
    super();
  }

  /** The hops this app's module has handlers for. */
  get handled(): string[] {
    return [...this.messageHandlers.keys()];
  }

  listen(callback: (err?: unknown) => void): void {
    const hops = this.worker.hops;
    const missing = hops.filter((h) => !this.messageHandlers.has(h));
    const foreign = this.handled.filter((p) => !hops.includes(p));
    // Nest chains a second handler of a pattern after the first: the kernel would get the skb twice.
    const twice = this.handled.filter((p) => this.messageHandlers.get(p)!.next);
    const notEvents = this.handled.filter((p) => !this.messageHandlers.get(p)!.isEventHandler);
    if (missing.length || foreign.length || twice.length || notEvents.length) {
      return callback(
        new Error(
          `${this.app}: the app's hop handlers are not its layer's hops` +
            (missing.length ? `; no @EventPattern for ${missing.join(', ')}` : '') +
            (foreign.length ? `; handlers for another layer's hops: ${foreign.join(', ')}` : '') +
            (twice.length ? `; more than one handler for ${twice.join(', ')}` : '') +
            (notEvents.length ? `; @MessagePattern (a request) for ${notEvents.join(', ')}` : ''),
        ),
      );
    }
    this.worker.start((m) => this.dispatch(m));
    callback();
  }

  /**
   * A message to its hop's handler. What a handler throws comes back from Nest's RPC proxy as an error
   * observable, which the hops controllers' exception filter (RethrowHopErrors) makes of the error itself:
   * the node tells a malformed envelope (dead letter) from a fault (the batch is not committed) by class.
   */
  private async dispatch(m: HopMessage): Promise<Verdict> {
    const out: unknown = await this.messageHandlers.get(m.hop)!(m);
    if (!isObservable(out)) return out as Verdict;
    try {
      return (await lastValueFrom(out)) as Verdict;
    } catch (e) {
      // Nest's own filter answered: what the handler threw is lost, and the fault would go unexplained.
      if (!(e instanceof Error) && (e as { status?: unknown })?.status === 'error')
        throw new Error(
          `${this.app}: the ${m.hop} handler threw, and Nest's default exception filter hid what: ` +
            `its controller should extend LayerHops (or use @UseFilters(RethrowHopErrors))`,
        );
      throw e;
    }
  }

  close(): Promise<void> {
    return this.worker.stop();
  }

  /** The server's own events: it has none beyond Nest's status. */
  on(): never {
    throw new Error(`${this.app}: the hop transport emits no events of its own`);
  }

  unwrap<T>(): T {
    return (this.worker.classLabs ?? this.worker.node) as T;
  }
}
