// Joins the static catalog with the policy modules: one ServedResource per served group/version/resource.
import { CATALOG, type ResourceInfo, apiVersionOf } from '../api/catalog.js';
import { converterFor } from '../api/conversion/index.js';
import { defaulterFor } from '../api/defaults/index.js';
import { fieldLabelerFor } from '../api/fields/index.js';
import type { Defaulter, FieldLabeler, TableSpec, Validator, VersionConverter } from '../api/policy.js';
import { tableFor } from '../api/printers/index.js';
import { validatorFor } from '../api/validation/index.js';
import { schemaLookup } from '../api/openapi/index.js';
import type { CustomFields } from '../api/crd/resources.js';
import type { ScalePolicy } from '../api/scale.js';
import type { SchemaNode } from '../apimachinery/schema.js';

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
  /** The schema of a custom resource (built-in kinds use the OpenAPI bundle through `schemaFor`). */
  schema?: SchemaNode;
  /** Set for resources a CustomResourceDefinition serves (src/apiserver/customresources.ts). */
  custom?: {
    crd: string;
    /** The scale subresource at the CRD's replica and selector paths. */
    scale?: ScalePolicy;
    /** Field selectors of the version (metadata.name/namespace and its selectableFields). */
    fields?: CustomFields;
    /** The CRD is being deleted: its objects are served until they are gone, but none may be created. */
    terminating?: boolean;
  };
}

/** The SchemaNode of a served resource's objects: a custom resource's own, else the built-in definition. */
export function schemaFor(r: ServedResource): SchemaNode | undefined {
  return r.schema ?? schemaLookup(r.group, r.version, r.kind);
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
  private readonly builtin: ServedResource[] = CATALOG.map(serve);
  /** Resources of CustomResourceDefinitions, by CRD name. */
  private readonly custom = new Map<string, ServedResource[]>();
  private combined?: ServedResource[];

  get all(): ServedResource[] {
    this.combined ??= [...this.builtin, ...[...this.custom.values()].flat()];
    return this.combined;
  }

  /** Serves (or re-serves) the resources of one CRD. */
  setCustom(crd: string, resources: ServedResource[]): void {
    this.custom.set(crd, resources);
    this.combined = undefined;
  }

  removeCustom(crd: string): void {
    if (this.custom.delete(crd)) this.combined = undefined;
  }

  customOf(crd: string): ServedResource[] | undefined {
    return this.custom.get(crd);
  }

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
