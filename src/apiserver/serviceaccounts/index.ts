// ServiceAccount identities in the API server: token issuing (TokenRequest), token authentication (a valid
// signature, issuer, audience and expiry, and the ServiceAccount and bound object still existing with the
// same uid), the OIDC discovery documents, and the admission that mounts `kube-api-access-*` into pods.
export { type ReadObject, serveTokenRequest } from './token-request.js';
export { DEFAULT_ISSUER, TokenIssuer, type VerifiedToken } from './tokens.js';
export { mountServiceAccountToken } from './admission.js';
