import { Controller } from '@nestjs/common';
import { EventPattern, Payload, RpcException, type MessageHandler } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom } from 'rxjs';
import { HopWorker } from './hop-worker';
import type { HopMessage } from '@skblab/distributed';
import { HopServer, LayerHops, RethrowHopErrors } from './hop-server';

/** A worker for the loopback layer that records what the server asks of it. */
function worker(hops: string[]) {
  const w = {
    hops,
    dispatch: null as null | ((m: unknown) => Promise<unknown>),
    start(d: (m: unknown) => Promise<unknown>) {
      w.dispatch = d;
    },
    stop: jest.fn(async () => undefined),
    received: [] as unknown[],
    /** HopWorker.receive: into the kernel (here: recorded, and queued). */
    receive(m: { skb: unknown }) {
      w.received.push(m);
      return { kind: 'queued', skb: m.skb };
    },
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

describe('HopServer in a Nest microservice', () => {
  class Fault extends Error {}

  // As an app declares its hops: LayerHops brings the worker and the filter.
  @Controller()
  class FaultyHops extends LayerHops {
    @EventPattern('loopback_xmit')
    loopback_xmit(@Payload() m: HopMessage) {
      if (m.skb.len > 10) throw new Fault(`ring full at ${m.skb.len}`);
      return this.receive(m);
    }
  }

  @Controller()
  class UnfilteredHops {
    @EventPattern('loopback_xmit')
    loopback_xmit() {
      throw new Fault('lost');
    }
  }

  async function serve(controller: new (...args: never[]) => unknown) {
    const w = worker(['loopback_xmit']);
    const moduleRef = await Test.createTestingModule({
      controllers: [controller],
      providers: [{ provide: HopWorker, useValue: w }],
    }).compile();
    const app = moduleRef.createNestMicroservice({
      strategy: new HopServer(w as unknown as HopWorker, 'skblab loopback'),
      logger: false,
    });
    await app.listen();
    return { w, app };
  }

  it("feeds the controller's handler, and gives back what it throws as thrown", async () => {
    const { w, app } = await serve(FaultyHops);
    try {
      const m = { hop: 'loopback_xmit', skb: { len: 1 } };
      expect(await w.dispatch!(m)).toEqual({ kind: 'queued', skb: m.skb });
      expect(w.received).toEqual([m]);
      const err = await w.dispatch!({ hop: 'loopback_xmit', skb: { len: 64 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Fault);
      expect((err as Error).message).toBe('ring full at 64');
    } finally {
      await app.close();
    }
  });

  it("says what is missing when Nest's default filter hid a handler's error", async () => {
    const { w, app } = await serve(UnfilteredHops);
    try {
      await expect(w.dispatch!({ hop: 'loopback_xmit', skb: {} })).rejects.toThrow(
        "skblab loopback: the loopback_xmit handler threw, and Nest's default exception filter hid what: " +
          'its controller should extend LayerHops (or use @UseFilters(RethrowHopErrors))',
      );
    } finally {
      await app.close();
    }
  });
});
