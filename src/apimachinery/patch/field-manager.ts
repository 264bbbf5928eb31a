// Server-side apply and managedFields bookkeeping for ordinary writes, after structured-merge-diff's
// merge.Updater (Apply / Update) and the apiserver's fieldmanager decorators.
import type { KubeObject, ManagedFieldsEntry } from '../../core/types.js';
import type { SchemaNode } from '../schema.js';
import { errors, type StatusCause } from '../../core/status.js';
import { FieldSet, type FieldPath, fieldPE, pathToString } from './fieldpath.js';
import { cloneJson, deepFreeze, isPlainObject, jsonEqual } from './json-value.js';
import {
  decodeManagedFields,
  describeManager,
  encodeManagedFields,
  type ManagerFields,
  type ManagerTable,
  managedFieldsEntry,
  managerIdentity,
  stripServerFields,
  withoutResetFields,
} from './managed-fields.js';
import {
  type Comparison,
  compare,
  ensureNamedFieldsAreMembers,
  mergeApplied,
  removeItems,
  toFieldSet,
} from './typed.js';

export interface ApplyRequest {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The apply configuration sent by the client (application/apply-patch+yaml). */
  applied: KubeObject;
  manager: string;
  force: boolean;
  schema: SchemaNode | undefined;
  /** The group/version of the request, e.g. 'apps/v1'. */
  apiVersion: string;
  /** RFC 3339 time stamped on the manager's entry. */
  now: string;
  subresource?: string;
}

export interface ApplyResult {
  object: KubeObject;
}

const BEFORE_FIRST_APPLY = 'before-first-apply';

/**
 * Applies a configuration: its fields become owned by `manager`; fields the manager applied last time and
 * dropped now are removed unless another manager owns them; changing a field another manager owns is a
 * 409 unless `force`, which moves the ownership.
 */
export function serverSideApply(req: ApplyRequest): ApplyResult {
  if ((req.applied.metadata?.managedFields?.length ?? 0) > 0) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  const live = withoutManagedFields(req.live) ?? { metadata: {} };
  const config = withoutManagedFields(req.applied)!;
  const managers = decodeManagedFields(req.live?.metadata.managedFields, true);
  if (req.live && managers.size === 0) {
    // Objects written before fields were tracked: their current fields belong to a synthetic manager.
    const m: ManagerFields = {
      manager: BEFORE_FIRST_APPLY,
      operation: 'Update',
      apiVersion: req.apiVersion,
      fields: trackable(toFieldSet(live, req.schema), req.subresource),
    };
    managers.set(managerIdentity(m), m);
  }

  const self: ManagerFields = {
    manager: req.manager,
    operation: 'Apply',
    apiVersion: req.apiVersion,
    time: req.now,
    fields: withoutResetFields(toFieldSet(config, req.schema), req.subresource),
  };
  const selfId = managerIdentity(self);
  const lastSet = managers.get(selfId)?.fields;
  if (req.subresource) self.subresource = req.subresource;
  managers.set(selfId, self);

  let merged = mergeApplied(live, config, req.schema) as KubeObject;
  if (lastSet && !lastSet.isEmpty()) merged = prune(merged, lastSet, managers, req.schema);

  const changes = filterComparison(compare(live, merged, req.schema), req.subresource);
  const conflicts = takeOwnership(managers, selfId, changes, changes.modified.union(changes.added), req.force);
  if (conflicts.length > 0) throw conflictError(conflicts);

  return { object: withManagedFields(merged, managers) };
}

export interface UpdateRequest {
  /** The stored object, or undefined on create. */
  old: KubeObject | undefined;
  /** The object about to be stored (after patching / the client's PUT body / POST body). */
  updated: KubeObject;
  manager: string;
  apiVersion: string;
  now: string;
  subresource?: string;
  /** Lets list items be tracked one by one; without it lists are owned as a whole. */
  schema?: SchemaNode;
}

/**
 * Records a non-apply write: the fields it changed (all of them on create) move to `manager` (operation
 * Update), merged into that manager's existing entry. Returns `updated` with new managedFields.
 */
export function updateManagedFields(req: UpdateRequest): KubeObject {
  const sent = req.updated.metadata?.managedFields;
  if (!req.old && !req.subresource && !(sent && sent.length > 0)) return createdManagedFields(req);
  return recordUpdate(req, sent);
}

/**
 * Objects a controller creates from one template (a ReplicaSet's pods) differ in little but their name, uid and
 * creation time, which no field set holds: their creators' field sets are the same, so the FieldsV1 of a
 * create is remembered by the object's JSON without those (and its schema). Frozen: many objects share it.
 */
const createdFields = new WeakMap<SchemaNode | object, Map<string, Record<string, unknown> | undefined>>();
const NO_SCHEMA = {};
const CREATED_FIELDS_KEPT = 256;
const UNSET_ON_CREATE = { name: undefined, uid: undefined, creationTimestamp: undefined, managedFields: undefined };

function createdManagedFields(req: UpdateRequest): KubeObject {
  const key = JSON.stringify({ ...req.updated, metadata: { ...req.updated.metadata, ...UNSET_ON_CREATE } });
  let bySchema = createdFields.get(req.schema ?? NO_SCHEMA);
  if (!bySchema) {
    bySchema = new Map();
    createdFields.set(req.schema ?? NO_SCHEMA, bySchema);
  }
  let fieldsV1 = bySchema.get(key);
  if (fieldsV1 === undefined && !bySchema.has(key)) {
    const computed = recordUpdate(req, undefined);
    fieldsV1 = computed.metadata.managedFields?.[0]?.fieldsV1 as Record<string, unknown> | undefined;
    if (fieldsV1) deepFreeze(fieldsV1);
    if (bySchema.size >= CREATED_FIELDS_KEPT) bySchema.delete(bySchema.keys().next().value!);
    bySchema.set(key, fieldsV1);
    return computed;
  }
  const out = { ...req.updated, metadata: { ...req.updated.metadata } };
  delete out.metadata.managedFields;
  if (fieldsV1) {
    const self = { manager: req.manager, operation: 'Update' as const, apiVersion: req.apiVersion, time: req.now };
    out.metadata.managedFields = [managedFieldsEntry(self, fieldsV1)];
  }
  return out;
}

function recordUpdate(req: UpdateRequest, sent: ManagedFieldsEntry[] | undefined): KubeObject {
  let managers: ManagerTable;
  if (sent && sent.length > 0 && !req.subresource) {
    // A client may set managedFields directly; a single empty entry resets them. Most writers send back
    // the entries they read (a PATCH's result, a PUT of a GET): those are the stored ones.
    const stored = req.old?.metadata.managedFields;
    if (isResetRequest(sent)) managers = new Map();
    else if (stored && jsonEqual(sent, stored)) managers = decodeManagedFields(stored, true);
    else managers = decodeManagedFields(sent);
  } else {
    managers = decodeManagedFields(req.old?.metadata.managedFields, true);
  }
  // Shallow copies: nothing below reads more than the top level and metadata of these objects for writing.
  const after = withoutManagedFields(req.updated, false)!;
  // Upstream compares typed objects, where top-level structs always exist (empty when unset); on create the
  // previous object is the type's zero value.
  const before = withZeroStructs(withoutManagedFields(req.old, false) ?? { metadata: {} }, after, req.schema);
  const afterTyped = withZeroStructs({ ...after }, before, req.schema);

  const changes = filterComparison(compare(before, afterTyped, req.schema), req.subresource);
  const self: ManagerFields = {
    manager: req.manager,
    operation: 'Update',
    apiVersion: req.apiVersion,
    fields: new FieldSet(),
  };
  if (req.subresource) self.subresource = req.subresource;
  const id = managerIdentity(self);
  const priorFields = managers.get(id)?.fields;
  // Like upstream's "current-operation" manager: every existing entry, the writer's own included, loses
  // what this write changed; the writer then gains it.
  const changed = changes.modified.union(changes.added);
  takeOwnership(managers, '', changes, changed, true);
  const gained = stripServerFields(changed.difference(changes.removed));
  if (!gained.isEmpty()) {
    const prior = managers.get(id);
    // A writer that changes only fields it already owns (a kubelet's status, a lease renewal) keeps its set
    // as it was, and so its stored encoding.
    const same =
      priorFields !== undefined && changed.isSubsetOf(priorFields) && !priorFields.intersects(changes.removed);
    const fields = same ? priorFields : prior ? prior.fields.union(gained) : gained;
    self.time = req.now;
    self.fields = fields;
    managers.set(id, self);
  }
  return withManagedFields(after, managers, false);
}

function isResetRequest(entries: ManagedFieldsEntry[]): boolean {
  return entries.length === 1 && Object.keys(entries[0]!).length === 0;
}

function withZeroStructs(obj: KubeObject, other: KubeObject, schema: SchemaNode | undefined): KubeObject {
  for (const top of ['spec', 'status']) {
    if (obj[top] !== undefined) continue;
    const typed = schema ? schema.field(top)?.type === 'object' : isPlainObject(other[top]);
    if (typed) obj[top] = {};
  }
  return obj;
}

/** The object without metadata.managedFields: a deep copy, or with `deep` false a copy of its top level and metadata. */
function withoutManagedFields(obj: KubeObject | undefined, deep = true): KubeObject | undefined {
  if (!obj) return undefined;
  const copy = deep ? cloneJson(obj) : { ...obj };
  copy.metadata = { ...(copy.metadata ?? {}) };
  delete copy.metadata.managedFields;
  return copy;
}

function withManagedFields(obj: KubeObject, managers: ManagerTable, deep = true): KubeObject {
  for (const m of managers.values()) m.fields = stripServerFields(m.fields);
  const out = deep ? cloneJson(obj) : { ...obj };
  out.metadata = { ...(out.metadata ?? {}) };
  const entries = encodeManagedFields(managers);
  if (entries.length > 0) out.metadata.managedFields = entries;
  else delete out.metadata.managedFields;
  return out;
}

function trackable(set: FieldSet, subresource: string | undefined): FieldSet {
  return stripServerFields(withoutResetFields(set, subresource));
}

function filterComparison(c: Comparison, subresource: string | undefined): Comparison {
  return {
    modified: withoutResetFields(c.modified, subresource),
    added: withoutResetFields(c.added, subresource),
    removed: withoutResetFields(c.removed, subresource),
  };
}

/** Removes fields the manager stopped applying, unless some manager (the applier included) still owns them. */
function prune(merged: KubeObject, lastSet: FieldSet, managers: ManagerTable, schema: SchemaNode | undefined) {
  let owned = new FieldSet();
  for (const m of managers.values()) owned = owned.union(m.fields);
  // The config's identity fields (stripped from stored sets) are always present, so metadata survives.
  owned = owned.union(FieldSet.of([fieldPE('apiVersion')], [fieldPE('kind')], [fieldPE('metadata'), fieldPE('name')]));
  const doomed = unowned(ensureNamedFieldsAreMembers(lastSet, schema), owned);
  return removeItems(merged, doomed, schema) as KubeObject;
}

function unowned(last: FieldSet, owned: FieldSet): FieldSet {
  const out = new FieldSet();
  for (const pe of new Set([...last.members, ...last.children.keys()])) {
    if (last.members.has(pe) && !owned.touches(pe)) {
      out.members.add(pe);
      continue;
    }
    const child = last.child(pe);
    if (!child) continue;
    const sub = unowned(child, owned.child(pe) ?? new FieldSet());
    if (!sub.isEmpty()) out.children.set(pe, sub);
  }
  return out;
}

interface Conflict {
  manager: ManagerFields;
  path: FieldPath;
}

/**
 * Other managers lose the fields this write changes (`changed`: modified or added) or removes. Without force,
 * fields changed under another manager are conflicts: they are returned and nothing is modified.
 */
function takeOwnership(
  managers: ManagerTable,
  selfId: string,
  changes: Comparison,
  changed: FieldSet,
  force: boolean,
): Conflict[] {
  if (!force) {
    const conflicts: Conflict[] = [];
    for (const [id, m] of managers) {
      if (id === selfId) continue;
      for (const path of m.fields.intersection(changed).paths()) conflicts.push({ manager: m, path });
    }
    if (conflicts.length > 0) return conflicts;
  }
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    // An entry this write does not touch keeps its set (and so its stored encoding).
    if (!m.fields.intersects(changed) && !m.fields.intersects(changes.removed)) continue;
    m.fields = m.fields.difference(changed).difference(changes.removed);
    if (m.fields.isEmpty()) managers.delete(id);
  }
  return [];
}

/** The 409 of an apply conflict, worded as the apiserver's fieldmanager NewConflictError. */
function conflictError(conflicts: Conflict[]) {
  const ordered = [...conflicts].sort((a, b) => {
    const ia = managerIdentity(a.manager);
    const ib = managerIdentity(b.manager);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  const causes: StatusCause[] = ordered.map((c) => ({
    type: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathToString(c.path),
  }));
  if (ordered.length === 1) {
    const c = ordered[0]!;
    return errors.applyConflict(
      `Apply failed with 1 conflict: conflict with ${describeManager(c.manager)}: ${pathToString(c.path)}`,
      causes,
    );
  }
  const lines: string[] = [];
  let current = '';
  for (const c of ordered) {
    const who = describeManager(c.manager);
    if (who !== current) {
      lines.push(`conflicts with ${who}:`);
      current = who;
    }
    lines.push(`- ${pathToString(c.path)}`);
  }
  return errors.applyConflict(`Apply failed with ${ordered.length} conflicts: ${lines.join('\n')}`, causes);
}
