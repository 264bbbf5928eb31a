// Test helper: a throwaway HTTPS server on 127.0.0.1 using the cluster's serving certificate.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterPki } from './cluster-pki.js';

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function startTlsServer(
  pki: ClusterPki,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const server: Server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
