// `tutti agent --simulate N`: registers N simulated nodes with a server and plays kubelet for them
// (see src/simnodes). Runs until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { ApiClient } from '../client/index.js';
import { NodeCredential, requestNodeCertificates } from '../agent/index.js';
import { SimulatedNodes } from '../simnodes/index.js';
import { fetchTrustedCa } from '../pki/index.js';
import { numberFlag, parseArgs, stringFlag } from './flags.js';

const HELP = `Usage: tutti agent --simulate N --server URL --token TOKEN [flags]

  --simulate N                 number of simulated nodes
  --server URL                 API server (https://host:6443)
  --token TOKEN                node join token (K10<ca hash>::server:<secret>)
  --ca-file FILE               trust this CA instead of fetching it with the token's pin
  --node-prefix P              node names are P-0, P-1, ... (default sim)
  --cpu Q --memory Q --pods N  capacity of each node (default 4, 8Gi, 110)
  --lease-renew-seconds S      lease renew period (default 10)
  --status-update-seconds S    node status report period (default 300, upstream's nodeStatusReportFrequency)
  --pod-start-ms MS            bound pod -> Running/Ready after (default 1000)
  --pod-delete-ms MS           deleting pod -> gone after (default 500)
  --run-to-completion-ms MS    Never/OnFailure pods succeed after (default 2000, -1 never)
  --concurrency N              requests in flight at most (default 32)
  --metrics-port N             port of each node's /metrics/resource on its loopback InternalIP (default: a free one)
  --disable-metrics            serve no metrics (usage comes from each pod's tutti.io/simulated-usage annotation)
`;

export async function runSimulatedAgent(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(['help', 'disable-metrics']));
  if (args.flags.has('help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const server = stringFlag(args, 'server');
  const token = stringFlag(args, 'token');
  const count = numberFlag(args, 'simulate', 0);
  if (!server || !token || count <= 0) {
    process.stderr.write(`tutti agent: --simulate N, --server and --token are required\n${HELP}`);
    return 2;
  }
  const caFile = stringFlag(args, 'ca-file');
  const caPem = caFile ? readFileSync(caFile, 'utf8') : await fetchTrustedCa(server, token);
  const log = (msg: string, fields: Record<string, unknown>) =>
    console.log(JSON.stringify({ time: new Date().toISOString(), component: 'agent-simulated', msg, ...fields }));
  // Each simulated node gets its own client certificate (system:node:<name>) through a CSR made with the join
  // token, as a real agent does; the informers of them all use the first node's.
  const prefix = stringFlag(args, 'node-prefix', 'sim');
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const bootstrap = new ApiClient({ server, caPem, token, userAgent: 'tutti-agent-simulated-bootstrap' });
  const issuing = Date.now();
  const certs = await requestNodeCertificates(bootstrap, names, {
    concurrency: numberFlag(args, 'concurrency', 32),
  }).finally(() => bootstrap.close());
  log('node certificates issued', { count, ms: Date.now() - issuing });
  // Each renews its certificate at 70-90% of its lifetime with the certificate itself, as a real agent.
  const credentials = names.map((n) =>
    NodeCredential.issued({ server, caPem, bootstrapToken: token, nodeName: n, log }, certs.get(n)!),
  );
  const clients = new Map(
    credentials.map((c, i) => [names[i]!, c.client({ userAgent: `tutti-agent-simulated/${names[i]}` })]),
  );
  for (const c of credentials) c.start();
  const client = clients.get(names[0]!)!;
  const sim = new SimulatedNodes({
    client,
    clientFor: (n) => clients.get(n) ?? client,
    count,
    prefix,
    capacity: {
      cpu: stringFlag(args, 'cpu', '4'),
      memory: stringFlag(args, 'memory', '8Gi'),
      pods: stringFlag(args, 'pods', '110'),
    },
    leaseRenewMs: numberFlag(args, 'lease-renew-seconds', 10) * 1000,
    statusUpdateMs: numberFlag(args, 'status-update-seconds', 300) * 1000,
    podStartMs: numberFlag(args, 'pod-start-ms', 1000),
    podDeleteMs: numberFlag(args, 'pod-delete-ms', 500),
    runToCompletionMs: numberFlag(args, 'run-to-completion-ms', 2000),
    concurrency: numberFlag(args, 'concurrency', 32),
    ...(args.flags.has('disable-metrics') ? {} : { metrics: { port: numberFlag(args, 'metrics-port', 0) } }),
    log,
  });
  const started = Date.now();
  await sim.start();
  log('simulated nodes registered', { count, ms: Date.now() - started });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  for (const c of credentials) c.stop();
  for (const c of clients.values()) c.close();
  return 0;
}
