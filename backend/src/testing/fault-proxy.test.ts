import net from 'node:net';
import { FaultProxy, startFaultProxy } from './fault-proxy';
import { activeHandles, expectNoLeaks } from './handles';

/** An echo server on 127.0.0.1. */
async function echo(): Promise<{ port: number; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  const server = net.createServer((s) => {
    socks.add(s);
    s.on('error', () => undefined);
    s.on('close', () => socks.delete(s));
    s.on('data', (d) => s.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Connects to `port`; resolves the socket or the connect error code. */
function connect(port: number): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Sends `text` and waits at most `ms` for the echo; resolves what came back ('' for nothing), or the error code. */
function roundTrip(s: net.Socket, text: string, ms = 300): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const t = setTimeout(() => done(got), ms);
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) done(got);
    };
    const onError = (e: NodeJS.ErrnoException) => done(e.code ?? e.message);
    const onClose = () => done(got || 'closed');
    function done(v: string) {
      clearTimeout(t);
      s.off('data', onData);
      s.off('error', onError);
      s.off('close', onClose);
      resolve(v);
    }
    s.on('data', onData);
    s.once('error', onError);
    s.once('close', onClose);
    s.write(text);
  });
}

describe('FaultProxy', () => {
  let dev: Awaited<ReturnType<typeof echo>>;
  let proxy: FaultProxy;
  let before: Record<string, number>;
  beforeEach(async () => {
    before = activeHandles();
    dev = await echo();
    proxy = await startFaultProxy({ targetPort: dev.port, latencyMs: 150 });
  });
  afterEach(async () => {
    await proxy.stop();
    await dev.close();
    await expectNoLeaks(before);
  });

  it('passes, delays, drops, and counts connections', async () => {
    const s = (await connect(proxy.port)) as net.Socket;
    expect(await roundTrip(s, 'a')).toBe('a');
    await proxy.set('latency');
    const t0 = Date.now();
    expect(await roundTrip(s, 'b', 1000)).toBe('b');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280); // both directions
    await proxy.set('drop');
    expect(await roundTrip(s, 'c')).toBe('');
    expect(s.destroyed).toBe(false);
    await proxy.set('pass');
    expect(await roundTrip(s, 'd')).toBe('d');
    expect(proxy.accepted).toBe(1);
    expect(proxy.open).toBe(1);
    expect(proxy.sockets).toBe(2);
    s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.open).toBe(0);
  });

  it('resets connections open now and new ones', async () => {
    const s = (await connect(proxy.port)) as net.Socket;
    const closed = new Promise<string>((r) => {
      s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? ''));
      s.once('close', () => r('close'));
    });
    await proxy.set('reset');
    expect(await closed).toBe('ECONNRESET');
    const s2 = await connect(proxy.port);
    // reset at once: the connect itself may already see the RST
    if (typeof s2 === 'string') expect(s2).toBe('ECONNRESET');
    else {
      expect(await roundTrip(s2, 'x')).toMatch(/ECONNRESET|EPIPE|closed/);
      s2.destroy();
    }
  });

  it('half-open forwards requests but drops answers', async () => {
    let seen = '';
    const s = (await connect(proxy.port)) as net.Socket;
    await proxy.set('half-open');
    // the echo device receives the bytes: its answer is what is lost
    const spy = net.connect({ host: '127.0.0.1', port: dev.port });
    spy.on('data', (d) => (seen += d.toString()));
    await new Promise((r) => spy.once('connect', r));
    expect(await roundTrip(s, 'h')).toBe('');
    spy.write('ok');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toBe('ok');
    spy.destroy();
    s.destroy();
  });

  it('black-hole accepts and never answers; refuse refuses; both end', async () => {
    await proxy.set('black-hole');
    const s = (await connect(proxy.port)) as net.Socket;
    expect(await roundTrip(s, 'q')).toBe('');
    // the client giving up closes the proxy's end too
    const s0 = (await connect(proxy.port)) as net.Socket;
    await new Promise((r) => setTimeout(r, 30));
    expect(proxy.open).toBe(2);
    s0.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.open).toBe(1);
    await proxy.set('refuse');
    expect(await connect(proxy.port)).toBe('ECONNREFUSED');
    await proxy.set('pass');
    const s2 = (await connect(proxy.port)) as net.Socket;
    expect(await roundTrip(s2, 'z')).toBe('z');
    s.destroy();
    s2.destroy();
  });

  it('ends the client connection when the device goes away, and stop() closes everything', async () => {
    const s = (await connect(proxy.port)) as net.Socket;
    expect(await roundTrip(s, 'a')).toBe('a');
    const closed = new Promise((r) => s.once('close', r));
    await dev.close();
    await closed;
    const s2 = (await connect(proxy.port)) as net.Socket;
    await proxy.stop();
    await new Promise((r) => s2.once('close', r));
    expect(proxy.open).toBe(0);
    dev = await echo(); // for afterEach
  });
});
