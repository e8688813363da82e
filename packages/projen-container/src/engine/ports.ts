import { createServer, Server } from 'net';

/**
 * Reserves `n` distinct free loopback ports. With `--network host` every
 * container shares the host's ports, so each concurrent check gets its own
 * PORT. All listeners stay open until all ports are chosen, so the kernel
 * cannot hand the same port out twice.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const addr = server.address();
          if (addr && typeof addr === 'object') resolve(addr.port);
          else reject(new Error('no port assigned'));
        });
      }));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
