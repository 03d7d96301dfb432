import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. The kernel picks it (port 0);
 * another process could take it before the caller binds, which is acceptable for
 * throwaway servers, whose start fails loudly if that happens.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close(() => reject(new Error(`unexpected listen address: ${String(address)}`)));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
