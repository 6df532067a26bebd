import { createServer } from 'node:net';

/** Asks the kernel for a free loopback port; good enough for tests that start servers right after. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A free loopback port in [min, max], tried at random: for ports that must stay out of the kernel's ephemeral range
 * (Temporal stores membership ports in a SMALLINT column, so they must be below 32768).
 */
export async function freePortInRange(min: number, max: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (await portIsFree(host, port)) return port;
  }
  throw new Error(`No free port on ${host} between ${min} and ${max} after 100 tries.`);
}

function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly purpose: string,
    readonly envVar: string,
  ) {
    super(
      `Port ${port} (${purpose}) is already in use. If it is an earlier stack, stop it with \`npm run stack -- down\`; ` +
        `otherwise find the process with \`ss -ltnp 'sport = :${port}'\` or choose another port with ${envVar}=<port>.`,
    );
    this.name = 'PortInUseError';
  }
}

export function assertPortFree(host: string, port: number, purpose: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, purpose, envVar) : error),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
