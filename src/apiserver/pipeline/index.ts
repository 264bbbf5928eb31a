// The object pipeline without HTTP: plain inputs in (target, decoded object or patch, options), objects out
// or a StatusError thrown. Every write runs decode -> admit -> validate -> store -> encode (to the served
// version), in that order.
import type { KubeObject } from '../../core/types.js';
import type { UserInfo } from '../authz/attributes.js';
import type { ResourceRegistry } from '../resources.js';
import { apply } from './apply.js';
import { create } from './create.js';
import { type DeleteResult, deleteCollection, deleteObject } from './delete.js';
import { patch } from './patch.js';
import { bind, evict } from './pods.js';
import { type ListResult, list, read } from './read.js';
import { getScale, patchScale, updateScale } from './scale.js';
import type { ServedObject } from './served.js';
import type {
  DeleteOptions,
  ListOptions,
  NamedTarget,
  PipelineDeps,
  SelectorOptions,
  Target,
  WatchOptions,
  WriteOptions,
} from './types.js';
import { type WriteResult, update } from './update.js';
import { ObjectWatch } from './watch.js';

export { requireApplyManager } from './apply.js';
export type { DeleteResult } from './delete.js';
export { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './patch.js';
export type { ListResult } from './read.js';
export { scaleOf } from './scale.js';
export type { ServedObject } from './served.js';
export { encodingStats, frameOf, responseBody } from './served.js';
export type * from './types.js';
export type { WriteResult } from './update.js';
export { type ObjectEvent, ObjectWatch } from './watch.js';

export class ObjectPipeline {
  constructor(readonly deps: PipelineDeps) {}

  get registry(): ResourceRegistry {
    return this.deps.registry;
  }

  /** One object as stored, in the served version; 404 when missing. */
  read(t: NamedTarget): Promise<ServedObject> {
    return read(this.deps, t);
  }

  async get(t: NamedTarget): Promise<KubeObject> {
    return (await read(this.deps, t)).object;
  }

  list(t: Target, opts: ListOptions = {}): Promise<ListResult> {
    return list(this.deps, t, opts);
  }

  /** Checks the options now; events flow once `start` is called. */
  watch(t: Target, opts: WatchOptions = {}): ObjectWatch {
    return new ObjectWatch(this.deps, t, opts);
  }

  create(t: Target, obj: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    return create(this.deps, t, obj, opts);
  }

  /** PUT: replaces the object, or creates it when missing (not through a subresource). */
  update(t: NamedTarget, obj: unknown, opts: WriteOptions = {}): Promise<WriteResult> {
    return update(this.deps, t, obj, opts);
  }

  /** `type`: application/json-patch+json, application/merge-patch+json or application/strategic-merge-patch+json. */
  patch(t: NamedTarget, type: string, doc: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    return patch(this.deps, t, type, doc, opts);
  }

  /** Server-side apply; `opts.fieldManager` is required. */
  apply(t: NamedTarget, obj: unknown, opts: WriteOptions): Promise<WriteResult> {
    return apply(this.deps, t, obj, opts);
  }

  /** `user`: who asks (for NodeRestriction); none for the server's own deletes. */
  delete(t: NamedTarget, opts: DeleteOptions = {}, user?: UserInfo): Promise<DeleteResult> {
    return deleteObject(this.deps, t, opts, user);
  }

  deleteCollection(
    t: Target,
    selectors: SelectorOptions = {},
    opts: DeleteOptions = {},
    user?: UserInfo,
  ): Promise<KubeObject[]> {
    return deleteCollection(this.deps, t, selectors, opts, user);
  }

  getScale(t: NamedTarget): Promise<KubeObject> {
    return getScale(this.deps, t);
  }

  updateScale(t: NamedTarget, scale: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    return updateScale(this.deps, t, scale, opts);
  }

  patchScale(t: NamedTarget, type: string, doc: unknown, opts: WriteOptions = {}): Promise<KubeObject> {
    return patchScale(this.deps, t, type, doc, opts);
  }

  bind(t: NamedTarget, binding: unknown, opts: WriteOptions = {}): Promise<void> {
    return bind(this.deps, t, binding, opts);
  }

  evict(t: NamedTarget, eviction: unknown, user?: UserInfo): Promise<void> {
    return evict(this.deps, t, eviction, user);
  }
}
