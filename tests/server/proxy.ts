/**
 * A TCP proxy for fault tests: 127.0.0.1:PORT → a server's port, one link per accepted connection.
 * Each link follows the plan made for it when it opens: cut (both sockets destroyed) once N bytes
 * went one way, forwarded with a delay, or frozen — nothing forwarded any more and no FIN sent
 * either way, a half-open link as a dead Wi-Fi or a crashed router leaves it.
 */
import { createServer, type Server, Socket } from 'node:net';

export interface LinkPlan {
  /** Destroys both sockets once `bytes` bytes went from that side (those bytes are forwarded). */
  cut?: { from: 'till' | 'server'; bytes: number };
  /** Milliseconds each chunk waits before it is forwarded (order kept). */
  delayMs?: number;
}

export interface Link {
  /** Bytes forwarded from the till to the server and back. */
  sent: { till: number; server: number };
  /** Whether the plan's cut happened. */
  cut: boolean;
  /** Resolves when the server's socket closed (the server ended or dropped the link). */
  serverClosed: Promise<void>;
}

export interface TcpProxy {
  port: number;
  /** `ws://127.0.0.1:PORT` */
  url: string;
  links: Link[];
  /** Stops forwarding on every open link and every later one, sending no FIN: half-open links. */
  freeze(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `127.0.0.1:target`; `plan(n)` says what to do with the n-th link (0-based). */
export function startProxy(target: number, plan: (n: number) => LinkPlan = () => ({})): Promise<TcpProxy> {
  let frozen = false;
  const links: Link[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((till) => {
    const p = plan(links.length);
    const upstream = new Socket().connect(target, '127.0.0.1');
    let serverClosed!: () => void;
    const link: Link = { sent: { till: 0, server: 0 }, cut: false, serverClosed: new Promise((r) => (serverClosed = r)) };
    links.push(link);
    for (const s of [till, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined); // a cut or a reset: seen through close
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('close', () => serverClosed());

    const cutNow = (): void => {
      link.cut = true;
      till.destroy();
      upstream.destroy();
    };
    const forward = (from: 'till' | 'server', to: Socket, chunk: Buffer): void => {
      if (frozen || link.cut) return;
      let data = chunk;
      const limit = p.cut && p.cut.from === from ? p.cut.bytes - link.sent[from] : Infinity;
      if (data.length >= limit) data = data.subarray(0, Math.max(limit, 0));
      link.sent[from] += data.length;
      if (data.length > 0) to.write(data);
      if (data.length >= limit) cutNow();
    };
    const pass = (from: 'till' | 'server', to: Socket) => (chunk: Buffer) => {
      if (p.delayMs) setTimeout(() => forward(from, to, chunk), p.delayMs);
      else forward(from, to, chunk);
    };
    till.on('data', pass('till', upstream));
    upstream.on('data', pass('server', till));
    // an end passes through unless frozen (a half-open link sends no FIN)
    const ender = (to: Socket) => () => {
      if (!frozen && !link.cut) setTimeout(() => to.end(), p.delayMs ?? 0);
    };
    till.on('end', ender(upstream));
    upstream.on('end', ender(till));
    till.on('close', () => {
      if (!frozen) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!frozen) till.destroy();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        url: `ws://127.0.0.1:${port}`,
        links,
        freeze() {
          frozen = true;
        },
        close() {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
