// `tutti agent`: joins this machine to a server as a node (the node agent lives in src/agent).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAgent } from '../agent/index.js';
import { ApiClient } from '../client/index.js';
import { fetchTrustedCa } from '../pki/index.js';
import { applyClusterConfig, readClusterConfig } from './cluster-config.js';
import type { RuntimeKind } from '../agent/runtime-choice.js';
import { defaultDataDir } from './datadir.js';
import { NETWORK_FLAGS, networkConfig, networkHelp, podDnsSettings, startAgentNetwork } from './network.js';
import { type FlagSpec, UsageError, noPositionals, numberFlag, parseFlags, stringFlag, wantsHelp } from './flags.js';
import { PODNET_FLAGS, PODNET_HELP, podNetConfig, podNetMasquerades, startAgentPodNetwork } from './podnet.js';
import { apiRateFlags, apiRateFromFlags, apiRateHelp } from './api-rate.js';
import { AGENT_AUTH_FLAGS, agentAuthFromFlags, agentAuthHelp } from './agent-auth-flags.js';

const HELP = `Usage: tutti agent --server URL --token TOKEN [flags]

  --server URL                        https URL of the tutti server
  --token TOKEN                       join token (K10<ca hash>::server:<secret>, from <server data dir>/node-token)
  --node-name NAME                    node name (default: hostname)
  --data-dir DIR                      agent state (default /var/lib/tutti as root, else ~/.tutti)
  --container-runtime-endpoint SOCK   use this CRI socket instead of a private containerd
  --runtime auto|cri|process          container runtime (default auto: CRI when possible, else process)
  --node-ip IP                        node address (default: first non-loopback IPv4)
  --agent-port N                      HTTPS port of the agent endpoint for logs/exec/port-forward (default 10250)
  --client-ca-file FILE               client certificates this CA issued may call the agent endpoint (CN/O)
  --pod-cidr CIDR                     use this pod CIDR instead of the one the server assigns
  --sync-frequency S                  seconds between refreshes of configMap/secret volumes (default 60)
  --simulate N                        run N simulated nodes (no containers; see --simulate --help)
  --service-cidr CIDR                 Service ClusterIP range (default: the server's, from kube-system/tutti-config)
  --cluster-cidr CIDR                 pod network (default: the server's)
${agentAuthHelp(36)}
${apiRateHelp(['agent'], false)}
${networkHelp(38)}`;

const FLAGS: FlagSpec = {
  server: 'string',
  token: 'string',
  'node-name': 'string',
  'data-dir': 'string',
  'container-runtime-endpoint': 'string',
  runtime: 'string',
  'node-ip': 'string',
  'agent-port': 'number',
  'client-ca-file': 'string',
  'pod-cidr': 'string',
  'sync-frequency': 'number',
  'service-cidr': 'string',
  'cluster-cidr': 'string',
  ...apiRateFlags(['agent'], false),
  ...AGENT_AUTH_FLAGS,
  ...NETWORK_FLAGS,
};
const RUNTIMES = ['auto', 'cri', 'process'];

/** `--simulate N` hands the whole command line to the simulated agent, which has flags of its own. */
function simulates(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--simulate' || a.startsWith('--simulate='));
}

export async function runAgent(argv: string[]): Promise<number> {
  if (simulates(argv)) {
    const simulate = join(fileURLToPath(new URL('.', import.meta.url)), 'agent-simulate.js');
    if (!existsSync(simulate)) {
      console.error('tutti agent --simulate: the simulated agent is not in this build');
      return 1;
    }
    const mod = (await import('./agent-simulate.js' as string)) as {
      runSimulatedAgent(argv: string[]): Promise<number>;
    };
    return mod.runSimulatedAgent(argv);
  }
  if (wantsHelp(argv)) {
    console.log(HELP + PODNET_HELP);
    return 0;
  }
  const args = parseFlags(argv, { ...FLAGS, ...PODNET_FLAGS });
  noPositionals(args);
  const server = stringFlag(args, 'server');
  const token = stringFlag(args, 'token');
  if (!server || !token) throw new UsageError('--server and --token are required');
  const runtime = stringFlag(args, 'runtime', 'auto') as RuntimeKind;
  if (!RUNTIMES.includes(runtime)) {
    throw new UsageError(`flag --runtime must be auto, cri or process, got ${JSON.stringify(runtime)}`);
  }
  const apiRate = apiRateFromFlags(args, 'agent', false);
  const endpointAuth = agentAuthFromFlags(args);
  const clientCaFile = stringFlag(args, 'client-ca-file');
  if (clientCaFile && !existsSync(clientCaFile)) throw new UsageError(`flag --client-ca-file: no file ${clientCaFile}`);
  const clientCaPem = clientCaFile ? readFileSync(clientCaFile, 'utf8') : undefined;
  const dataDir = join(stringFlag(args, 'data-dir', defaultDataDir()), 'agent');
  // Every flag as given must parse before anything is asked of the server.
  networkConfig(
    args,
    stringFlag(args, 'service-cidr', '10.43.0.0/16'),
    stringFlag(args, 'cluster-cidr', '10.42.0.0/16'),
  );
  podNetConfig(args, stringFlag(args, 'cluster-cidr'), stringFlag(args, 'service-cidr', '10.43.0.0/16'));
  // The server's service CIDR, pod network, cluster DNS and domain, unless this command line names its own.
  const caPem = await fetchTrustedCa(server, token);
  const ownClusterDns = args.flags.has('cluster-dns');
  const bootstrap = new ApiClient({ server, caPem, token, userAgent: 'tutti-agent' });
  try {
    const fromServer = await readClusterConfig(bootstrap);
    for (const c of applyClusterConfig(args, fromServer)) {
      console.error(
        JSON.stringify({
          level: 'warn',
          message: `--${c.key} differs from the server's: pods on this node may not reach the rest of the cluster`,
          flag: c.flag,
          server: c.server,
        }),
      );
    }
  } catch (err) {
    console.error(
      JSON.stringify({ level: 'warn', message: 'cluster settings not read from the server', error: String(err) }),
    );
  } finally {
    bootstrap.close();
  }
  // A node without a service proxy tells its pods no cluster DNS unless its own command line names one.
  if (
    !ownClusterDns &&
    networkConfig(args, stringFlag(args, 'service-cidr', '10.43.0.0/16'), '10.42.0.0/16').disableProxy
  )
    args.flags.delete('cluster-dns');
  const podnetConfig = podNetConfig(
    args,
    stringFlag(args, 'cluster-cidr'),
    stringFlag(args, 'service-cidr', '10.43.0.0/16'),
  );
  const net = networkConfig(
    args,
    stringFlag(args, 'service-cidr', '10.43.0.0/16'),
    stringFlag(args, 'cluster-cidr', '10.42.0.0/16'),
  );
  const agent = await startAgent({
    server,
    token,
    caPem,
    nodeName: stringFlag(args, 'node-name'),
    dataDir,
    containerRuntimeEndpoint: stringFlag(args, 'container-runtime-endpoint'),
    runtime,
    nodeIP: stringFlag(args, 'node-ip'),
    agentPort: numberFlag(args, 'agent-port', 10250),
    podCidr: stringFlag(args, 'pod-cidr'),
    cniIpMasq: !podNetMasquerades(podnetConfig),
    volumeRefreshIntervalMs: numberFlag(args, 'sync-frequency', 60) * 1000,
    dns: podDnsSettings(net),
    apiRate,
    endpointAuth,
    clientCaPem,
  });
  const network = await startAgentNetwork(agent, net, dataDir).catch(async (err) => {
    await agent.stop();
    throw err;
  });
  console.log(JSON.stringify({ message: 'tutti agent ready', node: agent.nodeName, runtime: agent.runtimeKind }));
  // The pod network across nodes and NetworkPolicy, beside the agent (removed again on shutdown).
  const podnet = await startAgentPodNetwork(agent, agent.credential, podnetConfig, dataDir).catch(async (err) => {
    await agent.stop();
    throw err;
  });
  await new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await network.stop();
  await agent.stop();
  await podnet.stop();
  return 0;
}
