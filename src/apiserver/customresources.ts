// CustomResourceDefinitions made served resources: watches the CRDs in the store, checks their names,
// registers each served version in the ResourceRegistry (so discovery, OpenAPI and the REST verbs serve it),
// and writes the NamesAccepted and Established conditions (upstream's naming and establishing controllers).
// Deleting a CRD stops serving it, deletes its objects and then drops the customresourcecleanup finalizer
// (upstream's finalizer controller). Everything is re-derived from the store on start, so CRs survive restarts.
import { type CustomResource, customResourcesOf } from '../api/crd/resources.js';
import { withImplicitFields } from '../api/crd/schema.js';
import { CLEANUP_FINALIZER, type CustomResourceDefinition } from '../api/crd/types.js';
import {
  type CustomKind,
  OBJECT_META_REF,
  type OpenAPISchema,
  customDocument,
  schemaNodeOfSchema,
} from '../api/openapi/index.js';
import { apiVersionOf } from '../api/catalog.js';
import { rfc3339 } from '../core/time.js';
import type { KubeObject } from '../core/types.js';
import { type Store, type Watch, prefixEnd } from '../storage/store.js';
import { createHash } from 'node:crypto';
import { decodeKv, keyPrefix } from './objects.js';
import { MERGE_PATCH, type ObjectPipeline } from './pipeline/index.js';
import { storageOf } from './pipeline/served.js';
import type { ServedResource } from './resources.js';

const GROUP = 'apiextensions.k8s.io';
const MANAGER = 'kube-apiserver';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export class CustomResourceDefinitions {
  private watch?: Watch;
  private readonly queue = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private readonly kinds = new Map<string, CustomKind[]>();
  private stopped = false;

  constructor(
    private readonly pipeline: ObjectPipeline,
    private readonly store: Store,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void = (msg, fields) =>
      process.stderr.write(`${JSON.stringify({ msg, ...fields })}\n`),
  ) {}

  private get crdResource(): ServedResource {
    return this.pipeline.registry.find(GROUP, 'v1', 'customresourcedefinitions')!;
  }

  /** Serves every stored CRD, then follows changes. */
  async start(): Promise<void> {
    const r = this.crdResource;
    const page = await storageOf(this.store, r).list({});
    for (const kv of page.kvs) await this.reconcile(decodeKv(kv) as unknown as CustomResourceDefinition);
    const prefix = keyPrefix({ group: r.storage.group, resource: r.storage.resource, namespaced: false });
    this.watch = this.store.watch(
      { key: prefix, end: prefixEnd(prefix), startRevision: page.revision + 1 },
      (events) => {
        for (const e of events) {
          const name = e.kv.key.slice(prefix.length);
          if (e.type === 'delete') this.enqueue(name, async () => this.unserve(name));
          else {
            const crd = decodeKv(e.kv) as unknown as CustomResourceDefinition;
            this.enqueue(name, () => this.reconcile(crd));
          }
        }
      },
      (err) => this.log('crd watch ended', { error: String(err) }),
    );
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    for (const t of this.retries.values()) clearTimeout(t);
  }

  /** Work on one CRD runs in order; work on different CRDs in parallel. */
  private enqueue(name: string, work: () => Promise<void>): void {
    const prev = this.queue.get(name) ?? Promise.resolve();
    const next = prev
      .then(work)
      .catch((err) => this.log('crd reconcile failed', { crd: name, error: String(err) }))
      .finally(() => {
        if (this.queue.get(name) === next) this.queue.delete(name);
      });
    this.queue.set(name, next);
  }

  private unserve(name: string): void {
    this.pipeline.registry.removeCustom(name);
    this.kinds.delete(name);
  }

  private async reconcile(crd: CustomResourceDefinition): Promise<void> {
    if (this.stopped) return;
    const name = crd.metadata?.name ?? '';
    if (crd.metadata?.deletionTimestamp) return this.finalize(crd);
    const conflict = this.namesConflict(crd);
    const resources = conflict ? [] : customResourcesOf(crd);
    if (!conflict) {
      this.pipeline.registry.setCustom(
        name,
        resources.map((c) => serveCustom(name, c)),
      );
      this.kinds.set(
        name,
        resources.map((c) => ({
          info: c.info,
          schema: withImplicitFields(c.schema, OBJECT_META_REF) as OpenAPISchema,
        })),
      );
    }
    let current = crd;
    if (!(crd.metadata?.finalizers ?? []).includes(CLEANUP_FINALIZER)) {
      current = (await this.pipeline.patch(
        { resource: this.crdResource, name },
        MERGE_PATCH,
        { metadata: { finalizers: [...(crd.metadata?.finalizers ?? []), CLEANUP_FINALIZER] } },
        { fieldManager: MANAGER },
      )) as unknown as CustomResourceDefinition;
    }
    await this.writeStatus(current, conditionsFor(conflict), conflict ? undefined : crd.spec.names);
  }

  /** A name another resource of the group already serves (upstream's naming controller reasons). */
  private namesConflict(crd: CustomResourceDefinition): NameConflict | undefined {
    const own = crd.metadata?.name ?? '';
    const names = crd.spec.names;
    for (const r of this.pipeline.registry.all) {
      if (r.group !== crd.spec.group || r.custom?.crd === own) continue;
      if (r.resource === names.plural)
        return { reason: 'PluralConflict', message: `"${names.plural}" is already in use` };
      const short = (names.shortNames ?? []).find((n) => r.shortNames.includes(n) || r.resource === n);
      if (short) return { reason: 'ShortNamesConflict', message: `"${short}" is already in use` };
      if (r.kind === names.kind) return { reason: 'KindConflict', message: `"${names.kind}" is already in use` };
      if (r.listKind === names.listKind)
        return { reason: 'ListKindConflict', message: `"${names.listKind}" is already in use` };
    }
    return undefined;
  }

  private async writeStatus(
    crd: CustomResourceDefinition,
    wanted: Condition[],
    accepted: CustomResourceDefinition['spec']['names'] | undefined,
    extraVersions: string[] = [],
  ): Promise<void> {
    const old = (crd.status ?? {}) as NonNullable<CustomResourceDefinition['status']>;
    const now = rfc3339(new Date());
    const conditions = mergeConditions((old.conditions ?? []) as Condition[], wanted, now);
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    const stored = [...new Set([...(old.storedVersions ?? []), ...(storage ? [storage] : []), ...extraVersions])];
    const status = {
      conditions,
      acceptedNames: accepted ?? old.acceptedNames ?? { plural: '', kind: '' },
      storedVersions: stored,
    };
    if (
      JSON.stringify(status) ===
      JSON.stringify({
        conditions: old.conditions,
        acceptedNames: old.acceptedNames,
        storedVersions: old.storedVersions,
      })
    )
      return;
    const name = crd.metadata?.name ?? '';
    await this.pipeline.patch(
      { resource: this.crdResource, name, subresource: 'status' },
      MERGE_PATCH,
      { status },
      { fieldManager: MANAGER },
    );
  }

  /** A CRD being deleted: stop serving, delete its objects, then release the finalizer. */
  private async finalize(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata?.name ?? '';
    if (!(crd.metadata?.finalizers ?? []).includes(CLEANUP_FINALIZER)) return this.unserve(name);
    // Still served while its objects go (their controllers may need to drop finalizers), but no new ones.
    const served = (
      this.pipeline.registry.customOf(name) ?? customResourcesOf(crd).map((c) => serveCustom(name, c))
    ).map((r) => ({ ...r, custom: { ...r.custom!, terminating: true } }));
    this.pipeline.registry.setCustom(name, served);
    const storageVersion = served.find((r) => r.version === r.storage.version) ?? served[0];
    let remaining = 0;
    if (storageVersion) {
      await this.writeStatus(
        crd,
        [
          {
            type: 'Terminating',
            status: 'True',
            reason: 'InstanceDeletionInProgress',
            message: 'CustomResource deletion is in progress',
          },
        ],
        undefined,
      );
      await this.pipeline.deleteCollection({ resource: storageVersion }, {}, { propagationPolicy: 'Background' });
      remaining = (await storageOf(this.store, storageVersion).list({})).kvs.length;
    }
    if (remaining > 0) {
      // Objects held by their own finalizers: look again shortly (upstream requeues too).
      clearTimeout(this.retries.get(name));
      this.retries.set(
        name,
        setTimeout(() => {
          this.retries.delete(name);
          this.enqueue(name, async () => {
            const current = await this.pipeline.get({ resource: this.crdResource, name }).catch(() => undefined);
            if (current) await this.finalize(current as unknown as CustomResourceDefinition);
          });
        }, 2000),
      );
      return;
    }
    await this.pipeline.patch(
      { resource: this.crdResource, name },
      MERGE_PATCH,
      { metadata: { finalizers: (crd.metadata?.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER) } },
      { fieldManager: MANAGER },
    );
  }

  /** `apis/<group>/<version>` of every served custom group-version (for the /openapi/v3 index). */
  openapiPaths(): string[] {
    const out = new Set<string>();
    for (const kinds of this.kinds.values()) for (const k of kinds) out.add(`apis/${k.info.group}/${k.info.version}`);
    return [...out].sort();
  }

  /** The OpenAPI v3 document of a custom group-version, or undefined when none is served there. */
  openapiDocument(path: string): { body: string; hash: string } | undefined {
    const docPath = path.replace(/^\/+|\/+$/g, '').replace(/\?.*$/, '');
    const kinds = [...this.kinds.values()].flat().filter((k) => `apis/${k.info.group}/${k.info.version}` === docPath);
    if (kinds.length === 0) return undefined;
    const body = JSON.stringify(customDocument(kinds));
    return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
  }

  /** The built-in index with the custom group-versions added. */
  openapiIndex(index: { paths: Record<string, { serverRelativeURL: string }> }): unknown {
    const paths = { ...index.paths };
    for (const p of this.openapiPaths()) {
      const doc = this.openapiDocument(p);
      if (doc) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${doc.hash}` };
    }
    return { paths };
  }
}

interface NameConflict {
  reason: string;
  message: string;
}

function conditionsFor(conflict: NameConflict | undefined): Condition[] {
  if (conflict) {
    return [
      { type: 'NamesAccepted', status: 'False', reason: conflict.reason, message: conflict.message },
      { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' },
    ];
  }
  return [
    { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    {
      type: 'Established',
      status: 'True',
      reason: 'InitialNamesAccepted',
      message: 'the initial names have been accepted',
    },
  ];
}

/** Sets each wanted condition, keeping lastTransitionTime when the status did not change. */
function mergeConditions(old: Condition[], wanted: Condition[], now: string): Condition[] {
  const out = old.map((c) => ({ ...c }));
  for (const w of wanted) {
    const i = out.findIndex((c) => c.type === w.type);
    const prev = i >= 0 ? out[i] : undefined;
    const next = { ...w, lastTransitionTime: prev && prev.status === w.status ? prev.lastTransitionTime : now };
    if (i >= 0) out[i] = next;
    else out.push(next);
  }
  return out;
}

/** A custom resource as the pipeline serves it: conversion None (only apiVersion changes) between versions. */
export function serveCustom(crd: string, c: CustomResource): ServedResource {
  const info = c.info;
  const apiVersion = apiVersionOf(info);
  const storageApiVersion = apiVersionOf({ group: info.storage.group, version: info.storage.version });
  const hasStatus = info.subresources.includes('status');
  return {
    ...info,
    apiVersion,
    defaulter: c.defaulter,
    validator: c.validator,
    table: c.table,
    converter:
      storageApiVersion === apiVersion
        ? undefined
        : {
            toStorage: (o: KubeObject) => ({ ...o, apiVersion: storageApiVersion }),
            fromStorage: (o: KubeObject) => ({ ...o, apiVersion }),
          },
    hasStatus,
    tracksGeneration: true,
    resetsStatusOnCreate: hasStatus,
    schema: schemaNodeOfSchema(withImplicitFields(c.schema, OBJECT_META_REF) as OpenAPISchema),
    custom: { crd, scale: c.scale, fields: c.fields },
  };
}
