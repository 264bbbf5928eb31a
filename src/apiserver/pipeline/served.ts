// Objects of a served resource in the store: its storage location, conversion between the served and the
// storage version, and objects read back in the served version.
import type { KubeObject } from '../../core/types.js';
import { errors } from '../../core/status.js';
import type { KeyValue, Store } from '../../storage/store.js';
import { ObjectStorage, decodeKv, withResourceVersion } from '../objects.js';
import type { ServedResource } from '../resources.js';
import type { PipelineDeps } from './types.js';

export function storageOf(store: Store, r: ServedResource, maxObjectBytes?: number): ObjectStorage {
  const loc = { group: r.storage.group, resource: r.storage.resource, namespaced: r.namespaced };
  return new ObjectStorage(store, loc, maxObjectBytes);
}

export function toServed(r: ServedResource, obj: KubeObject): KubeObject {
  return r.converter ? r.converter.fromStorage(obj) : obj;
}

export function toStorage(r: ServedResource, obj: KubeObject): KubeObject {
  return r.converter ? r.converter.toStorage(obj) : obj;
}

/** An object as the pipeline returns it for reads: the object in the served version and its JSON. */
export interface ServedObject {
  readonly object: KubeObject;
  readonly json: string;
  readonly resourceVersion: string;
}

/**
 * An object read from the store, parsed on first use. Without a conversion its JSON is the stored text
 * with resourceVersion spliced in, unparsed, so LIST and WATCH of many objects stay cheap.
 */
export class StoredObject implements ServedObject {
  private parsed?: KubeObject;

  constructor(
    private readonly resource: ServedResource,
    private readonly kv: KeyValue,
    /** The revision to report (a deleted object's is the delete's). */
    private readonly revision = kv.modRevision,
  ) {}

  get object(): KubeObject {
    if (!this.parsed) {
      const kv = this.revision === this.kv.modRevision ? this.kv : { ...this.kv, modRevision: this.revision };
      this.parsed = toServed(this.resource, decodeKv(kv));
    }
    return this.parsed;
  }

  get json(): string {
    if (this.resource.converter) return JSON.stringify(this.object);
    return withResourceVersion(this.kv.value, this.revision);
  }

  get resourceVersion(): string {
    return String(this.revision);
  }
}

/** An object that was parsed (to match a selector): encoded from the object. */
export class ParsedObject implements ServedObject {
  constructor(readonly object: KubeObject) {}

  get json(): string {
    return JSON.stringify(this.object);
  }

  get resourceVersion(): string {
    return this.object.metadata.resourceVersion ?? '';
  }
}

/** The stored object in the served version with its revision, or a 404. */
export async function readCurrent(
  deps: PipelineDeps,
  r: ServedResource,
  namespace: string | undefined,
  name: string,
): Promise<{ obj: KubeObject; rev: number }> {
  const kv = await storageOf(deps.store, r).getKv(namespace, name);
  if (!kv) throw errors.notFound(r.group, r.resource, name);
  return { obj: toServed(r, decodeKv(kv)), rev: kv.modRevision };
}
