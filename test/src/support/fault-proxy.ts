import { once } from 'node:events';
import * as net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that can fail the way networks do:
 * - `down()`: nothing listens (connection refused) and open connections are reset, like a crashed server;
 * - `blackhole()`: connections are accepted and held; no byte (nor close) goes either way until `resume()`,
 *   when everything held is delivered, late, like a stalled network path;
 * - `severExisting()`: open connections silently stop forwarding forever (dropped, never closed), while new
 *   connections work, like a NAT or firewall that lost its state;
 * - `resume()`: back to normal forwarding.
 * `settled()` resolves once PostgreSQL has closed every connection whose client went away, that is once
 * the server has seen each goodbye (and rolled back what it left open).
 */
export interface FaultProxy {
  readonly port: number;
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  urlFor(databaseUrl: string): string;
  down(): Promise<void>;
  blackhole(): void;
  severExisting(): void;
  resume(): Promise<void>;
  settled(): Promise<void>;
  close(): Promise<void>;
}

const END = Symbol('end');
type Held = Buffer | typeof END;

/** One direction of one proxied connection. */
class Pipe {
  state: 'flowing' | 'held' | 'dead' = 'flowing';
  private readonly queue: Held[] = [];

  constructor(private readonly to: net.Socket) {}

  push(item: Held): void {
    if (this.state === 'dead') return;
    if (this.state === 'held') this.queue.push(item);
    else this.deliver(item);
  }

  release(): void {
    if (this.state !== 'held') return;
    this.state = 'flowing';
    for (const item of this.queue.splice(0)) this.deliver(item);
  }

  private deliver(item: Held): void {
    if (this.to.destroyed) return;
    if (item === END) this.to.end();
    else this.to.write(item);
  }
}

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  pipes: Pipe[];
  clientGone: boolean;
  upstreamClosed: boolean;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const links = new Set<Link>();
  let holding = false;
  let settledWaiters: (() => void)[] = [];
  const unsettled = (): boolean => [...links].some((l) => l.clientGone && !l.upstreamClosed);
  const checkSettled = (): void => {
    if (unsettled()) return;
    for (const resolve of settledWaiters.splice(0)) resolve();
  };
  let listeningPort = 0;

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const toUpstream = new Pipe(upstream);
    const toClient = new Pipe(client);
    const link: Link = { client, upstream, pipes: [toUpstream, toClient], clientGone: false, upstreamClosed: false };
    client.on('end', () => { link.clientGone = true; });
    client.on('close', () => { link.clientGone = true; });
    upstream.on('close', () => {
      link.upstreamClosed = true;
      checkSettled();
    });
    if (holding) for (const pipe of link.pipes) pipe.state = 'held';
    links.add(link);
    const wire = (from: net.Socket, pipe: Pipe, other: net.Socket): void => {
      from.on('data', (chunk: Buffer) => pipe.push(chunk));
      from.on('end', () => pipe.push(END));
      from.on('error', () => undefined);
      from.on('close', (hadError) => {
        if (client.destroyed && upstream.destroyed && link.upstreamClosed) links.delete(link);
        // A reset travels like data would: not through a held or dead path.
        if (hadError && pipe.state === 'flowing') other.destroy();
      });
    };
    wire(client, toUpstream, upstream);
    wire(upstream, toClient, client);
  });

  const listen = async (port: number): Promise<void> => {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    listeningPort = (server.address() as net.AddressInfo).port;
  };
  await listen(0);

  const destroyAll = (): void => {
    for (const link of links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    links.clear();
  };

  return {
    port: listeningPort,
    urlFor(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(listeningPort);
      return url.toString();
    },
    async down() {
      if (server.listening) {
        const closed = once(server, 'close');
        server.close();
        destroyAll();
        await closed;
      }
    },
    blackhole() {
      holding = true;
      for (const link of links) for (const pipe of link.pipes) if (pipe.state === 'flowing') pipe.state = 'held';
    },
    severExisting() {
      holding = false;
      for (const link of links) for (const pipe of link.pipes) pipe.state = 'dead';
    },
    async resume() {
      holding = false;
      for (const link of links) for (const pipe of link.pipes) pipe.release();
      if (!server.listening) await listen(listeningPort);
    },
    settled() {
      if (!unsettled()) return Promise.resolve();
      return new Promise<void>((resolve) => { settledWaiters.push(resolve); });
    },
    async close() {
      settledWaiters = [];
      destroyAll();
      if (server.listening) {
        const closed = once(server, 'close');
        server.close();
        await closed;
      }
    },
  };
}
