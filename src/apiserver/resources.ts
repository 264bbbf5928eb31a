// Joins the static catalog with the policy modules: one ServedResource per served group/version/resource.
import { CATALOG, type ResourceInfo, apiVersionOf } from '../api/catalog.js';
import { converterFor } from '../api/conversion/index.js';
import { defaulterFor } from '../api/defaults/index.js';
import { fieldLabelerFor } from '../api/fields/index.js';
import type { Defaulter, FieldLabeler, TableSpec, Validator, VersionConverter } from '../api/policy.js';
import { tableFor } from '../api/printers/index.js';
import { validatorFor } from '../api/validation/index.js';

export interface ServedResource extends ResourceInfo {
  apiVersion: string;
  defaulter?: Defaulter;
  validator?: Validator;
  table?: TableSpec;
  fieldLabeler?: FieldLabeler;
  /** Present when this version is not the storage version. */
  converter?: VersionConverter;
  hasStatus: boolean;
  /** Whether spec changes bump metadata.generation (types with a spec whose controllers report observedGeneration). */
  tracksGeneration: boolean;
  /** Status is reset on create through the main resource (upstream PrepareForCreate). */
  resetsStatusOnCreate: boolean;
}

const GENERATION_GROUPS = new Set(['apps', 'batch', 'autoscaling']);

function serve(r: ResourceInfo): ServedResource {
  const isStorageVersion = r.storage.group === r.group && r.storage.version === r.version;
  return {
    ...r,
    apiVersion: apiVersionOf(r),
    defaulter: defaulterFor(r.group, r.kind),
    validator: validatorFor(r.group, r.kind),
    table: tableFor(r.group, r.kind),
    fieldLabeler: fieldLabelerFor(r.group, r.kind),
    converter: isStorageVersion ? undefined : converterFor(r.group, r.version, r.kind),
    hasStatus: r.subresources.includes('status'),
    tracksGeneration: GENERATION_GROUPS.has(r.group),
    // Nodes and namespaces keep what the creator sends (kubelets register with status).
    resetsStatusOnCreate: r.subresources.includes('status') && r.kind !== 'Node' && r.kind !== 'Namespace',
  };
}

export class ResourceRegistry {
  readonly all: ServedResource[] = CATALOG.map(serve);

  find(group: string, version: string, resource: string): ServedResource | undefined {
    return this.all.find((r) => r.group === group && r.version === version && r.resource === resource);
  }

  /** The served resource for the storage version of `r` (what other versions convert to). */
  storageOf(r: ServedResource): ServedResource {
    return this.find(r.storage.group, r.storage.version, r.storage.resource) ?? r;
  }

  versionsOf(group: string): string[] {
    return [...new Set(this.all.filter((r) => r.group === group).map((r) => r.version))];
  }
}
