// A `tutti server` with simulated nodes, as most cluster e2e tests start one: the server, an admin API client
// and the nodes; stop() ends all three in order, also after a start that failed half-way.
import { ApiClient } from '../../client/index.js';
import { SimulatedNodes, type SimulatedNodesOptions } from '../../simnodes/index.js';
import { startTestServer, type TestServer } from '../harness.js';

export interface SimCluster {
  s: TestServer;
  client: ApiClient;
  sim: SimulatedNodes;
  stop(): Promise<void>;
}

export async function startSimCluster(
  server: Parameters<typeof startTestServer>[0],
  nodes: Omit<SimulatedNodesOptions, 'client'>,
): Promise<SimCluster> {
  const s = await startTestServer(server);
  const client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
  const sim = new SimulatedNodes({ client, ...nodes });
  const stop = async () => {
    await sim.stop();
    client.close();
    await s.stop();
  };
  try {
    await sim.start();
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { s, client, sim, stop };
}
