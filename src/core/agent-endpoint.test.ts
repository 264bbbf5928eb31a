import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentCaPem, agentEndpoint, DEFAULT_AGENT_PORT } from './agent-endpoint.js';
import { AGENT_CA_ANNOTATION } from './well-known.js';

describe('agent endpoint of a node', () => {
  it('dials the InternalIP (else another address) on the kubelet port', () => {
    const addresses = [
      { type: 'Hostname', address: 'n1' },
      { type: 'ExternalIP', address: '203.0.113.5' },
      { type: 'InternalIP', address: '10.0.0.5' },
    ];
    assert.deepEqual(agentEndpoint({ status: { addresses, daemonEndpoints: { kubeletEndpoint: { Port: 10260 } } } }), {
      host: '10.0.0.5',
      port: 10260,
    });
    assert.deepEqual(agentEndpoint({ status: { addresses: addresses.slice(0, 2) } }), {
      host: '203.0.113.5',
      port: DEFAULT_AGENT_PORT,
    });
    assert.deepEqual(agentEndpoint({ status: { addresses: [{ type: 'Other', address: 'x' }] } }), {
      host: 'x',
      port: 10250,
    });
    assert.equal(agentEndpoint({ status: {} }), undefined);
  });

  it('reads the CA the agent published', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const node = {
      metadata: { name: 'n', annotations: { [AGENT_CA_ANNOTATION]: Buffer.from(pem).toString('base64') } },
    };
    assert.equal(agentCaPem(node), pem);
    assert.equal(agentCaPem({ metadata: { name: 'n' } }), undefined);
  });
});
