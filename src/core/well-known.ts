// Well-known names of the API that several components agree on: labels, annotations, namespaces.

/** Namespace of the nodes' heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** Node annotation: the agent endpoint's CA certificate (PEM, base64), pinned by the API server's node proxy. */
export const AGENT_CA_ANNOTATION = 'tutti.io/agent-ca';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';

/**
 * Pod annotation read by simulated nodes: the usage each of the pod's containers reports to the metrics
 * pipeline, e.g. `cpu=250m,memory=64Mi` (src/metrics/simulated.ts).
 */
export const SIMULATED_USAGE_ANNOTATION = 'tutti.io/simulated-usage';
