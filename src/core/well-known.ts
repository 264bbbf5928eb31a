// Well-known names of the API that several components agree on: labels, annotations, namespaces.

/** Namespace of the nodes' heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** Node annotation: the agent endpoint's CA certificate (PEM, base64), pinned by the API server's node proxy. */
export const AGENT_CA_ANNOTATION = 'tutti.io/agent-ca';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
