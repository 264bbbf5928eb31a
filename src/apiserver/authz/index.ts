// Authorization in the API server: who may do what. See authorizer.ts; this is the folder's public surface.
export { type Attributes, forbiddenMessage, requestAttributes, type UserInfo } from './attributes.js';
export { AUTHENTICATED, Authorizer, forbidden, MASTERS } from './authorizer.js';
export {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  KUBELET_CLIENT_USER,
  METRICS_SCRAPER_USER,
  PROMETHEUS_USER,
} from './bootstrap-policy.js';
export { checkNoEscalation } from './escalation.js';
export { NODES_GROUP, nodeIdentity } from './node.js';
export { serveAuthReview } from './reviews.js';
