// What an Established CustomResourceDefinition serves: one resource per served version with its catalog
// entry, schema, defaulter (prune + defaults), validator, Table (additionalPrinterColumns) and scale paths.
import { isPlainObject } from '../../core/json.js';
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import type { ResourceInfo } from '../catalog.js';
import type { ScalePolicy } from '../scale.js';
import type { Defaulter, TableColumn, TableSpec, Validator } from '../policy.js';
import { column, nameColumn } from '../printers/columns.js';
import { ageSince } from '../printers/duration.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/objectmeta.js';
import { isDNS1123Subdomain } from '../../core/names.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import { applyDefaults, compileValidator, prune } from './schema.js';
import type { CustomResourceColumnDefinition, CustomResourceDefinition, Schema } from './types.js';

export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** The scale subresource of a custom kind: replicas and selector at the CRD's JSON paths (simple `.a.b` paths). */
export function customScalePolicy(paths: ScalePaths): ScalePolicy {
  const spec = paths.specReplicasPath.split('.').filter((p) => p);
  const status = parseJsonPath(paths.statusReplicasPath);
  const selector = paths.labelSelectorPath ? parseJsonPath(paths.labelSelectorPath) : undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    desiredReplicas: (obj) => num(evaluateJsonPath(obj, parseJsonPath(paths.specReplicasPath))[0]),
    currentReplicas: (obj) => num(evaluateJsonPath(obj, status)[0]),
    selector: (obj) => {
      const v = selector ? evaluateJsonPath(obj, selector)[0] : undefined;
      return typeof v === 'string' ? v : '';
    },
    withReplicas(obj, replicas) {
      const out = structuredClone(obj) as Record<string, unknown>;
      let cur = out;
      for (const key of spec.slice(0, -1)) {
        if (!isPlainObject(cur[key])) cur[key] = {};
        cur = cur[key] as Record<string, unknown>;
      }
      cur[spec[spec.length - 1]!] = replicas;
      return out as KubeObject;
    },
  };
}

export interface CustomResource {
  info: ResourceInfo;
  schema: Schema;
  defaulter: Defaulter;
  validator: Validator;
  table: TableSpec;
  scale?: ScalePolicy;
  /** Field selectors: metadata.name, metadata.namespace and the version's selectableFields. */
  fields: CustomFields;
}

export interface CustomFields {
  accepted: string[];
  /** The selectable fields of an object as field-selector values (missing: ''). */
  labels(obj: KubeObject): Record<string, string>;
}

function customFields(namespaced: boolean, selectable: { jsonPath: string }[]): CustomFields {
  const paths = selectable.map((f) => ({ name: f.jsonPath.replace(/^\./, ''), path: parseJsonPath(f.jsonPath) }));
  return {
    accepted: ['metadata.name', ...(namespaced ? ['metadata.namespace'] : []), ...paths.map((p) => p.name)],
    labels(obj) {
      const out: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
      if (namespaced) out['metadata.namespace'] = obj.metadata.namespace ?? '';
      for (const p of paths) {
        const v = evaluateJsonPath(obj, p.path)[0];
        out[p.name] = v === undefined || v === null ? '' : String(v);
      }
      return out;
    },
  };
}

const VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

/** The served versions of a CRD as resources; the storage version's is the storage of all of them. */
export function customResourcesOf(crd: CustomResourceDefinition): CustomResource[] {
  const spec = crd.spec;
  const names = spec.names;
  const storageVersion = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]!.name;
  const namespaced = spec.scope === 'Namespaced';
  const served = spec.versions.filter((v) => v.served);
  // The preferred version: highest by Kubernetes version priority (v2 > v1 > v1beta1 > v1alpha1).
  const preferred = [...served].sort((a, b) => compareVersions(b.name, a.name))[0]?.name;
  return served.map((v) => {
    const schema = (v.schema?.openAPIV3Schema ?? {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    }) as Schema;
    const subresources: string[] = [];
    if (v.subresources?.status) subresources.push('status');
    if (v.subresources?.scale) subresources.push('scale');
    const info: ResourceInfo = {
      group: spec.group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      resource: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: VERBS,
      subresources,
      storage: { group: spec.group, version: storageVersion, resource: names.plural },
      preferred: v.name === preferred,
    };
    const check = compileValidator(schema);
    const validator: Validator = (obj, old) => {
      const errs: FieldError[] = validateObjectMeta(obj, { namespaced, name: isDNS1123Subdomain });
      errs.push(...check(obj));
      errs.push(...validateEmbedded(obj, schema, ''));
      if (old) errs.push(...validateObjectMetaUpdate(obj, old));
      return errs;
    };
    const defaulter: Defaulter = (obj) => {
      prune(obj, schema);
      applyDefaults(obj, schema);
    };
    const scale = v.subresources?.scale ? customScalePolicy(v.subresources.scale) : undefined;
    const fields = customFields(namespaced, v.selectableFields ?? []);
    return { info, schema, defaulter, validator, table: tableOf(v.additionalPrinterColumns ?? []), scale, fields };
  });
}

/** Embedded resources need apiVersion and kind (checked by the JSON schema) and a valid metadata. */
function validateEmbedded(v: unknown, s: Schema | undefined, path: string): FieldError[] {
  if (!s || !isPlainObject(v)) return [];
  const errs: FieldError[] = [];
  if (path !== '' && s['x-kubernetes-embedded-resource'] === true && isPlainObject(v.metadata)) {
    const name = v.metadata.name;
    if (typeof name === 'string' && name)
      for (const m of isDNS1123Subdomain(name)) errs.push(field.invalid(`${path}.metadata.name`, name, m));
  }
  for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
    if (path === '' && k === 'metadata') continue;
    errs.push(...validateEmbedded(v[k], p, path ? `${path}.${k}` : k));
  }
  return errs;
}

const VERSION_RE = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kubernetes version priority: GA > beta > alpha, then by number; non-matching names sort last by name. */
export function compareVersions(a: string, b: string): number {
  const ma = VERSION_RE.exec(a);
  const mb = VERSION_RE.exec(b);
  if (!ma || !mb) return ma ? 1 : mb ? -1 : b.localeCompare(a);
  const rank = (m: RegExpExecArray) => (m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1);
  if (rank(ma) !== rank(mb)) return rank(ma) - rank(mb);
  if (Number(ma[1]) !== Number(mb[1])) return Number(ma[1]) - Number(mb[1]);
  return Number(ma[3] ?? 0) - Number(mb[3] ?? 0);
}

const AGE: CustomResourceColumnDefinition = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** Upstream's CRD table convertor: Name, then the printer columns (Age when none are declared). */
export function tableOf(columns: CustomResourceColumnDefinition[]): TableSpec {
  const cols = columns.length > 0 ? columns : [AGE];
  const paths = cols.map((c) => parseJsonPath(c.jsonPath));
  const defs: TableColumn[] = [
    nameColumn(),
    ...cols.map((c) =>
      column(
        c.name,
        c.type as TableColumn['type'],
        c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
        {
          priority: c.priority ?? 0,
          format: c.format ?? '',
        },
      ),
    ),
  ];
  return {
    columns: defs,
    row: (obj: KubeObject, now: number) => [
      obj.metadata.name ?? '',
      ...cols.map((c, i) => {
        const values = evaluateJsonPath(obj, paths[i]!);
        if (values.length === 0) return null;
        const v = values.length === 1 ? values[0] : values;
        if (c.type === 'date' && typeof v === 'string') return ageSince(v, now);
        if (Array.isArray(v) || isPlainObject(v)) return JSON.stringify(v);
        return v;
      }),
    ],
  };
}
