import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: `preferred` if it is, else one the kernel picks. The kernel picks it (port 0);
 * another process could take it before the caller binds, which is acceptable for
 * throwaway servers, whose start fails loudly if that happens.
 */
export function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => (preferred !== 0 && err.code === 'EADDRINUSE' ? resolve(freePort()) : reject(err)));
    server.listen(preferred, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close(() => reject(new Error(`unexpected listen address: ${String(address)}`)));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
