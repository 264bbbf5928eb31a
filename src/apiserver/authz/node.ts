// The Node authorizer (upstream plugin/pkg/auth/authorizer/node/node_authorizer.go), the first stage of the
// chain Node,RBAC: for a node's credential (user `system:node:<name>`, group `system:nodes`) secrets,
// configmaps, PVCs, PVs, ResourceClaims and ServiceAccount tokens are allowed only when a pod bound to that
// node uses them (the graph in node-graph.ts), leases only its own in kube-node-lease; (Tutti) a `get` of a
// Secret by name that an Ingress of the `tutti` class names in spec.tls, for the node's ingress controller; anything else against
// the static node rules (upstream NodeRules: the system:node ClusterRole's rules). It never denies: without an
// opinion RBAC decides, and RBAC binds none of those reads to nodes. NodeRestriction admission
// (noderestriction.ts) limits the writes the static rules allow to the node's own objects.
import type { PolicyRule } from '../../core/types.js';
import { type Attributes, selectorRequires, type UserInfo } from './attributes.js';
import type { NodeGraph, VertexType } from './node-graph.js';
import { ruleAllows } from './rbac.js';

export const NODES_GROUP = 'system:nodes';
const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/**
 * upstream nodeidentifier.NodeIdentity: a user named `system:node:<name>` in group system:nodes is node
 * `<name>` (maybe '', an unidentifiable node); anyone else is not a node (undefined).
 */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length);
}

export interface NodeDecision {
  allowed: boolean;
  /** Why there is no opinion (upstream's reason, appended to the 403 message); '' when none. */
  reason: string;
}

const ALLOW: NodeDecision = { allowed: true, reason: '' };
const noOpinion = (reason = ''): NodeDecision => ({ allowed: false, reason });

function authorize(graph: NodeGraph, node: string, type: VertexType, a: Attributes): NodeDecision {
  if (!a.name) return noOpinion('No Object name found');
  if (!graph.hasPath(node, type, a.namespace, a.name))
    return noOpinion(`no relationship found between node '${node}' and this object`);
  return ALLOW;
}

function authorizeGet(graph: NodeGraph, node: string, type: VertexType, a: Attributes): NodeDecision {
  if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
  if (a.subresource) return noOpinion('cannot get subresource');
  return authorize(graph, node, type, a);
}

function authorizeReadNamespaced(graph: NodeGraph, node: string, type: VertexType, a: Attributes): NodeDecision {
  if (!['get', 'list', 'watch'].includes(a.verb)) return noOpinion('can only read resources of this type');
  if (a.subresource) return noOpinion('cannot read subresource');
  if (!a.namespace) return noOpinion('can only read namespaced object of this type');
  return authorize(graph, node, type, a);
}

function authorizeStatusUpdate(graph: NodeGraph, node: string, type: VertexType, a: Attributes): NodeDecision {
  if (a.verb !== 'update' && a.verb !== 'patch') return noOpinion('can only get/update/patch this type');
  if (a.subresource !== 'status') return noOpinion('can only update status subresource');
  return authorize(graph, node, type, a);
}

function authorizeCreateToken(graph: NodeGraph, node: string, a: Attributes): NodeDecision {
  if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
  if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
  return authorize(graph, node, 'serviceaccount', a);
}

function authorizeLease(node: string, a: Attributes): NodeDecision {
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb))
    return noOpinion('can only get, create, update, patch, or delete a node lease');
  if (a.namespace !== NODE_LEASE_NAMESPACE)
    return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  // create carries no name here; NodeRestriction checks the object's
  if (a.verb !== 'create' && a.name !== node)
    return noOpinion('can only access node lease with the same name as the requesting node');
  return ALLOW;
}

/** Nodes (upstream AuthorizeNodeWithSelectors, on by default): reads of its own Node only; writes for NodeRestriction. */
function authorizeNode(node: string, a: Attributes): NodeDecision {
  if (a.subresource === '') {
    if (['create', 'update', 'patch'].includes(a.verb)) return ALLOW;
    if (['get', 'list', 'watch'].includes(a.verb)) {
      // the name itself, not the graph: a kubelet may read its Node before creating it
      if (a.name === node) return ALLOW;
      if (!a.name) return noOpinion(`node '${node}' cannot read all nodes, only its own Node object`);
      return noOpinion(`node '${node}' cannot read '${a.name}', only its own Node object`);
    }
  }
  if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return ALLOW;
  return noOpinion();
}

/** Pods (upstream AuthorizeNodeWithSelectors): reads of its own pods; writes for NodeRestriction. */
function authorizePod(graph: NodeGraph, node: string, a: Attributes): NodeDecision {
  if (a.subresource === '') {
    if (a.verb === 'get') return authorizeGet(graph, node, 'pod', a);
    if (a.verb === 'list' || a.verb === 'watch') {
      if (selectorRequires(a.fieldSelector, 'spec.nodeName') === node) return ALLOW;
      if (a.name) return authorize(graph, node, 'pod', a);
      return noOpinion('can only list/watch pods with spec.nodeName field selector');
    }
    if (a.verb === 'create' || a.verb === 'delete') return ALLOW;
  }
  if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return ALLOW;
  if (a.subresource === 'eviction' && a.verb === 'create') return ALLOW;
  return noOpinion();
}

/** The Node authorizer's decision on a request (for non-nodes: no opinion, no reason). */
export function nodeAuthorize(graph: NodeGraph, nodeRules: readonly PolicyRule[], a: Attributes): NodeDecision {
  const node = nodeIdentity(a.user);
  if (node === undefined) return noOpinion();
  if (!node) return noOpinion(`unknown node for user ${JSON.stringify(a.user.name)}`);
  if (a.resourceRequest) {
    const gr = `${a.resource}.${a.apiGroup}`;
    switch (gr) {
      case 'secrets.': {
        const d = authorizeReadNamespaced(graph, node, 'secret', a);
        if (d.allowed || a.verb !== 'get' || a.subresource || !a.name) return d;
        // the node's ingress controller reads the TLS secrets of Ingresses it serves, by name only
        return graph.ingressSecret(a.namespace, a.name) ? ALLOW : d;
      }
      case 'configmaps.':
        return authorizeReadNamespaced(graph, node, 'configmap', a);
      case 'persistentvolumeclaims.':
        if (a.subresource === 'status') return authorizeStatusUpdate(graph, node, 'pvc', a);
        return authorizeGet(graph, node, 'pvc', a);
      case 'persistentvolumes.':
        return authorizeGet(graph, node, 'pv', a);
      case 'resourceclaims.resource.k8s.io':
        return authorizeGet(graph, node, 'resourceclaim', a);
      case 'serviceaccounts.':
        return authorizeCreateToken(graph, node, a);
      case 'leases.coordination.k8s.io':
        return authorizeLease(node, a);
      case 'nodes.':
        return authorizeNode(node, a);
      case 'pods.':
        return authorizePod(graph, node, a);
    }
  }
  // not subdivided: the static node rules
  return nodeRules.some((r) => ruleAllows(a, r)) ? ALLOW : noOpinion();
}
