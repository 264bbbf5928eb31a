import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Service } from '../../core/types.js';
import { LbNodeAddresses } from '../shared/lb-nodes.js';
import { ENABLE_LB_LABEL, LB_ADDRESSES_ANNOTATION, ingressCurrent, lbNodeAddresses, planIngress } from './plan.js';

function node(name: string, ip: string, ready = true, extra: Partial<Node['metadata']> = {}, external?: string): Node {
  return {
    metadata: { name, ...extra },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        ...(external ? [{ type: 'ExternalIP', address: external }] : []),
      ],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  } as Node;
}

function svc(type: string, extra: Partial<Service> = {}): Service {
  return { metadata: { name: 's', namespace: 'd' }, spec: { type, ports: [{ port: 80 }] }, ...extra } as Service;
}

describe('servicelb plan', () => {
  it("Ready nodes' addresses, ExternalIP first, numerically sorted, deduplicated", () => {
    const nodes = [
      node('a', '10.0.0.10'),
      node('b', '10.0.0.9'),
      node('c', '10.0.0.11', false),
      node('d', '10.0.0.2', true, {}, '198.51.100.4'),
      node('e', '10.0.0.9'),
    ];
    assert.deepEqual(lbNodeAddresses(nodes), ['10.0.0.9', '10.0.0.10', '198.51.100.4']);
  });
  it('the addresses are recomputed only after a node change that they depend on', () => {
    const a = node('a', '10.0.0.1');
    let nodes = [a, node('b', '10.0.0.2')];
    let lists = 0;
    const lb = new LbNodeAddresses(() => {
      lists++;
      return nodes;
    });
    assert.deepEqual(lb.addresses(), ['10.0.0.1', '10.0.0.2']);
    // A heartbeat (another condition's time, an annotation) changes nothing that is read.
    const beat = { ...a, metadata: { ...a.metadata, annotations: { x: '1' }, resourceVersion: '9' } } as Node;
    assert.equal(lb.observe(a, beat), false);
    assert.deepEqual(lb.addresses(), ['10.0.0.1', '10.0.0.2']);
    assert.equal(lists, 1);
    const notReady = node('a', '10.0.0.1', false);
    nodes = [notReady, nodes[1]!];
    assert.equal(lb.observe(beat, notReady), true);
    assert.deepEqual(lb.addresses(), ['10.0.0.2']);
    assert.equal(lists, 2);
    for (const [old, next] of [
      [undefined, node('c', '10.0.0.3')],
      [nodes[1], undefined],
      [nodes[1], node('b', '10.0.0.7')],
      [nodes[1], node('b', '10.0.0.2', true, { labels: { [ENABLE_LB_LABEL]: 'true' } })],
      [nodes[1], node('b', '10.0.0.2', true, { deletionTimestamp: '2026-01-01T00:00:00Z' })],
    ] as const)
      assert.equal(lb.observe(old, next), true);
  });
  it('the handlers tell of a change exactly when the addresses change, without a pass over the nodes per event', () => {
    const nodes: Node[] = [];
    let lists = 0;
    const lb = new LbNodeAddresses(() => {
      lists++;
      return nodes;
    });
    let changes = 0;
    let seen = '';
    const h = lb.handlers(() => {
      changes++;
      const now = lb.addresses().join(',');
      assert.notEqual(now, seen, 'a change the addresses do not show');
      seen = now;
    });
    const ip = (i: number) => `10.1.${i >> 8}.${i & 255}`;
    for (let i = 0; i < 1000; i++) {
      nodes.push(node(`n${i}`, ip(i), false));
      h.onAdd(nodes[i]!);
    }
    assert.equal(changes, 0, 'nodes not Ready serve nothing');
    for (let i = 0; i < 1000; i++) {
      // As an informer: the cache holds the new object when the handler runs.
      const old = nodes[i]!;
      nodes[i] = node(`n${i}`, ip(i));
      h.onUpdate(old, nodes[i]!);
    }
    assert.equal(changes, 1000);
    // Only the handler's own reads listed the nodes: one per change.
    assert.equal(lists, 1000);
    // A second node on an address already served, and its delete, change nothing.
    const twin = node('twin', ip(0));
    nodes.push(twin);
    h.onAdd(twin);
    nodes.pop();
    h.onDelete(twin);
    assert.equal(changes, 1000);
    // The label narrows to the labelled node, a second labelled node widens it, and removing both labels restores all.
    const label = { labels: { [ENABLE_LB_LABEL]: 'true' } };
    for (const i of [5, 7]) {
      const old = nodes[i]!;
      nodes[i] = node(`n${i}`, ip(i), true, label);
      h.onUpdate(old, nodes[i]!);
    }
    assert.equal(changes, 1002);
    assert.deepEqual(lb.addresses(), [ip(5), ip(7)]);
    for (const i of [5, 7]) {
      const old = nodes[i]!;
      nodes[i] = node(`n${i}`, ip(i));
      h.onUpdate(old, nodes[i]!);
    }
    assert.equal(changes, 1004);
    assert.deepEqual(lb.addresses(), lbNodeAddresses(nodes));
    assert.equal(lb.addresses().length, 1000);
  });
  it('the enablelb label narrows the nodes once any node has it', () => {
    const nodes = [node('a', '10.0.0.1', true, { labels: { [ENABLE_LB_LABEL]: 'true' } }), node('b', '10.0.0.2')];
    assert.deepEqual(lbNodeAddresses(nodes), ['10.0.0.1']);
  });
  it('LoadBalancer Services get the nodes, other types and other classes are left alone', () => {
    assert.deepEqual(planIngress(svc('LoadBalancer'), ['10.0.0.1']).ingress, [{ ip: '10.0.0.1' }]);
    assert.equal(planIngress(svc('ClusterIP'), ['10.0.0.1']).ingress, undefined);
    const classed = svc('LoadBalancer');
    classed.spec!.loadBalancerClass = 'example.com/other';
    assert.equal(planIngress(classed, ['10.0.0.1']).ingress, undefined);
  });
  it('a Service changed away from LoadBalancer loses its ingress', () => {
    const s = svc('ClusterIP', { status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } });
    assert.deepEqual(planIngress(s, ['10.0.0.1']).ingress, []);
    assert.equal(ingressCurrent(s, planIngress(s, [])), false);
  });
  it('an address pool annotation wins over the nodes', () => {
    const s = svc('LoadBalancer');
    s.metadata.annotations = { [LB_ADDRESSES_ANNOTATION]: '192.0.2.5, bogus,192.0.2.6' };
    assert.deepEqual(planIngress(s, ['10.0.0.1']).ingress, [{ ip: '192.0.2.5' }, { ip: '192.0.2.6' }]);
  });
  it('current when the status holds the same addresses in order', () => {
    const s = svc('LoadBalancer', { status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } });
    assert.equal(ingressCurrent(s, planIngress(s, ['10.0.0.1'])), true);
    assert.equal(ingressCurrent(s, planIngress(s, ['10.0.0.1', '10.0.0.2'])), false);
  });
});
