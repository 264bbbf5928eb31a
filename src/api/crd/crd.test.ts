// The CRD policy on plain objects: defaults, validation with upstream paths, the structural check, pruning,
// defaulting, schema validation messages, printer columns and version priority.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { defaultCustomResourceDefinition, validateCustomResourceDefinition } from './definition.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import { compareVersions, customResourcesOf, customScalePolicy } from './resources.js';
import { applyDefaults, compileValidator, prune } from './schema.js';
import type { CustomResourceDefinition, Schema } from './types.js';

function crd(over: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'foos.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'foos', kind: 'Foo' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } },
        },
      ],
      ...over,
    },
  };
}

const fields = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

describe('CustomResourceDefinition', () => {
  it('defaults singular, listKind and conversion; a valid CRD has no errors', () => {
    const o = crd();
    defaultCustomResourceDefinition(o);
    const spec = (o as unknown as CustomResourceDefinition).spec;
    assert.equal(spec.names.singular, 'foo');
    assert.equal(spec.names.listKind, 'FooList');
    assert.deepEqual(spec.conversion, { strategy: 'None' });
    assert.deepEqual(validateCustomResourceDefinition(o), []);
  });

  it('reports upstream paths for names, group, scope, versions and storage', () => {
    const o = crd({
      group: 'nodot',
      scope: 'Everywhere',
      versions: [
        { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
        { name: 'v1', served: false, storage: false },
      ],
    });
    defaultCustomResourceDefinition(o);
    const got = fields(validateCustomResourceDefinition(o));
    assert.ok(
      got.includes('metadata.name: Invalid value: "foos.example.com": must be spec.names.plural+"."+spec.group'),
      got.join('\n'),
    );
    assert.ok(got.includes('spec.group: Invalid value: "nodot": should be a domain with at least one dot'));
    assert.ok(got.includes('spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced"'));
    assert.ok(got.includes('spec.versions[1].name: Duplicate value: "v1"'));
    assert.ok(got.includes('spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required'));
    assert.ok(
      got.some(
        (g) =>
          g.startsWith('spec.versions: Invalid value') &&
          g.endsWith('must have exactly one version marked as storage version'),
      ),
    );
  });

  it('checks that schemas are structural and refuses CEL rules', () => {
    const o = crd({
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                metadata: { type: 'object', properties: { labels: { type: 'object' } } },
                spec: { properties: { a: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: 'true' }] },
                list: { type: 'array' },
              },
            },
          },
        },
      ],
    });
    const got = fields(validateCustomResourceDefinition(o));
    const p = 'spec.versions[0].schema.openAPIV3Schema';
    assert.ok(
      got.includes(`${p}.properties[spec].type: Required value: must not be empty for specified object fields`),
      got.join('\n'),
    );
    assert.ok(
      got.includes(
        `${p}.properties[spec].x-kubernetes-validations: Forbidden: CEL validation rules are not supported by this server`,
      ),
    );
    assert.ok(got.includes(`${p}.properties[list].items: Required value: must be specified`));
    assert.ok(
      got.some((g) =>
        g.startsWith(
          `${p}.properties[metadata]: Forbidden: must not specify anything other than name and generateName`,
        ),
      ),
    );
  });

  it('makes group and plural immutable', () => {
    const old = crd();
    const o = crd({ group: 'other.com' });
    o.metadata.name = 'foos.other.com';
    assert.ok(
      fields(validateCustomResourceDefinition(o, old)).includes(
        'spec.group: Invalid value: "other.com": field is immutable',
      ),
    );
  });
});

const SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, default: 3 },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
        mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
        port: { 'x-kubernetes-int-or-string': true },
        items: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        when: { type: 'string', format: 'date-time' },
        nullable: { type: 'string', nullable: true },
      },
    },
  },
} as Schema;

describe('custom objects against the schema', () => {
  it('prunes unknown fields, keeping apiVersion/kind/metadata and preserved subtrees', () => {
    const o = {
      apiVersion: 'x/v1',
      kind: 'Foo',
      metadata: { name: 'a' },
      top: 1,
      spec: { size: 2, bogus: true, items: [{ k: 'v', extra: 1 }], free: { any: { thing: 1 } }, labels: { a: 'b' } },
    };
    const dropped = prune(o, SCHEMA);
    assert.deepEqual(dropped.sort(), ['spec.bogus', 'spec.items[0].extra', 'top']);
    assert.deepEqual(o.spec, { size: 2, items: [{ k: 'v' }], free: { any: { thing: 1 } }, labels: { a: 'b' } });
    assert.deepEqual(o.metadata, { name: 'a' });
  });

  it('treats x-kubernetes-embedded-resource objects as objects: apiVersion/kind required, metadata kept', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            template: {
              type: 'object',
              'x-kubernetes-embedded-resource': true,
              properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
            },
          },
        },
      },
    } as Schema;
    const o = {
      metadata: { name: 'x' },
      spec: {
        template: { metadata: { name: 'inner', labels: { a: 'b' }, resourceVersion: '3' }, spec: { a: 'v', b: 1 } },
      },
    };
    assert.deepEqual(prune(o, schema), ['spec.template.spec.b']);
    assert.deepEqual(o.spec.template.metadata, { name: 'inner', labels: { a: 'b' } });
    assert.deepEqual(fields(compileValidator(schema)(o)).sort(), [
      'spec.template.apiVersion: Required value',
      'spec.template.kind: Required value',
    ]);
    const [r] = customResourcesOf(
      crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] }) as never,
    );
    const bad = {
      metadata: { name: 'x' },
      spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Not_Valid' } } },
    };
    assert.ok(
      fields(r!.validator(bad as KubeObject)).some((f) =>
        f.startsWith('spec.template.metadata.name: Invalid value: "Not_Valid"'),
      ),
    );
  });

  it('applies defaults of missing properties only', () => {
    const o: Record<string, unknown> = { spec: { size: 5 } };
    applyDefaults(o, SCHEMA);
    assert.deepEqual(o.spec, { size: 5, mode: 'a' });
  });

  it('validates with upstream messages and field paths', () => {
    const check = compileValidator(SCHEMA);
    assert.deepEqual(
      check({ metadata: { name: 'x' }, spec: { size: 1, port: 'http', nullable: null, when: '2024-01-02T03:04:05Z' } }),
      [],
    );
    const got = fields(
      check({
        metadata: { name: 'x' },
        spec: { size: 0, name: 'ABCDEFG', mode: 'c', port: true, items: [{ k: 1 }], when: 'yesterday' },
      }),
    ).sort();
    assert.deepEqual(got, [
      'spec.items[0].k: Invalid value: "integer": spec.items[0].k in body must be of type string: "integer"',
      'spec.mode: Unsupported value: "c": supported values: "a", "b"',
      'spec.name: Invalid value: "ABCDEFG": spec.name in body should match \'^[a-z]+$\'',
      'spec.name: Too long: may not be more than 5 bytes',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
      'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1',
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
    ]);
    assert.deepEqual(fields(check({ spec: {} })), ['spec.size: Required value']);
  });

  it('lets null through nullable nodes only, and sums up anyOf', () => {
    const check = compileValidator({
      type: 'object',
      properties: {
        n: { type: 'integer', nullable: true, minimum: 3 },
        m: { type: 'integer' },
        o: { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ required: ['a'] }, { required: ['b'] }] },
        p: { type: 'string', pattern: '^[\\w\\-_]+$' },
      },
    } as Schema);
    assert.deepEqual(check({ n: null, p: 'a-b_c' }), []);
    assert.deepEqual(fields(check({ n: 1, m: null, o: { c: 1 } })).sort(), [
      'm: Invalid value: "null": m in body must be of type integer: "null"',
      'n: Invalid value: 1: n in body should be greater than or equal to 3',
      'o: Invalid value: {"c":1}: o in body must validate at least one schema (anyOf)',
    ]);
  });

  it('rejects a CRD whose schema does not compile', () => {
    const o = crd({
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { s: { type: 'string', pattern: '([' } } } },
        },
      ],
    });
    defaultCustomResourceDefinition(o);
    const got = fields(validateCustomResourceDefinition(o));
    assert.equal(got.length, 1, got.join('\n'));
    assert.match(got[0]!, /^spec\.versions\[0\]\.schema\.openAPIV3Schema: Invalid value: "": .*regular expression/);
  });
});

describe('served custom resources', () => {
  it('serves every served version, the highest-priority one preferred, stored in the storage version', () => {
    const o = crd({
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        { name: 'v1alpha1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      ],
    });
    defaultCustomResourceDefinition(o);
    const rs = customResourcesOf(o as unknown as CustomResourceDefinition);
    assert.deepEqual(
      rs.map((r) => [r.info.version, r.info.preferred, r.info.storage.version]),
      [
        ['v1beta1', false, 'v1'],
        ['v1', true, 'v1'],
      ],
    );
    assert.ok(
      compareVersions('v2', 'v1') > 0 &&
        compareVersions('v1', 'v10beta1') > 0 &&
        compareVersions('v1beta2', 'v1alpha3') > 0,
    );
  });

  it('prints the Name and the printer columns (Age by default)', () => {
    const o = crd();
    const spec = (o as unknown as CustomResourceDefinition).spec;
    spec.versions[0]!.additionalPrinterColumns = [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
    ];
    defaultCustomResourceDefinition(o);
    const [r] = customResourcesOf(o as unknown as CustomResourceDefinition);
    const obj: KubeObject = {
      metadata: { name: 'x' },
      spec: { size: 4 },
      status: {
        conditions: [
          { type: 'Other', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
      },
    };
    assert.deepEqual(
      r!.table.columns.map((c) => c.name),
      ['Name', 'Ready', 'Size'],
    );
    assert.deepEqual(r!.table.row(obj, Date.now()), ['x', 'True', 4]);
    const [plain] = customResourcesOf(crd() as unknown as CustomResourceDefinition);
    const now = Date.parse('2026-01-01T00:01:00Z');
    assert.deepEqual(plain!.table.row({ metadata: { name: 'y', creationTimestamp: '2026-01-01T00:00:00Z' } }, now), [
      'y',
      '60s',
    ]);
  });

  it('reads JSON paths and scale paths', () => {
    const o = { a: { 'b.c': [1, 2, 3] } };
    assert.deepEqual(evaluateJsonPath(o, parseJsonPath("{.a['b.c'][*]}")), [1, 2, 3]);
    assert.deepEqual(evaluateJsonPath(o, parseJsonPath('.a.missing')), []);
    const scale = customScalePolicy({
      specReplicasPath: '.spec.size',
      statusReplicasPath: '.status.count',
      labelSelectorPath: '.status.sel',
    });
    const obj: KubeObject = { metadata: {}, status: { count: 2, sel: 'a=b' } };
    assert.equal(scale.desiredReplicas(obj), 0);
    assert.equal(scale.currentReplicas(obj), 2);
    assert.equal(scale.selector(obj), 'a=b');
    assert.deepEqual(scale.withReplicas(obj, 5).spec, { size: 5 });
  });
});
