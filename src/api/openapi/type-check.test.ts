import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaLookup } from './schema-node.js';
import { decodeTypeError } from './type-check.js';

const deployment = schemaLookup('apps', 'v1', 'Deployment')!;
const pod = schemaLookup('', 'v1', 'Pod')!;
const configMap = schemaLookup('', 'v1', 'ConfigMap')!;

function deploy(spec: Record<string, unknown>): unknown {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec };
}

describe('typed decoding against the kind schema (Go json.UnmarshalTypeError)', () => {
  it('accepts well-typed objects, nulls and unknown fields', () => {
    assert.equal(
      decodeTypeError(
        deploy({ replicas: 3, selector: { matchLabels: { a: 'b' } }, paused: null, bogus: 1 }),
        deployment,
      ),
      undefined,
    );
    assert.equal(
      decodeTypeError(
        {
          metadata: { name: 'p', labels: { a: 'b' }, creationTimestamp: '2026-12-01T00:00:00Z' },
          spec: {
            containers: [
              {
                name: 'c',
                ports: [{ containerPort: 80 }],
                resources: { requests: { cpu: '100m', memory: 1024 } },
                livenessProbe: { httpGet: { port: 'http' } },
              },
            ],
          },
        },
        pod,
      ),
      undefined,
    );
  });
  const replicas: Array<[unknown, string]> = [
    ['3', 'string'],
    [1.5, 'number 1.5'],
    [true, 'bool'],
    [{}, 'object'],
    [[1], 'array'],
    [1e308, 'number 1e+308'],
    [2147483648, 'number 2147483648'],
  ];
  for (const [value, shown] of replicas) {
    it(`replicas: ${JSON.stringify(value)}`, () => {
      assert.equal(
        decodeTypeError(deploy({ replicas: value }), deployment),
        `json: cannot unmarshal ${shown} into Go struct field DeploymentSpec.spec.replicas of type int32`,
      );
    });
  }
  it('structs, lists and maps name the innermost struct and the full field path', () => {
    assert.equal(
      decodeTypeError(deploy({ selector: 7 }), deployment),
      'json: cannot unmarshal number into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector',
    );
    assert.equal(
      decodeTypeError({ metadata: {}, data: { k: 5 } }, configMap),
      'json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    );
    assert.equal(
      decodeTypeError({ metadata: {}, spec: { containers: {} } }, pod),
      'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    );
    assert.equal(
      decodeTypeError({ metadata: {}, spec: { tolerations: -1, containers: [] } }, pod),
      'json: cannot unmarshal number into Go struct field PodSpec.spec.tolerations of type []v1.Toleration',
    );
    assert.equal(
      decodeTypeError({ metadata: {}, spec: { containers: [{ name: 'c', ports: [{ containerPort: 'x' }] }] } }, pod),
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
    assert.equal(
      decodeTypeError({ metadata: { labels: { a: 1 } } }, configMap),
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
    assert.equal(
      decodeTypeError({ metadata: { name: 5 } }, configMap),
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string',
    );
    assert.equal(decodeTypeError([], configMap), 'json: cannot unmarshal array into Go value of type v1.ConfigMap');
  });
  it('int-or-string, quantities and times', () => {
    assert.equal(
      decodeTypeError(deploy({ strategy: { rollingUpdate: { maxSurge: 1.5 } } }), deployment),
      'json: cannot unmarshal number 1.5 into Go value of type int32',
    );
    assert.equal(decodeTypeError(deploy({ strategy: { rollingUpdate: { maxSurge: '25%' } } }), deployment), undefined);
    assert.match(
      decodeTypeError(
        { metadata: {}, spec: { containers: [{ name: 'c', resources: { limits: { cpu: 'lots' } } }] } },
        pod,
      ) ?? '',
      /^quantities must match the regular expression/,
    );
    assert.match(
      decodeTypeError({ metadata: { creationTimestamp: 'yesterday' } }, configMap) ?? '',
      /^parsing time "yesterday"/,
    );
  });
});
