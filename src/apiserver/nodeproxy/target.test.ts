import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { agentEndpoint, agentPath, parsePodSubresourcePath, pickContainer } from './target.js';

const pod = (containers: string[], annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', annotations },
  spec: { containers: containers.map((name) => ({ name })), nodeName: 'n' },
});

test('container choice follows upstream', () => {
  assert.equal(pickContainer(pod(['a']), null), 'a');
  assert.equal(pickContainer(pod(['a', 'b'], { 'kubectl.kubernetes.io/default-container': 'b' }), null), 'b');
  assert.throws(
    () => pickContainer(pod(['a', 'b']), null),
    /a container name must be specified for pod p, choose one of: \[a b\]/,
  );
  assert.throws(() => pickContainer(pod(['a']), 'x'), /container x is not valid for pod p/);
});

test('agent endpoint and paths', () => {
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n' },
    status: {
      addresses: [
        { type: 'Hostname', address: 'h' },
        { type: 'InternalIP', address: '10.0.0.2' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 1234 } },
    },
  };
  assert.deepEqual(agentEndpoint(node), { host: '10.0.0.2', port: 1234 });
  const q = new URLSearchParams('command=sh&command=-c&stdin=true&container=c&evil=1');
  assert.equal(agentPath('exec', 'ns', 'p', 'c', q), '/exec/ns/p/c?command=sh&command=-c&stdin=true');
  assert.equal(
    agentPath('log', 'ns', 'p', 'c', new URLSearchParams('follow=true&tailLines=3')),
    '/containerLogs/ns/p/c?follow=true&tailLines=3',
  );
  assert.deepEqual(parsePodSubresourcePath('/api/v1/namespaces/ns/pods/p/portforward'), {
    namespace: 'ns',
    pod: 'p',
    sub: 'portforward',
  });
  assert.equal(parsePodSubresourcePath('/api/v1/namespaces/ns/pods/p/status'), undefined);
});
