// metadata.managedFields <-> per-manager field sets, with upstream's identity, ordering and stripped fields
// (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/internal: managedfields.go, stripmeta.go).
import type { ManagedFieldsEntry } from '../../core/types.js';
import { errors } from '../../core/status.js';
import { FieldSet, fieldPE } from './fieldpath.js';
import { isPlainObject } from './json-value.js';

export type ManagerOperation = 'Apply' | 'Update';

export interface ManagerFields {
  manager: string;
  operation: ManagerOperation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/** Managers by identity: manager, operation, subresource, and apiVersion for Update entries only. */
export type ManagerTable = Map<string, ManagerFields>;

export function managerIdentity(
  e: Pick<ManagerFields, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
): string {
  return JSON.stringify([e.manager, e.operation, e.operation === 'Apply' ? '' : e.apiVersion, e.subresource ?? '']);
}

/** How conflicts name a manager (printManager): `"kubectl-edit" using apps/v1` for Update entries. */
export function describeManager(e: ManagerFields): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/**
 * Field sets as decoded from stored managedFields, with the FieldsV1 they came from: a set that a write leaves
 * as it was is encoded again by reusing that JSON (no set is modified in place once made).
 */
const fieldsV1Of = new WeakMap<FieldSet, Record<string, unknown>>();

/** Decodes managedFields; a malformed entry is a 400 as upstream's decode failure on write. */
export function decodeManagedFields(
  entries: ManagedFieldsEntry[] | undefined,
  /** Remember each set's FieldsV1 for encoding it again (stored entries, which the server encoded itself). */
  stored = false,
): ManagerTable {
  const table: ManagerTable = new Map();
  for (const entry of entries ?? []) {
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') {
      throw errors.badRequest(
        `error decoding managed fields: unsupported operation ${JSON.stringify(entry.operation)}`,
      );
    }
    let fields: FieldSet;
    try {
      fields = FieldSet.fromFieldsV1(entry.fieldsV1 ?? {});
    } catch (e) {
      throw errors.badRequest(`error decoding managed fields: ${(e as Error).message}`);
    }
    const m: ManagerFields = {
      manager: entry.manager ?? '',
      operation: entry.operation,
      apiVersion: entry.apiVersion ?? '',
      fields,
    };
    if (entry.time) m.time = entry.time;
    if (entry.subresource) m.subresource = entry.subresource;
    const id = managerIdentity(m);
    const prior = table.get(id);
    if (stored && !prior && isPlainObject(entry.fieldsV1)) fieldsV1Of.set(fields, entry.fieldsV1);
    table.set(id, prior ? { ...m, fields: prior.fields.union(fields) } : m);
  }
  return table;
}

/** Encodes managers, dropping empty ones, in upstream order: Apply before Update, then time, manager, version. */
export function encodeManagedFields(table: ManagerTable): ManagedFieldsEntry[] {
  const live = [...table.values()].filter((m) => !m.fields.isEmpty());
  live.sort(
    (a, b) =>
      cmp(a.operation, b.operation) ||
      cmp(secondOf(a.time), secondOf(b.time)) ||
      cmp(a.manager, b.manager) ||
      cmp(a.apiVersion, b.apiVersion) ||
      cmp(a.subresource ?? '', b.subresource ?? ''),
  );
  return live.map((m) => managedFieldsEntry(m, fieldsV1Of.get(m.fields) ?? m.fields.toFieldsV1()));
}

/** One manager's entry as stored, in upstream's key order. */
export function managedFieldsEntry(
  m: Omit<ManagerFields, 'fields'>,
  fieldsV1: Record<string, unknown>,
): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
  if (m.time) entry.time = m.time;
  entry.fieldsType = 'FieldsV1';
  entry.fieldsV1 = fieldsV1;
  if (m.subresource) entry.subresource = m.subresource;
  return entry;
}

function secondOf(time: string | undefined): number {
  const t = time ? Date.parse(time) : Number.NaN;
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

function cmp<T extends string | number>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Fields the server sets itself; no manager ever owns them (stripmeta.go).
const STRIPPED_METADATA = [
  'name',
  'namespace',
  'creationTimestamp',
  'selfLink',
  'uid',
  'clusterName',
  'generation',
  'managedFields',
  'resourceVersion',
];

/** Removes server-owned identity/metadata fields from a set, as the stripMeta decorator does. */
export function stripServerFields(set: FieldSet): FieldSet {
  if (!holdsServerFields(set)) return set;
  const out = set.clone();
  for (const pe of [fieldPE('apiVersion'), fieldPE('kind')]) {
    out.members.delete(pe);
    out.children.delete(pe);
  }
  const meta = out.child(fieldPE('metadata'));
  if (meta) {
    for (const name of STRIPPED_METADATA) {
      meta.members.delete(fieldPE(name));
      meta.children.delete(fieldPE(name));
    }
    if (meta.isEmpty()) out.children.delete(fieldPE('metadata'));
  }
  return out;
}

function holdsServerFields(set: FieldSet): boolean {
  for (const pe of [fieldPE('apiVersion'), fieldPE('kind')])
    if (set.members.has(pe) || set.children.has(pe)) return true;
  const meta = set.child(fieldPE('metadata'));
  if (!meta) return false;
  if (meta.isEmpty()) return true;
  return STRIPPED_METADATA.some((name) => meta.members.has(fieldPE(name)) || meta.children.has(fieldPE(name)));
}

/**
 * Drops the fields a write to this (sub)resource cannot change, which the registry resets (GetResetFields):
 * status on the main resource; everything but status on the status subresource.
 */
export function withoutResetFields(set: FieldSet, subresource: string | undefined): FieldSet {
  const status = fieldPE('status');
  if (subresource === 'status') {
    const out = new FieldSet();
    if (set.members.has(status)) out.members.add(status);
    const child = set.child(status);
    if (child) out.children.set(status, child.clone());
    return out;
  }
  const out = set.clone();
  out.members.delete(status);
  out.children.delete(status);
  return out;
}
