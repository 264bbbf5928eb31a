// Test helper: SchemaNodes from compact literals, and a Deployment-like schema shaped as the built-in one.
import type { SchemaNode, SchemaType } from '../schema.js';

export type SchemaLiteral =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'int-or-string'
  | 'any'
  | { object: Record<string, SchemaLiteral>; mapType?: 'atomic'; patchStrategy?: string }
  | { map: SchemaLiteral }
  | {
      array: SchemaLiteral;
      listType?: 'atomic' | 'set' | 'map';
      keys?: string[];
      patchStrategy?: string;
      patchMergeKey?: string;
    };

export function schemaOf(lit: SchemaLiteral): SchemaNode {
  if (typeof lit === 'string') return node(lit as SchemaType, {});
  if ('object' in lit) {
    const fields = new Map(Object.entries(lit.object).map(([k, v]) => [k, schemaOf(v)]));
    return {
      ...node('object', {}),
      field: (name) => fields.get(name),
      fieldNames: () => [...fields.keys()],
      ...(lit.mapType ? { mapType: lit.mapType } : {}),
      ...(lit.patchStrategy ? { patchStrategy: lit.patchStrategy } : {}),
    };
  }
  if ('map' in lit) {
    const items = schemaOf(lit.map);
    return { ...node('map', {}), items: () => items };
  }
  const items = schemaOf(lit.array);
  return {
    ...node('array', {}),
    items: () => items,
    ...(lit.listType ? { listType: lit.listType } : {}),
    ...(lit.keys ? { listMapKeys: lit.keys } : {}),
    ...(lit.patchStrategy ? { patchStrategy: lit.patchStrategy } : {}),
    ...(lit.patchMergeKey ? { patchMergeKey: lit.patchMergeKey } : {}),
  };
}

function node(type: SchemaType, extra: Partial<SchemaNode>): SchemaNode {
  return { type, field: () => undefined, fieldNames: () => [], items: () => undefined, ...extra };
}

const objectMeta: SchemaLiteral = {
  object: {
    name: 'string',
    namespace: 'string',
    uid: 'string',
    resourceVersion: 'string',
    generation: 'integer',
    creationTimestamp: 'string',
    labels: { map: 'string' },
    annotations: { map: 'string' },
    finalizers: { array: 'string', patchStrategy: 'merge' },
    managedFields: { array: 'any', listType: 'atomic' },
  },
};

const container: SchemaLiteral = {
  object: {
    name: 'string',
    image: 'string',
    args: { array: 'string' },
    // Built-in style: SMP tags only, no list-type (server-side apply falls back to the merge key).
    env: {
      array: { object: { name: 'string', value: 'string' } },
      patchStrategy: 'merge',
      patchMergeKey: 'name',
    },
    ports: {
      array: { object: { containerPort: 'integer', protocol: 'string', name: 'string' } },
      listType: 'map',
      keys: ['containerPort', 'protocol'],
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
    },
    resources: { object: { limits: { map: 'int-or-string' }, requests: { map: 'int-or-string' } } },
  },
};

/** apps/v1 Deployment, reduced to the fields the tests touch. */
export const deploymentSchema: SchemaNode = schemaOf({
  object: {
    apiVersion: 'string',
    kind: 'string',
    metadata: objectMeta,
    spec: {
      object: {
        replicas: 'integer',
        paused: 'boolean',
        selector: {
          object: { matchLabels: { map: 'string' }, matchExpressions: { array: 'any' } },
          mapType: 'atomic',
        },
        strategy: {
          object: {
            type: 'string',
            rollingUpdate: { object: { maxSurge: 'int-or-string', maxUnavailable: 'int-or-string' } },
          },
          patchStrategy: 'retainKeys',
        },
        template: {
          object: {
            metadata: objectMeta,
            spec: {
              object: {
                containers: {
                  array: container,
                  listType: 'map',
                  keys: ['name'],
                  patchStrategy: 'merge',
                  patchMergeKey: 'name',
                },
                nodeSelector: { map: 'string' },
                tolerations: { array: { object: { key: 'string', operator: 'string' } }, listType: 'atomic' },
              },
            },
          },
        },
      },
    },
    status: {
      object: {
        replicas: 'integer',
        observedGeneration: 'integer',
        conditions: { array: { object: { type: 'string', status: 'string' } }, listType: 'map', keys: ['type'] },
      },
    },
  },
});

/** A kubectl-shaped Deployment. */
export function deployment(overrides: { replicas?: number; image?: string; labels?: Record<string, string> } = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: overrides.labels ?? { app: 'web' } },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'nginx', image: overrides.image ?? 'nginx:1.25', ports: [{ containerPort: 80 }] }],
        },
      },
    },
  };
}
