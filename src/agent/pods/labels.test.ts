// The container spec hash lives in container labels and is compared after an agent restart (adoption):
// if it changed across versions, a restarted agent would restart every container it adopts. These pins
// were computed by the agent before it moved to core's stableJson; they must never change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stableJson } from '../../core/json.js';
import type { Container } from '../../core/types.js';
import { containerSpecHash } from './labels.js';

const SPECS: Record<string, { spec: Container; hash: string }> = {
  minimal: { spec: { name: 'a', image: 'busybox' }, hash: '5b4b0e9928cd2a4f' },
  full: {
    spec: {
      name: 'web',
      image: 'docker.io/library/nginx:1.27',
      command: ['sh', '-c'],
      args: ['echo $(A) && sleep 3600'],
      workingDir: '/work',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
        { name: 'C', valueFrom: { fieldRef: { fieldPath: 'status.podIP', apiVersion: 'v1' } } },
      ],
      envFrom: [{ prefix: 'P_', configMapRef: { name: 'cm' } }, { secretRef: { name: 'sec', optional: false } }],
      ports: [
        { name: 'http', containerPort: 80, protocol: 'TCP' },
        { containerPort: 53, protocol: 'UDP', hostPort: 5353, hostIP: '127.0.0.1' },
      ],
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: 'x' }],
      securityContext: { runAsUser: 1000, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 0 },
      tty: true,
      stdin: false,
      resources: { limits: { cpu: '500m' } },
      livenessProbe: { httpGet: { port: 80 } },
      lifecycle: { preStop: { sleep: { seconds: 1 } } },
    },
    hash: 'c44e91c0b351bdec',
  },
  unicode: {
    spec: {
      name: 'ü',
      image: 'x',
      env: [
        { name: 'Z', value: 'é\u2028"\\\n' },
        { name: 'a', value: '' },
      ],
      args: [],
      command: undefined,
    },
    hash: '49f865062983c4f1',
  },
  defaulted: {
    spec: {
      name: 'app',
      image: 'busybox:1.36',
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
      command: ['sleep', '3600'],
      ports: [],
    },
    hash: 'e28afb4ea9a59a69',
  },
};

/** The stable JSON labels.ts used before core's: kept here as the reference core must match byte for byte. */
function formerLabelsStableJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(formerLabelsStableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${formerLabelsStableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

test('container spec hashes stay what earlier agents wrote into container labels', () => {
  for (const [name, { spec, hash }] of Object.entries(SPECS)) assert.equal(containerSpecHash(spec), hash, name);
});

test("core's stableJson prints container specs exactly as labels.ts's former copy did", () => {
  const samples: unknown[] = [
    ...Object.values(SPECS).map((s) => s.spec),
    undefined,
    null,
    [undefined, null, 1, 'a'],
    { b: 1, a: { d: [{ z: 1, y: undefined }], c: null }, B: true, '': 0, é: -0.5 },
  ];
  for (const v of samples) assert.equal(stableJson(v), formerLabelsStableJson(v));
});
