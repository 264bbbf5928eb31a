// Server-side apply meets client-side apply, as the apiserver's fieldmanager decorators do it
// (lastappliedmanager.go, lastappliedupdater.go), for the field manager `kubectl` only:
// - a conflict on a field whose live value still equals the one in the
//   `kubectl.kubernetes.io/last-applied-configuration` annotation is not a conflict (the client-side apply
//   that set it meant the same thing), so the apply goes through forced; other conflicts stay;
// - after such an apply, an object that carries the annotation gets it rewritten to the applied configuration,
//   so a later client-side apply diffs against what was applied last.
// kubectl then moves the client-side manager's ownership to itself with a JSON patch of managedFields
// (client-go csaupgrade), which the update pipeline accepts like any client-set managedFields.
import { type ApplyRequest, type ApplyResult, pathToString, serverSideApply } from '../../apimachinery/patch/index.js';
import { compare, toFieldSet } from '../../apimachinery/patch/index.js';
import type { FieldSet } from '../../apimachinery/patch/index.js';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { isPlainObject } from '../../core/json.js';
import { StatusError } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const KUBECTL_MANAGER = 'kubectl';

/** The fields the last-applied annotation sets to their live values; undefined without an annotation. */
export function allowedConflictsFromLastApplied(
  live: KubeObject,
  schema: SchemaNode | undefined,
): FieldSet | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(last)) return undefined;
  const { managedFields: _m, ...liveMeta } = live.metadata;
  const c = compare(last, { ...live, metadata: liveMeta }, schema);
  return toFieldSet(last, schema).difference(c.modified).difference(c.removed);
}

/** Go's encoding/json of a decoded object: map keys sorted, <, > and & escaped; the Encoder's newline. */
export function goJson(v: unknown): string {
  const enc = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(enc).join(',')}]`;
    if (isPlainObject(x)) {
      return `{${Object.keys(x)
        .filter((k) => x[k] !== undefined)
        .sort()
        .map((k) => `${enc(k)}:${enc(x[k])}`)
        .join(',')}}`;
    }
    if (typeof x === 'string') {
      return JSON.stringify(x).replace(
        /[<>&\u2028\u2029]/g,
        (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    }
    return JSON.stringify(x ?? null);
  };
  return `${enc(v)}\n`;
}

/** buildLastApplied: the applied configuration without the annotation itself. */
export function buildLastApplied(applied: KubeObject): string {
  const copy = structuredClone(applied);
  const annotations = copy.metadata?.annotations;
  // Unstructured.SetAnnotations keeps an emptied map as {}.
  if (annotations) delete annotations[LAST_APPLIED];
  return goJson(copy);
}

/** serverSideApply with the two decorators above. */
export function applyUpgradingLastApplied(req: ApplyRequest): ApplyResult {
  let res: ApplyResult;
  try {
    res = serverSideApply(req);
  } catch (err) {
    if (req.manager !== KUBECTL_MANAGER || req.force || !req.live) throw err;
    const causes = err instanceof StatusError && err.code === 409 ? err.details?.causes : undefined;
    if (!causes || causes.length === 0) throw err;
    const allowed = allowedConflictsFromLastApplied(req.live, req.schema);
    if (!allowed) throw err;
    const paths = new Set(allowed.paths().map(pathToString));
    if (!causes.every((c) => c.field !== undefined && paths.has(c.field))) throw err;
    res = serverSideApply({ ...req, force: true });
  }
  if (req.manager === KUBECTL_MANAGER && req.live?.metadata.annotations?.[LAST_APPLIED] !== undefined) {
    const meta = res.object.metadata;
    meta.annotations = { ...(meta.annotations ?? {}), [LAST_APPLIED]: buildLastApplied(req.applied) };
  }
  return res;
}
