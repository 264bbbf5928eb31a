// Objects of a served resource in the store: its storage location, conversion between the served and the
// storage version, and objects read back in the served version.
import type { KubeObject } from '../../core/types.js';
import { errors } from '../../core/status.js';
import type { KeyValue, Store } from '../../storage/store.js';
import { ObjectStorage, decodeKv, decodeKvShared, withResourceVersion } from '../objects.js';
import type { ServedResource } from '../resources.js';
import { type SelectorView, selectorView } from './selectors.js';
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
  /** The JSON as UTF-8 bytes (shared: never modify). */
  readonly bytes: Buffer;
  readonly resourceVersion: string;
  /** A watch event's line, `{"type":…,"object":…}\n`, as UTF-8 bytes (shared: never modify). */
  frame(type: string): Buffer;
}

/**
 * The encodings of one stored object in one served version. The store hands out the same KeyValue for as
 * long as the object is unchanged, so every LIST and every watcher reuses them: each object is encoded once
 * per change, not once per request or per watcher. An update or delete drops the KeyValue, and its entry.
 */
type VersionConverter = NonNullable<ServedResource['converter']>;

interface Encoded {
  revision: number;
  converter: VersionConverter | undefined;
  /** The JSON: a view of `room` between a frame head's space and the frame tail. */
  bytes: Buffer;
  /** The one allocation: FRAME_HEAD_ROOM bytes, the JSON, FRAME_TAIL; the first frame is made in place. */
  room: Buffer | undefined;
  frames: Map<string, Buffer>;
}
const encodings = new WeakMap<KeyValue, Encoded[]>();
/** Served versions cached per object (a conversion's result per version, besides the storage version). */
const MAX_ENCODINGS = 4;

/** Objects encoded, encodings reused and selector views made, since the process started (for tests and metrics). */
export const encodingStats = { encoded: 0, reused: 0, views: 0 };

export function frameOf(type: string, objJson: string): Buffer {
  return Buffer.from(`{"type":"${type}","object":${objJson}}\n`);
}
const FRAME_TAIL = Buffer.from('}\n');
/** Space for the longest event head, `{"type":"MODIFIED","object":` (29 bytes). */
const FRAME_HEAD_ROOM = 32;

/**
 * The JSON in one allocation of its own with room for a watch frame around it. Not from Node's 8 KB
 * buffer pool: an encoding lives as long as its object is unchanged, and a long-lived slice of a pool slab
 * keeps the whole slab (measured: 15,600 slabs, 127 MB, held by 10,000 pods' encodings and frames).
 */
function encodeRoomy(revision: number, converter: VersionConverter | undefined, json: string): Encoded {
  const length = Buffer.byteLength(json);
  const room = Buffer.allocUnsafeSlow(FRAME_HEAD_ROOM + length + FRAME_TAIL.length);
  room.write(json, FRAME_HEAD_ROOM);
  FRAME_TAIL.copy(room, FRAME_HEAD_ROOM + length);
  return {
    revision,
    converter,
    bytes: room.subarray(FRAME_HEAD_ROOM, FRAME_HEAD_ROOM + length),
    room,
    frames: new Map(),
  };
}

/**
 * An object read from the store, parsed on first use. Without a conversion its JSON is the stored text
 * with resourceVersion spliced in, unparsed, so LIST and WATCH of many objects stay cheap.
 */
export class StoredObject implements ServedObject {
  constructor(
    private readonly resource: ServedResource,
    private readonly kv: KeyValue,
    /** The revision to report (a deleted object's is the delete's). */
    private readonly revision = kv.modRevision,
    /** The object in the served version when the caller already parsed it (to match a selector). */
    private parsed?: KubeObject,
  ) {}

  get object(): KubeObject {
    if (!this.parsed) {
      const kv = this.revision === this.kv.modRevision ? this.kv : { ...this.kv, modRevision: this.revision };
      this.parsed = toServed(this.resource, decodeKv(kv));
    }
    return this.parsed;
  }

  private encoded(): Encoded {
    const converter = this.resource.converter;
    let list = encodings.get(this.kv);
    const hit = list?.find((e) => e.converter === converter && e.revision === this.revision);
    if (hit) {
      encodingStats.reused++;
      return hit;
    }
    const json = converter ? JSON.stringify(this.object) : withResourceVersion(this.kv.value, this.revision);
    const e = encodeRoomy(this.revision, converter, json);
    encodingStats.encoded++;
    if (!list) {
      list = [];
      encodings.set(this.kv, list);
    }
    // A delete's revision replaces the object's own; a version not cached yet goes in, the oldest out.
    const i = list.findIndex((x) => x.converter === converter);
    if (i >= 0) list[i] = e;
    else {
      if (list.length >= MAX_ENCODINGS) list.shift();
      list.push(e);
    }
    return e;
  }

  get json(): string {
    return this.encoded().bytes.toString();
  }

  get bytes(): Buffer {
    return this.encoded().bytes;
  }

  frame(type: string): Buffer {
    const e = this.encoded();
    let f = e.frames.get(type);
    if (!f) {
      const head = `{"type":"${type}","object":`;
      if (e.room && head.length <= FRAME_HEAD_ROOM) {
        // The first frame (nearly always the only one): its head written just before the JSON.
        const start = FRAME_HEAD_ROOM - head.length;
        e.room.write(head, start, 'latin1');
        f = e.room.subarray(start, FRAME_HEAD_ROOM + e.bytes.length + FRAME_TAIL.length);
        e.room = undefined;
      } else {
        // Another type for the same encoding (rare): a copy, also outside the pool since it is kept.
        f = Buffer.allocUnsafeSlow(head.length + e.bytes.length + FRAME_TAIL.length);
        f.write(head, 0, 'latin1');
        e.bytes.copy(f, head.length);
        FRAME_TAIL.copy(f, head.length + e.bytes.length);
      }
      e.frames.set(type, f);
    }
    return f;
  }

  get resourceVersion(): string {
    return String(this.revision);
  }
}

const written = new WeakMap<KubeObject, ServedObject>();

/**
 * What a create or update returns: the object it stored, in the served version, with the resourceVersion
 * of the write. The response sends the stored encoding (`responseBody`), which watchers of the object share,
 * so a write's result is neither parsed back from the store nor encoded again.
 */
export function writtenObject(r: ServedResource, kv: KeyValue, stored: KubeObject): KubeObject {
  if (r.converter) {
    const s = new StoredObject(r, kv);
    written.set(s.object, s);
    return s.object;
  }
  // Without a conversion the stored JSON is this object's (encodeForStorage), resourceVersion aside.
  stored.metadata.resourceVersion = String(kv.modRevision);
  written.set(stored, new StoredObject(r, kv, kv.modRevision, stored));
  return stored;
}

/** A response body: the stored encoding of an object a write returned, or the object itself. */
export function responseBody(obj: KubeObject): Buffer | KubeObject {
  return written.get(obj)?.bytes ?? obj;
}

const views = new WeakMap<KeyValue, { resource: ServedResource; view: SelectorView }[]>();

/**
 * What selectors read of a stored object in a served version, computed once while the object is unchanged
 * (like its encodings) and shared by every LIST and watcher with a selector: the object is parsed for it
 * once, and only its labels and selectable fields are kept.
 */
export function selectorViewOf(r: ServedResource, kv: KeyValue): SelectorView {
  let list = views.get(kv);
  const hit = list?.find((e) => e.resource === r);
  if (hit) return hit.view;
  const view = selectorView(r, currentOf(r, kv, true));
  encodingStats.views++;
  if (!list) {
    list = [];
    views.set(kv, list);
  }
  if (list.length >= MAX_ENCODINGS) list.shift();
  list.push({ resource: r, view });
  return view;
}

/**
 * The stored object in the served version with its revision, or a 404. `shared`: the caller only reads the
 * object (it copies what it changes), so a decode shared with the object's other readers will do.
 */
export async function readCurrent(
  deps: PipelineDeps,
  r: ServedResource,
  namespace: string | undefined,
  name: string,
  shared = false,
): Promise<{ obj: KubeObject; rev: number }> {
  const kv = await storageOf(deps.store, r).getKv(namespace, name);
  if (!kv) throw errors.notFound(r.group, r.resource, name);
  return { obj: currentOf(r, kv, shared), rev: kv.modRevision };
}

/** A stored object in the served version; `shared` as readCurrent's. */
export function currentOf(r: ServedResource, kv: KeyValue, shared: boolean): KubeObject {
  // A conversion may rework the object it is given, so only an unconverted read shares the decode.
  if (shared && !r.converter) return decodeKvShared(kv);
  return toServed(r, decodeKv(kv));
}
