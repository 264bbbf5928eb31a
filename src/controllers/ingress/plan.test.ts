import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ingress, IngressClass, Node } from '../../core/types.js';
import { lbNodeAddresses } from '../shared/lb-nodes.js';
import { planIngressStatus } from './plan.js';

const cls: IngressClass = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'tutti', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'tutti.io/ingress' },
};
function ing(className?: string, ips: string[] = []): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'i', namespace: 'default' },
    spec: className ? { ingressClassName: className } : {},
    status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
  };
}
const node = (name: string, ip: string, ready = true, external?: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: {
    addresses: [{ type: 'InternalIP', address: ip }, ...(external ? [{ type: 'ExternalIP', address: external }] : [])],
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  },
});

test('an Ingress of ours gets the Ready nodes addresses (ExternalIP first), sorted', () => {
  const addrs = lbNodeAddresses([
    node('b', '10.0.0.10'),
    node('a', '10.0.0.9'),
    node('c', '10.0.0.11', false),
    node('d', '10.0.0.12', true, '192.0.2.1'),
  ]);
  assert.deepEqual(addrs, ['10.0.0.9', '10.0.0.10', '192.0.2.1']);
  assert.deepEqual(planIngressStatus(ing('tutti'), [cls], addrs), [
    { ip: '10.0.0.9' },
    { ip: '10.0.0.10' },
    { ip: '192.0.2.1' },
  ]);
  assert.deepEqual(planIngressStatus(ing(), [cls], ['10.0.0.9']), [{ ip: '10.0.0.9' }]);
});

test('nothing to write when it is current, or the Ingress is another controller s', () => {
  assert.equal(planIngressStatus(ing('tutti', ['10.0.0.9']), [cls], ['10.0.0.9']), undefined);
  assert.equal(planIngressStatus(ing('nginx'), [cls], ['10.0.0.9']), undefined);
  assert.equal(
    planIngressStatus(ing(), [{ ...cls, metadata: { name: 'tutti' } }], ['10.0.0.9']),
    undefined,
    'no class and ours is not the default',
  );
});

test('a node going away shrinks the list; none Ready empties it', () => {
  assert.deepEqual(planIngressStatus(ing('tutti', ['10.0.0.9', '10.0.0.10']), [cls], ['10.0.0.10']), [
    { ip: '10.0.0.10' },
  ]);
  assert.deepEqual(planIngressStatus(ing('tutti', ['10.0.0.9']), [cls], []), []);
});
