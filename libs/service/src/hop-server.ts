/**
 * The layer services' Nest transport: a custom transport strategy whose patterns are kernel hops. A layer
 * app declares each hop it runs as a message handler, named after the kernel function the skb enters:
 *
 *   @EventPattern('ip_rcv') ip_rcv(@Payload() m: HopMessage) { return this.kernel.receive(m); }
 *
 * and this server feeds those handlers from the hop topics. The Kafka side (consumer group, batches of
 * binary envelopes, exactly-once bookkeeping, the flush to Kafka and Redis after each batch) is the
 * HopWorker's DistributedNode; each message it takes goes through the app's handler for its hop.
 *
 * listen refuses an app whose handlers are not exactly its layer's hops (contracts' HOP_LAYER): a hop
 * without a handler would never be consumed, and a handler for another layer's hop never called.
 */
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { HopMessage } from '@skblab/distributed';
import type { Verdict } from '@skblab/kernel';
import type { HopWorker } from './hop-worker';

export const HOP_TRANSPORT = Symbol('skblab-hops');

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
    if (missing.length || foreign.length) {
      return callback(
        new Error(
          `${this.app}: the app's hop handlers are not its layer's hops` +
            (missing.length ? `; no @EventPattern for ${missing.join(', ')}` : '') +
            (foreign.length ? `; handlers for another layer's hops: ${foreign.join(', ')}` : ''),
        ),
      );
    }
    this.worker.start((m) => this.dispatch(m));
    callback();
  }

  /** A message to its hop's handler. A handler that threw comes back as an error observable: rethrown. */
  private async dispatch(m: HopMessage): Promise<Verdict> {
    const out: unknown = await this.messageHandlers.get(m.hop)!(m);
    return (isObservable(out) ? await lastValueFrom(out) : out) as Verdict;
  }

  close(): Promise<void> {
    return this.worker.stop();
  }

  /** The server's own events: it has none beyond Nest's status. */
  on(): never {
    throw new Error(`${this.app}: the hop transport emits no events of its own`);
  }

  unwrap<T>(): T {
    return this.worker.node as T;
  }
}
