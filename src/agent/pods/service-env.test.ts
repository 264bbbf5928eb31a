import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service, ServicePort } from '../../core/types.js';
import { serviceEnvVars } from './service-env.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: ServicePort[]): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports },
});

const services: Service[] = [
  svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('app', 'backend-api', '10.43.0.20', [
    { port: 80, protocol: 'TCP' },
    { name: 'metrics', port: 9090 },
    { name: 'dns', port: 53, protocol: 'UDP' },
  ]),
  svc('app', 'headless', 'None', [{ port: 80 }]),
  svc('app', 'noip', '', [{ port: 80 }]),
  svc('other', 'elsewhere', '10.43.0.30', [{ port: 80 }]),
];

test('docker-link variables for the namespace, plus the kubernetes service (upstream FromServices)', () => {
  const env = Object.fromEntries(serviceEnvVars(services, 'app', true));
  assert.deepEqual(env, {
    KUBERNETES_SERVICE_HOST: '10.43.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.43.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.43.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.43.0.1',
    BACKEND_API_SERVICE_HOST: '10.43.0.20',
    BACKEND_API_SERVICE_PORT: '80',
    BACKEND_API_SERVICE_PORT_METRICS: '9090',
    BACKEND_API_SERVICE_PORT_DNS: '53',
    BACKEND_API_PORT: 'tcp://10.43.0.20:80',
    BACKEND_API_PORT_80_TCP: 'tcp://10.43.0.20:80',
    BACKEND_API_PORT_80_TCP_PROTO: 'tcp',
    BACKEND_API_PORT_80_TCP_PORT: '80',
    BACKEND_API_PORT_80_TCP_ADDR: '10.43.0.20',
    BACKEND_API_PORT_9090_TCP: 'tcp://10.43.0.20:9090',
    BACKEND_API_PORT_9090_TCP_PROTO: 'tcp',
    BACKEND_API_PORT_9090_TCP_PORT: '9090',
    BACKEND_API_PORT_9090_TCP_ADDR: '10.43.0.20',
    BACKEND_API_PORT_53_UDP: 'udp://10.43.0.20:53',
    BACKEND_API_PORT_53_UDP_PROTO: 'udp',
    BACKEND_API_PORT_53_UDP_PORT: '53',
    BACKEND_API_PORT_53_UDP_ADDR: '10.43.0.20',
  });
});

test('enableServiceLinks: false leaves only the kubernetes service', () => {
  const env = serviceEnvVars(services, 'app', false);
  assert.ok(
    [...env.keys()].every((k) => k.startsWith('KUBERNETES_')),
    [...env.keys()].join(','),
  );
  assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '10.43.0.1');
});

test('a pod in default sees its namespace services and the master service once', () => {
  const env = serviceEnvVars([...services, svc('default', 'web', '10.43.0.40', [{ port: 8080 }])], 'default', true);
  assert.equal(env.get('WEB_PORT'), 'tcp://10.43.0.40:8080');
  assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');
  assert.equal(env.get('BACKEND_API_SERVICE_HOST'), undefined);
});

test('IPv6 cluster IPs are bracketed in URLs', () => {
  const env = serviceEnvVars([svc('app', 'v6', 'fd00::10', [{ port: 80 }])], 'app', true);
  assert.equal(env.get('V6_PORT'), 'tcp://[fd00::10]:80');
  assert.equal(env.get('V6_PORT_80_TCP_ADDR'), 'fd00::10');
});
