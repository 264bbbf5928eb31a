// ObjectMeta rules shared by every kind (apimachinery api/validation/objectmeta.go and core's finalizer names).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject, ObjectMeta } from '../../core/types.js';
import { arr, immutable, invalidEach, obj, str } from './access.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../core/names.js';

export type NameCheck = (name: string) => string[];

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const o = obj(labels);
  if (!o) return errs;
  for (const [k, v] of Object.entries(o)) {
    errs.push(...invalidEach(path, k, isQualifiedName(k)));
    if (typeof v !== 'string') errs.push(field.invalid(path, v, 'label values must be strings'));
    else errs.push(...invalidEach(path, v, isValidLabelValue(v)));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const o = obj(annotations);
  if (!o) return errs;
  let size = 0;
  for (const [k, v] of Object.entries(o)) {
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  for (const r of arr(refs)) {
    const ref = obj(r) ?? {};
    const apiVersion = str(ref.apiVersion) ?? '';
    const kind = str(ref.kind) ?? '';
    if (!apiVersion) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!kind) errs.push(field.invalid(`${path}.kind`, kind, 'kind must not be empty'));
    if (!str(ref.name)) errs.push(field.invalid(`${path}.name`, str(ref.name) ?? '', 'name must not be empty'));
    if (!str(ref.uid)) errs.push(field.invalid(`${path}.uid`, str(ref.uid) ?? '', 'uid must not be empty'));
    if (ref.controller === true) controllers.push(`${str(ref.kind)}/${str(ref.name)}`);
  }
  if (controllers.length > 1) {
    errs.push(
      field.invalid(
        path,
        refs,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
      ),
    );
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of arr(finalizers)) {
    const name = String(f);
    const msgs = isQualifiedName(name);
    if (msgs.length) errs.push(...invalidEach(path, name, msgs));
    else if (!STANDARD_FINALIZERS.has(name) && !name.includes('/')) {
      errs.push(field.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

export interface MetaRules {
  namespaced: boolean;
  name: NameCheck;
}

export function validateObjectMeta(o: KubeObject, rules: MetaRules): FieldError[] {
  const errs: FieldError[] = [];
  const meta: ObjectMeta = obj(o.metadata) ?? {};
  const name = meta.name ?? '';
  if (meta.generateName) {
    // The prefix gets a random suffix, so a trailing '-' is fine (upstream masks it with 'a').
    for (const m of rules.name(meta.generateName.replace(/-$/, 'a')))
      errs.push(field.invalid('metadata.generateName', meta.generateName, m));
  }
  if (!name) {
    if (!meta.generateName) errs.push(field.required('metadata.name', 'name or generateName is required'));
  } else {
    errs.push(...invalidEach('metadata.name', name, rules.name(name)));
  }
  if (rules.namespaced) {
    if (!meta.namespace) errs.push(field.required('metadata.namespace', ''));
    else errs.push(...invalidEach('metadata.namespace', meta.namespace, isDNS1123Label(meta.namespace)));
  } else if (meta.namespace) {
    errs.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) {
    errs.push(field.invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  return errs;
}

export function validateObjectMetaUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const m = o.metadata ?? {};
  const p = old.metadata ?? {};
  return [
    ...immutable('metadata.name', m.name, p.name),
    ...immutable('metadata.namespace', m.namespace, p.namespace),
    ...immutable('metadata.uid', m.uid, p.uid),
    ...immutable('metadata.creationTimestamp', m.creationTimestamp, p.creationTimestamp),
  ];
}

export const nameIsDNSSubdomain: NameCheck = isDNS1123Subdomain;
export const nameIsDNSLabel: NameCheck = isDNS1123Label;
