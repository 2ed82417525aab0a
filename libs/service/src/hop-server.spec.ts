import type { MessageHandler } from '@nestjs/microservices';
import { RpcException } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { HopWorker } from './hop-worker';
import { HopServer, RethrowHopErrors } from './hop-server';

/** A worker for the loopback layer that records what the server asks of it. */
function worker(hops: string[]) {
  const w = {
    hops,
    dispatch: null as null | ((m: unknown) => Promise<unknown>),
    start(d: (m: unknown) => Promise<unknown>) {
      w.dispatch = d;
    },
    stop: jest.fn(async () => undefined),
    node: { name: 'node' },
  };
  return w;
}

function handler(fn: (m: unknown) => unknown, isEvent = true): MessageHandler {
  const h = (async (m: unknown) => fn(m)) as unknown as MessageHandler;
  h.isEventHandler = isEvent;
  return h;
}

function listen(server: HopServer): Promise<void> {
  return new Promise((resolve, reject) => server.listen((e) => (e ? reject(e) : resolve())));
}

describe('HopServer', () => {
  it("starts the worker when its handlers are exactly the layer's hops, and feeds each message to its hop's", async () => {
    const w = worker(['loopback_xmit']);
    const server = new HopServer(w as unknown as HopWorker, 'skblab loopback');
    const seen: unknown[] = [];
    server.addHandler(
      'loopback_xmit',
      handler((m) => (seen.push(m), { kind: 'queued' })),
      true,
    );
    await listen(server);
    const m = { hop: 'loopback_xmit', skb: {}, clock: 5, comm: 'ping', cpu: 1 };
    expect(await w.dispatch!(m)).toEqual({ kind: 'queued' });
    expect(seen).toEqual([m]);
    expect(server.unwrap()).toBe(w.node);
    await server.close();
    expect(w.stop).toHaveBeenCalledTimes(1);
  });

  it('refuses missing, foreign, doubled and request handlers, naming each, and starts nothing', async () => {
    const w = worker(['ip_rcv', 'ip_rcv_finish', 'ip_local_deliver', 'ip_local_deliver_finish']);
    const server = new HopServer(w as unknown as HopWorker, 'skblab rx');
    server.addHandler(
      'ip_rcv',
      handler(() => undefined),
      true,
    );
    server.addHandler(
      'ip_rcv',
      handler(() => undefined),
      true,
    ); // Nest chains it as .next
    server.addHandler(
      'ip_rcv_finish',
      handler(() => undefined, false),
      false,
    );
    server.addHandler(
      'ip_local_deliver',
      handler(() => undefined),
      true,
    );
    server.addHandler(
      'udp_rcv',
      handler(() => undefined),
      true,
    );
    await expect(listen(server)).rejects.toThrow(
      "skblab rx: the app's hop handlers are not its layer's hops; no @EventPattern for " +
        "ip_local_deliver_finish; handlers for another layer's hops: udp_rcv; more than one handler for " +
        'ip_rcv; @MessagePattern (a request) for ip_rcv_finish',
    );
    expect(w.dispatch).toBeNull();
  });

  it('gives back what a handler threw as it was thrown (not Nest\'s "Internal server error")', async () => {
    class Fault extends Error {}
    const e = new Fault('ring full');
    await expect(lastValueFrom(new RethrowHopErrors().catch(e))).rejects.toBe(e);
    const r = new RpcException('x');
    await expect(lastValueFrom(new RethrowHopErrors().catch(r))).rejects.toBe(r);
  });
});
