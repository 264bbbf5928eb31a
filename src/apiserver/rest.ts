// The REST verbs on one served resource: get, list, create, update, patch, delete, deletecollection,
// and the status subresource. Subresources with their own meaning (scale, binding, eviction) live in
// subresources.ts; watch in watch.ts.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { convertFieldSelector, selectableFields } from '../api/fields/index.js';
import { schemaLookup, unknownFields } from '../api/openapi/index.js';
import type { KubeObject } from '../core/types.js';
import { isPlainObject } from '../core/json.js';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  serverSideApply,
  updateManagedFields,
} from '../apimachinery/patch/index.js';
import {
  type FieldSelector,
  type LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '../core/selectors/index.js';
import { type FieldError, StatusError, errors, field } from '../core/status.js';
import type { Store } from '../storage/store.js';
import type { Admission } from './admission.js';
import { decodeBody, mediaType, readBody } from './body.js';
import { ObjectStorage, decodeKv, withResourceVersion } from './objects.js';
import type { ResourceRequest } from './requestinfo.js';
import type { ResourceRegistry, ServedResource } from './resources.js';
import { TABLE_CONTENT_TYPE, outputForm, sendJson } from './response.js';
import { tableOf } from './table.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  info: ResourceRequest;
  resource: ServedResource;
  /** Warnings to send as `Warning:` headers. */
  warnings: string[];
}

export interface RestDeps {
  store: Store;
  registry: ResourceRegistry;
  admission: Admission;
  now: () => Date;
}

const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_PATCH_RETRIES = 5;

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)];
  return s;
}

export function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function managerFrom(req: IncomingMessage, query: URLSearchParams): string {
  const m = query.get('fieldManager');
  if (m) return m;
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0] || 'unknown';
}

export class RestHandlers {
  constructor(private readonly deps: RestDeps) {}

  storageFor(r: ServedResource): ObjectStorage {
    return new ObjectStorage(this.deps.store, {
      group: r.storage.group,
      resource: r.storage.resource,
      namespaced: r.namespaced,
    });
  }

  /** Converts a stored object to the served version. */
  toServed(r: ServedResource, obj: KubeObject): KubeObject {
    return r.converter ? r.converter.fromStorage(obj) : obj;
  }

  toStorage(r: ServedResource, obj: KubeObject): KubeObject {
    return r.converter ? r.converter.toStorage(obj) : obj;
  }

  /** The stored object in the served version, or a 404. */
  async mustGet(
    r: ServedResource,
    namespace: string | undefined,
    name: string,
  ): Promise<{ obj: KubeObject; rev: number }> {
    const kv = await this.storageFor(r).getKv(namespace, name);
    if (!kv) throw errors.notFound(r.group, r.resource, name);
    return { obj: this.toServed(r, decodeKv(kv)), rev: kv.modRevision };
  }

  // ---- reads ----

  async get(ctx: RequestContext): Promise<void> {
    const r = ctx.resource;
    const name = ctx.info.name!;
    const kv = await this.storageFor(r).getKv(ctx.info.namespace, name);
    if (!kv) throw errors.notFound(r.group, r.resource, name);
    const form = outputForm(ctx.req, ctx.query);
    if (form.kind === 'table') {
      const obj = this.toServed(r, decodeKv(kv));
      sendJson(ctx.res, 200, tableOf(r, [obj], form.include, String(kv.modRevision), Date.now()), TABLE_CONTENT_TYPE);
      return;
    }
    if (!r.converter) sendJson(ctx.res, 200, withResourceVersion(kv.value, kv.modRevision));
    else sendJson(ctx.res, 200, this.toServed(r, decodeKv(kv)));
  }

  selectors(ctx: RequestContext): { labels?: LabelSelector; fields?: FieldSelector } {
    const out: { labels?: LabelSelector; fields?: FieldSelector } = {};
    const ls = ctx.query.get('labelSelector');
    if (ls) out.labels = parseLabelSelector(ls);
    const fs = ctx.query.get('fieldSelector');
    if (fs) out.fields = convertFieldSelector(ctx.resource.group, ctx.resource.kind, parseFieldSelector(fs));
    return out;
  }

  matcher(
    r: ServedResource,
    sel: { labels?: LabelSelector; fields?: FieldSelector },
  ): ((o: KubeObject) => boolean) | undefined {
    if (!sel.labels && !sel.fields) return undefined;
    return (o) => {
      if (sel.labels && !sel.labels.matches(o.metadata.labels ?? {})) return false;
      if (sel.fields && !sel.fields.matches(selectableFields(r.group, r.kind, o, r.namespaced))) return false;
      return true;
    };
  }

  async list(ctx: RequestContext): Promise<void> {
    const r = ctx.resource;
    const q = ctx.query;
    const sel = this.selectors(ctx);
    const match = this.matcher(r, sel);
    const limit = Number(q.get('limit') ?? '0') || 0;
    let revision = 0;
    let startKey: string | undefined;
    const cont = q.get('continue');
    if (cont) {
      try {
        const token = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as { rv: number; start: string };
        revision = token.rv;
        startKey = token.start;
      } catch {
        throw errors.badRequest('continue key is not valid: illegal base64 data');
      }
    }
    const storage = this.storageFor(r);
    const items: string[] = [];
    const objs: KubeObject[] = [];
    const form = outputForm(ctx.req, q);
    const needObjects = form.kind === 'table' || !!match || !!r.converter;
    let nextKey: string | undefined;
    let remaining: number | undefined;
    let listRev = revision;
    // Fetch pages until `limit` matching items are found (selectors filter after the range read).
    for (;;) {
      const page = await storage.list({
        namespace: ctx.info.namespace,
        startKey,
        revision,
        limit: limit ? limit - (needObjects ? objs.length : items.length) : 0,
      });
      if (!listRev) listRev = page.revision;
      revision = listRev;
      for (const kv of page.kvs) {
        if (needObjects) {
          const o = this.toServed(r, decodeKv(kv));
          if (!match || match(o)) objs.push(o);
        } else {
          items.push(withResourceVersion(kv.value, kv.modRevision));
        }
      }
      nextKey = page.nextKey;
      remaining = page.remaining;
      const have = needObjects ? objs.length : items.length;
      if (!nextKey || !limit || have >= limit) break;
      startKey = nextKey;
    }
    const meta: Record<string, unknown> = { resourceVersion: String(listRev) };
    if (nextKey) {
      meta.continue = Buffer.from(JSON.stringify({ rv: listRev, start: nextKey })).toString('base64url');
      if (!match && remaining !== undefined) meta.remainingItemCount = remaining;
    }
    if (form.kind === 'table') {
      const table = tableOf(r, objs, form.include, String(listRev), Date.now());
      table.metadata = meta;
      sendJson(ctx.res, 200, table, TABLE_CONTENT_TYPE);
      return;
    }
    const head = `{"kind":${JSON.stringify(r.listKind)},"apiVersion":${JSON.stringify(r.apiVersion)},"metadata":${JSON.stringify(meta)},"items":[`;
    const body = needObjects ? objs.map((o) => JSON.stringify(o)).join(',') : items.join(',');
    sendJson(ctx.res, 200, `${head}${body}]}`);
  }

  // ---- writes ----

  /** Decodes a body into an object of this resource, with strict field validation. */
  async readObject(ctx: RequestContext): Promise<KubeObject> {
    const buf = await readBody(ctx.req);
    const value = decodeBody(buf, ctx.req.headers['content-type']);
    return this.checkObject(ctx, value);
  }

  checkObject(ctx: RequestContext, value: unknown): KubeObject {
    const r = ctx.resource;
    if (!isPlainObject(value))
      throw errors.badRequest("Object 'Kind' is missing in the request body: expected an object");
    const obj = value as KubeObject;
    if (obj.kind !== undefined && obj.kind !== r.kind) {
      throw errors.badRequest(
        `the kind of the object in the request (${String(obj.kind)}) does not match the expected kind (${r.kind})`,
      );
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== r.apiVersion) {
      throw errors.badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${r.apiVersion})`,
      );
    }
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (!isPlainObject(obj.metadata)) throw errors.badRequest('metadata must be an object');
    checkMetadataTypes(obj.metadata as Record<string, unknown>);
    obj.apiVersion = r.apiVersion;
    obj.kind = r.kind;
    this.validateFields(ctx, obj);
    return obj;
  }

  validateFields(ctx: RequestContext, obj: KubeObject): void {
    const mode = ctx.query.get('fieldValidation') ?? 'Warn';
    if (mode === 'Ignore') return;
    const schema = schemaLookup(ctx.resource.group, ctx.resource.version, ctx.resource.kind);
    if (!schema) return;
    const unknown = unknownFields(obj, schema);
    if (unknown.length === 0) return;
    if (mode === 'Strict') {
      const msg = unknown.map((f) => `unknown field "${f}"`).join(', ');
      throw errors.badRequest(`strict decoding error: ${msg}`);
    }
    for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  }

  checkNamespaceMatch(ctx: RequestContext, obj: KubeObject): void {
    const r = ctx.resource;
    if (!r.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    const ns = ctx.info.namespace;
    if (!ns) throw errors.badRequest('the namespace of the object must be given in the request path');
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = ns;
  }

  validate(r: ServedResource, obj: KubeObject, old?: KubeObject): void {
    const errs: FieldError[] = r.validator ? r.validator(obj, old) : [];
    if (!r.validator && !obj.metadata.name)
      errs.push(field.required('metadata.name', 'name or generateName is required'));
    if (errs.length > 0) throw errors.invalid(r.group, r.kind, obj.metadata.name ?? '', errs);
  }

  async create(ctx: RequestContext): Promise<void> {
    const obj = await this.readObject(ctx);
    const out = await this.createObject(ctx, obj, managerFrom(ctx.req, ctx.query));
    if (ctx.query.get('dryRun')) {
      sendJson(ctx.res, 201, out);
      return;
    }
    sendJson(ctx.res, 201, out);
  }

  /** The create pipeline, shared by POST and by server-side apply of a missing object. */
  async createObject(
    ctx: RequestContext,
    obj: KubeObject,
    manager: string,
    managed?: (o: KubeObject) => KubeObject,
  ): Promise<KubeObject> {
    const r = ctx.resource;
    this.checkNamespaceMatch(ctx, obj);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (ctx.info.name && meta.name && meta.name !== ctx.info.name && ctx.info.subresource === undefined) {
      throw errors.badRequest('the name of the object does not match the name on the URL');
    }
    await this.deps.admission.checkNamespace(r, meta.namespace);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.deps.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (r.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    if (r.resetsStatusOnCreate) delete obj.status;
    r.defaulter?.(obj);
    if (meta.name) await this.deps.admission.admitCreate(r, obj);
    this.validate(r, obj);
    let toStore = managed ? managed(obj) : obj;
    if (!managed) {
      toStore = updateManagedFields({
        old: undefined,
        updated: obj,
        manager,
        apiVersion: r.apiVersion,
        now: meta.creationTimestamp,
        schema: schemaLookup(r.group, r.version, r.kind),
      });
    }
    if (ctx.query.get('dryRun') === 'All') return toStore;
    const kv = await this.storageFor(r).create(this.toStorage(r, toStore));
    if (!kv) {
      await this.deps.admission.afterDelete(r, toStore);
      throw errors.alreadyExists(r.group, r.resource, meta.name!);
    }
    return this.toServed(r, decodeKv(kv));
  }

  async update(ctx: RequestContext): Promise<void> {
    const r = ctx.resource;
    const obj = await this.readObject(ctx);
    const name = ctx.info.name!;
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
    this.checkNamespaceMatch(ctx, obj);
    const manager = managerFrom(ctx.req, ctx.query);
    const existing = await this.storageFor(r).getKv(ctx.info.namespace, name);
    if (!existing) {
      // PUT to a missing object creates it for the kinds upstream allows (most of them).
      if (ctx.info.subresource) throw errors.notFound(r.group, r.resource, name);
      const created = await this.createObject(ctx, obj, manager);
      sendJson(ctx.res, 201, created);
      return;
    }
    const old = this.toServed(r, decodeKv(existing));
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== String(existing.modRevision)) {
      throw errors.conflict(
        r.group,
        r.resource,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const out = await this.writeUpdate(ctx, old, existing.modRevision, obj, manager);
    sendJson(ctx.res, 200, out);
  }

  /**
   * The update pipeline: merge with the old object as the subresource demands, default, validate, bump
   * generation, track managed fields, CAS-write; deletes the object when its last finalizer goes.
   */
  async writeUpdate(
    ctx: RequestContext,
    old: KubeObject,
    oldRev: number,
    incoming: KubeObject,
    manager: string,
    managed?: (o: KubeObject) => KubeObject,
    opts: { binding?: boolean } = {},
  ): Promise<KubeObject> {
    const r = ctx.resource;
    const sub = ctx.info.subresource;
    let obj: KubeObject;
    if (sub === 'status') {
      // Status writes change only status (and nothing of metadata but labels/annotations churn is ignored).
      obj = clone(old);
      obj.status = incoming.status;
    } else if (sub === 'finalize' && r.kind === 'Namespace') {
      obj = clone(old);
      obj.spec = incoming.spec;
    } else {
      obj = incoming;
      if (r.hasStatus) obj.status = clone(old.status);
    }
    const meta = obj.metadata;
    const oldMeta = old.metadata;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    meta.name = oldMeta.name;
    meta.namespace = oldMeta.namespace;
    meta.deletionTimestamp = oldMeta.deletionTimestamp;
    meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
    if (!meta.deletionTimestamp) {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (meta.generateName === undefined) delete meta.generateName;
    if (oldMeta.deletionTimestamp) {
      const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw errors.invalid(r.group, r.kind, meta.name ?? '', [
          field.forbidden(
            'metadata.finalizers',
            `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
          ),
        ]);
      }
    }
    r.defaulter?.(obj);
    if (r.tracksGeneration) {
      meta.generation = (oldMeta.generation ?? 1) + (deepEqual(obj.spec, old.spec) ? 0 : 1);
    }
    if (sub !== 'status') await this.deps.admission.admitUpdate(r, obj, old);
    // Status writes and bindings change what spec immutability rules protect: validate them as objects.
    this.validate(r, obj, sub === 'status' || opts.binding ? undefined : old);
    const withFields = managed
      ? managed(obj)
      : updateManagedFields({
          old,
          updated: obj,
          manager,
          apiVersion: r.apiVersion,
          now: rfc3339(this.deps.now()),
          subresource: sub,
          schema: schemaLookup(r.group, r.version, r.kind),
        });
    withFields.metadata.resourceVersion = undefined;
    const before = { ...old, metadata: { ...old.metadata, resourceVersion: undefined } };
    if (deepEqual(withFields, before)) return old; // no-op writes keep the resourceVersion, as upstream.
    if (ctx.query.get('dryRun') === 'All') return withFields;
    const storage = this.storageFor(r);
    if (this.finalizable(r, withFields)) {
      const rev = await storage.delete(meta.namespace, meta.name!, oldRev);
      if (rev === undefined) throw this.modified(r, meta.name!);
      await this.deps.admission.afterDelete(r, withFields);
      return withFields;
    }
    const kv = await storage.update(this.toStorage(r, withFields), oldRev);
    if (!kv) throw this.modified(r, meta.name!);
    await this.deps.admission.afterUpdate(r, withFields, old);
    return this.toServed(r, decodeKv(kv));
  }

  modified(r: ServedResource, name: string): StatusError {
    return errors.conflict(
      r.group,
      r.resource,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }

  /** An object being deleted goes away once no finalizer holds it (and, for pods, its grace is over). */
  finalizable(r: ServedResource, obj: KubeObject): boolean {
    const meta = obj.metadata;
    if (!meta.deletionTimestamp) return false;
    if ((meta.finalizers ?? []).length > 0) return false;
    if (r.kind === 'Namespace') {
      const specFinalizers = ((obj.spec as Record<string, unknown> | undefined)?.finalizers ?? []) as string[];
      return specFinalizers.length === 0;
    }
    if (r.kind === 'Pod') return (meta.deletionGracePeriodSeconds ?? 0) === 0;
    return true;
  }

  async patch(ctx: RequestContext): Promise<void> {
    const r = ctx.resource;
    const name = ctx.info.name!;
    const type = mediaType(ctx.req.headers['content-type']);
    const buf = await readBody(ctx.req);
    const manager = ctx.query.get('fieldManager') ?? '';
    if (type === 'application/apply-patch+yaml') {
      if (!manager) throw errors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager parameter');
      const applied = this.checkObject(ctx, decodeBody(buf, type));
      const force = ctx.query.get('force') === 'true';
      const out = await this.retryOnConflict(() => this.applyOnce(ctx, name, applied, manager, force));
      sendJson(ctx.res, out.created ? 201 : 200, out.obj);
      return;
    }
    let patchDoc: unknown;
    try {
      patchDoc = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    if (
      ![
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/json-patch+json',
      ].includes(type)
    ) {
      throw errors.unsupportedMediaType(type);
    }
    const out = await this.retryOnConflict(async () => {
      const { obj: current, rev } = await this.mustGet(r, ctx.info.namespace, name);
      const target = ctx.info.subresource === 'scale' ? current : current;
      let patched: unknown;
      if (type === 'application/json-patch+json') patched = applyJsonPatch(clone(target), patchDoc);
      else if (type === 'application/merge-patch+json') patched = applyMergePatch(clone(target), patchDoc);
      else patched = applyStrategicMergePatch(clone(target), patchDoc, schemaLookup(r.group, r.version, r.kind));
      const obj = this.checkObject(ctx, patched);
      const rv = obj.metadata.resourceVersion;
      if (rv && rv !== String(rev)) throw this.modified(r, name);
      obj.metadata.name = current.metadata.name;
      obj.metadata.namespace = current.metadata.namespace;
      return this.writeUpdate(ctx, current, rev, obj, manager || managerFrom(ctx.req, ctx.query));
    });
    sendJson(ctx.res, 200, out);
  }

  private async applyOnce(
    ctx: RequestContext,
    name: string,
    applied: KubeObject,
    manager: string,
    force: boolean,
  ): Promise<{ obj: KubeObject; created: boolean }> {
    const r = ctx.resource;
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    applied.metadata.name = name;
    const kv = await this.storageFor(r).getKv(ctx.info.namespace, name);
    const schema = schemaLookup(r.group, r.version, r.kind);
    const now = rfc3339(this.deps.now());
    if (!kv) {
      if (ctx.info.subresource) throw errors.notFound(r.group, r.resource, name);
      const obj = await this.createObject(ctx, clone(applied), manager, (o) => {
        const res = serverSideApply({
          live: undefined,
          applied,
          manager,
          force,
          schema,
          apiVersion: r.apiVersion,
          now,
        });
        const merged = res.object;
        // Keep what the create pipeline set (uid, defaults, allocations) and the managed fields of the apply.
        return { ...o, metadata: { ...o.metadata, managedFields: merged.metadata.managedFields } };
      });
      return { obj, created: true };
    }
    const live = this.toServed(r, decodeKv(kv));
    const res = serverSideApply({
      live,
      applied,
      manager,
      force,
      schema,
      apiVersion: r.apiVersion,
      now,
      subresource: ctx.info.subresource,
    });
    const obj = await this.writeUpdate(ctx, live, kv.modRevision, res.object, manager, (o) => o);
    return { obj, created: false };
  }

  async retryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (err) {
        const retriable =
          err instanceof StatusError && err.code === 409 && err.reason === 'Conflict' && !err.details?.causes;
        if (!retriable || i >= MAX_PATCH_RETRIES) throw err;
      }
    }
  }

  // ---- delete ----

  async readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
    const buf = await readBody(ctx.req);
    let opts: DeleteOptions = {};
    if (buf.length > 0) {
      const v = decodeBody(buf, ctx.req.headers['content-type'] ?? 'application/json');
      if (v !== null && !isPlainObject(v)) throw errors.badRequest('DeleteOptions must be an object');
      opts = (v ?? {}) as DeleteOptions;
    }
    const q = ctx.query;
    if (q.get('gracePeriodSeconds') !== null) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
    if (q.get('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy')!;
    if (q.get('orphanDependents') !== null) opts.orphanDependents = q.get('orphanDependents') === 'true';
    if (q.get('dryRun')) opts.dryRun = [q.get('dryRun')!];
    return opts;
  }

  async delete(ctx: RequestContext): Promise<void> {
    const opts = await this.readDeleteOptions(ctx);
    const { code, obj } = await this.retryOnConflict(() =>
      this.deleteOne(ctx, ctx.info.namespace, ctx.info.name!, opts),
    );
    sendJson(ctx.res, code, obj);
  }

  async deleteOne(
    ctx: RequestContext,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions,
  ): Promise<{ code: number; obj: KubeObject }> {
    const r = ctx.resource;
    const { obj: current, rev } = await this.mustGet(r, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw errors.conflict(
        r.group,
        r.resource,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(
        r.group,
        r.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (opts.dryRun?.includes('All')) return { code: 200, obj: current };
    const obj = clone(current);
    const meta = obj.metadata;
    const finalizers = new Set(meta.finalizers ?? []);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
    if (policy === 'Orphan') finalizers.add('orphan');
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Background' || opts.orphanDependents === false) {
      finalizers.delete('orphan');
      finalizers.delete('foregroundDeletion');
    }
    let grace = 0;
    if (r.kind === 'Pod') grace = this.podGrace(obj, opts);
    const nsSpecFinalizers =
      r.kind === 'Namespace' ? (((obj.spec as Record<string, unknown>)?.finalizers ?? []) as string[]) : [];
    const graceful = grace > 0 || finalizers.size > 0 || nsSpecFinalizers.length > 0;
    const storage = this.storageFor(r);
    if (!graceful) {
      const done = await storage.delete(namespace, name, rev);
      if (done === undefined) throw this.modified(r, name);
      await this.deps.admission.afterDelete(r, current);
      return { code: 200, obj: current };
    }
    const now = this.deps.now();
    const alreadyDeleting = !!meta.deletionTimestamp;
    if (!alreadyDeleting || (r.kind === 'Pod' && grace < (meta.deletionGracePeriodSeconds ?? 0))) {
      meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
    }
    meta.finalizers = [...finalizers];
    if (meta.finalizers.length === 0) delete meta.finalizers;
    if (r.kind === 'Namespace') obj.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
    if (alreadyDeleting && deepEqual(obj, current)) return { code: 202, obj: current };
    const kv = await storage.update(this.toStorage(r, obj), rev);
    if (!kv) throw this.modified(r, name);
    return { code: 202, obj: this.toServed(r, decodeKv(kv)) };
  }

  /** Pods bound to a node and still running get a grace period; others go at once (upstream). */
  private podGrace(pod: KubeObject, opts: DeleteOptions): number {
    const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    let grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    if (grace < 0) grace = 1;
    return grace;
  }

  async deleteCollection(ctx: RequestContext): Promise<void> {
    const r = ctx.resource;
    const opts = await this.readDeleteOptions(ctx);
    const match = this.matcher(r, this.selectors(ctx));
    const page = await this.storageFor(r).list({ namespace: ctx.info.namespace });
    const deleted: KubeObject[] = [];
    for (const kv of page.kvs) {
      const o = this.toServed(r, decodeKv(kv));
      if (match && !match(o)) continue;
      try {
        const res = await this.retryOnConflict(() => this.deleteOne(ctx, o.metadata.namespace, o.metadata.name!, opts));
        deleted.push(res.obj);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    sendJson(ctx.res, 200, { kind: r.listKind, apiVersion: r.apiVersion, metadata: {}, items: deleted });
  }
}

export interface DeleteOptions {
  kind?: string;
  apiVersion?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

const META_STRINGS = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
];

/** Type errors in metadata are decoding errors upstream (400), before any validation runs. */
function checkMetadataTypes(meta: Record<string, unknown>): void {
  for (const k of META_STRINGS) {
    const v = meta[k];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw errors.badRequest(
        `json: cannot unmarshal ${typeof v} into Go struct field ObjectMeta.metadata.${k} of type string`,
      );
    }
    if (v === null) delete meta[k];
  }
  for (const k of ['labels', 'annotations']) {
    const v = meta[k];
    if (v === undefined || v === null) continue;
    if (!isPlainObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      throw errors.badRequest(
        `json: cannot unmarshal into Go struct field ObjectMeta.metadata.${k} of type map[string]string`,
      );
    }
  }
  for (const k of ['finalizers', 'ownerReferences', 'managedFields']) {
    const v = meta[k];
    if (v !== undefined && v !== null && !Array.isArray(v)) {
      throw errors.badRequest(`json: cannot unmarshal into Go struct field ObjectMeta.metadata.${k} of type array`);
    }
  }
}
