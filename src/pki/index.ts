// Public surface of the cluster PKI: certificates, tokens, kubeconfig, and the agent's CA bootstrap.
export {
  COMPONENT_USERS,
  type ClusterPki,
  type ClusterPkiOptions,
  type ComponentTokens,
  ensureClusterPki,
  servingSans,
  tlsDir,
} from './cluster-pki.js';
export { fetchTrustedCa } from './fetch-ca.js';
export { type KubeconfigOptions, kubeconfigText, writeKubeconfig } from './kubeconfig.js';
export { caHashOf, type JoinToken, parseJoinToken, tokensEqual, verifyCaHash } from './tokens.js';
export {
  bootstrapCsrName,
  createNodeCsr,
  KUBELET_CLIENT_SIGNER,
  KUBELET_CLIENT_USAGES,
  type NodeCertificateInfo,
  type NodeCsr,
  NODE_USER_PREFIX,
  NODES_GROUP,
  nodeCertificateInfo,
  rotationDeadline,
  unusableNodeCertificate,
} from './node-client-cert.js';
export { writeFileAtomic } from './secret-files.js';
export {
  type CertificateRequestInfo,
  type ClientCertificateResult,
  type ClientIdentity,
  createCertificateRequest,
  parseCertificateRequest,
  signCertificateRequest,
  verifyClientCertificate,
} from './client-certs.js';
export type { CertificateAndKey } from './certificates.js';
export {
  LEGACY_ISSUER,
  type LegacyTokenClaims,
  serviceAccountKeyId,
  signLegacyServiceAccountToken,
} from './service-account-token.js';
