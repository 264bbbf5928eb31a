// What runs beside the node agent on every node (as k3s runs kube-proxy and CoreDNS next to the kubelet):
// the service proxy, the cluster DNS on the node's address, the `kube-dns` Service at the cluster DNS IP
// and this node's EndpointSlice of it. The command layer (src/cli) starts it with the agent's API client.
import type { ApiClient } from '../client/api-client.js';
import { hostAddress } from '../core/cidr.js';
import type { EndpointSlice, Node, Service } from '../core/types.js';
import { type ClusterDns, startClusterDns } from './dns/server.js';
import { type CertificatePem, type IngressController, startIngressController } from './ingress/index.js';
import { type ServiceProxy, startServiceProxy } from './proxy/index.js';

export const KUBE_DNS_NAMESPACE = 'kube-system';
export const KUBE_DNS_SERVICE = 'kube-dns';
/** Value of `endpointslice.kubernetes.io/managed-by` on the slices the nodes publish for kube-dns. */
export const KUBE_DNS_SLICE_MANAGER = 'tutti-agent';

export interface NodeNetworkOptions {
  client: ApiClient;
  nodeName: string;
  nodeIP: string;
  /** Pod network (default 10.42.0.0/16). */
  clusterCidr?: string;
  /** Service ClusterIP range (default 10.43.0.0/16). */
  serviceCidr?: string;
  /** The kube-dns Service's ClusterIP (default the 10th address of the service CIDR). */
  clusterDns?: string;
  clusterDomain?: string;
  nodePortRange?: [number, number];
  /** Where the DNS finds its upstream resolvers (default /etc/resolv.conf). */
  resolvConf?: string;
  /** DNS port on the node address (default 53). */
  dnsPort?: number;
  disableProxy?: boolean;
  disableDns?: boolean;
  /** The ingress controller's listeners on the node address; undefined: none. */
  ingress?: { httpPort: number; httpsPort: number; defaultCertificate?: CertificatePem };
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface NodeNetwork {
  proxy?: ServiceProxy;
  dns?: ClusterDns;
  ingress?: IngressController;
  clusterDns: string;
  stop(): Promise<void>;
}

/** The 10th address of the service CIDR: where kube-dns lives (k3s and kubeadm default 10.43.0.10 / 10.96.0.10). */
export function defaultClusterDns(serviceCidr: string): string {
  return hostAddress(serviceCidr, 10);
}

/** The kube-dns Service: selector-less, the nodes publish its endpoints. */
export function kubeDnsService(clusterIP: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE,
      namespace: KUBE_DNS_NAMESPACE,
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS', 'kubernetes.io/cluster-service': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  } as Service;
}

/** This node's EndpointSlice of kube-dns: its DNS listener, owned by the Node (collected with it). */
export function kubeDnsSlice(node: Pick<Node, 'metadata'>, ip: string, port: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${KUBE_DNS_SERVICE}-${node.metadata.name}`.slice(0, 253),
      namespace: KUBE_DNS_NAMESPACE,
      labels: {
        'kubernetes.io/service-name': KUBE_DNS_SERVICE,
        'endpointslice.kubernetes.io/managed-by': KUBE_DNS_SLICE_MANAGER,
      },
      ownerReferences: node.metadata.uid
        ? [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid }]
        : undefined,
    },
    addressType: 'IPv4',
    // The node hint makes every proxy prefer its own node's DNS (PreferSameNode); a node without one uses any.
    endpoints: [
      {
        addresses: [ip],
        nodeName: node.metadata.name,
        conditions: { ready: true, serving: true },
        hints: { forNodes: [{ name: node.metadata.name! }] },
      },
    ],
    ports: [
      { name: 'dns', port, protocol: 'UDP' },
      { name: 'dns-tcp', port, protocol: 'TCP' },
    ],
  } as unknown as EndpointSlice; // forNodes (1.33) is newer than kubernetes-types
}

function code(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

/**
 * Creates the kube-dns Service when it is missing (the server does at start, with its own rights; a node
 * may not create Services and just finds it). Resolves to whether it exists.
 */
export async function ensureKubeDnsService(
  client: ApiClient,
  clusterIP: string,
  log?: NodeNetworkOptions['log'],
): Promise<boolean> {
  const path = `/api/v1/namespaces/${KUBE_DNS_NAMESPACE}/services`;
  try {
    const existing = await client.get<Service>(`${path}/${KUBE_DNS_SERVICE}`);
    if (existing.spec?.clusterIP !== clusterIP) {
      log?.('kube-dns Service has another cluster IP than this node was given', {
        clusterIP: existing.spec?.clusterIP,
        clusterDns: clusterIP,
      });
    }
    return true;
  } catch (err) {
    if (code(err) !== 404) throw err;
  }
  try {
    await client.create(path, kubeDnsService(clusterIP));
  } catch (err) {
    if (code(err) === 403) {
      log?.('kube-dns Service is missing and this node may not create it (the server makes it at start)', {
        level: 'warn',
      });
      return false;
    }
    if (code(err) !== 409) throw err; // another node made it first
  }
  return true;
}

async function putSlice(client: ApiClient, slice: EndpointSlice): Promise<void> {
  const base = `/apis/discovery.k8s.io/v1/namespaces/${KUBE_DNS_NAMESPACE}/endpointslices`;
  const name = slice.metadata.name!;
  try {
    const cur = await client.get<EndpointSlice>(`${base}/${name}`);
    await client.update(`${base}/${name}`, {
      ...slice,
      metadata: { ...slice.metadata, resourceVersion: cur.metadata.resourceVersion },
    });
  } catch (err) {
    if (code(err) !== 404) throw err;
    await client.create(base, slice);
  }
}

async function retry<T>(what: () => Promise<T>, tries = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await what();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** i, 3000)));
    }
  }
}

/** Starts the node's service proxy and cluster DNS (each may be disabled) and publishes kube-dns. */
export async function startNodeNetwork(opts: NodeNetworkOptions): Promise<NodeNetwork> {
  const log =
    opts.log ??
    ((msg, fields) => console.error(JSON.stringify({ level: 'info', component: 'network', msg, ...fields })));
  const serviceCidr = opts.serviceCidr ?? '10.43.0.0/16';
  const clusterDns = opts.clusterDns ?? defaultClusterDns(serviceCidr);
  const port = opts.dnsPort ?? 53;
  let proxy: ServiceProxy | undefined;
  let dns: ClusterDns | undefined;
  let ingress: IngressController | undefined;
  let sliceName: string | undefined;
  const stop = async () => {
    if (sliceName) {
      const path = `/apis/discovery.k8s.io/v1/namespaces/${KUBE_DNS_NAMESPACE}/endpointslices/${sliceName}`;
      await opts.client.delete(path).catch(() => {});
    }
    await ingress?.stop().catch(() => {});
    await dns?.stop().catch(() => {});
    await proxy?.stop().catch(() => {});
  };
  try {
    if (!opts.disableProxy) {
      proxy = await startServiceProxy({
        client: opts.client,
        node: {
          name: opts.nodeName,
          ips: [opts.nodeIP],
          clusterCidr: opts.clusterCidr ?? '10.42.0.0/16',
          serviceCidr,
          nodePortRange: opts.nodePortRange,
        },
        log: (msg, fields) => log(msg, { component: 'service-proxy', ...fields }),
      });
      log('service proxy started', { node: opts.nodeName, serviceCidr });
    }
    if (!opts.disableDns) {
      // A node whose DNS port is taken (another resolver on the node address) runs on without cluster DNS:
      // the other nodes' DNS still serve kube-dns, as a crashed CoreDNS pod would leave it.
      dns = await startClusterDns({
        client: opts.client,
        address: opts.nodeIP,
        port,
        zone: opts.clusterDomain ?? 'cluster.local',
        resolvConf: opts.resolvConf,
        log: (msg, fields) => log(msg, { component: 'dns', ...fields }),
      }).catch((err: unknown) => {
        log('cluster DNS NOT started on this node', { level: 'error', address: opts.nodeIP, port, error: String(err) });
        return undefined;
      });
    }
    if (opts.ingress) {
      // A taken (or, rootless, privileged) port leaves this node without ingress, as a crashed Traefik would.
      const { httpPort, httpsPort, defaultCertificate } = opts.ingress;
      ingress = await startIngressController({
        client: opts.client,
        address: opts.nodeIP,
        httpPort,
        httpsPort,
        defaultCertificate,
        log: (msg, fields) => log(msg, { component: 'ingress', ...fields }),
      }).catch((err: unknown) => {
        log('ingress NOT started on this node', { level: 'error', address: opts.nodeIP, error: String(err) });
        return undefined;
      });
      if (ingress) log('ingress started', { address: opts.nodeIP, http: ingress.httpPort, https: ingress.httpsPort });
    }
    if (dns) {
      await retry(() => ensureKubeDnsService(opts.client, clusterDns, log));
      const node = await retry(() => opts.client.get<Node>(`/api/v1/nodes/${opts.nodeName}`));
      const slice = kubeDnsSlice(node, opts.nodeIP, dns.port);
      await retry(() => putSlice(opts.client, slice));
      sliceName = slice.metadata.name;
      log('cluster DNS started', { address: opts.nodeIP, port: dns.port, clusterDns });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { proxy, dns, ingress, clusterDns, stop };
}
