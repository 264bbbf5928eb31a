// Field sets in the FieldsV1 wire form of sigs.k8s.io/structured-merge-diff: a tree keyed by path elements
// `f:<field>`, `k:<json key of a list-map element>`, `v:<json set value>`, `i:<index>`; `.` marks the node
// itself as a member when it also has children.
import { isPlainObject, type JsonMap } from './json-value.js';

/** One serialized path element, e.g. 'f:spec' or 'k:{"name":"c"}'. */
export type PathElement = string;
export type FieldPath = PathElement[];

export const fieldPE = (name: string): PathElement => `f:${name}`;
export const valuePE = (value: unknown): PathElement => `v:${JSON.stringify(value)}`;
export const indexPE = (i: number): PathElement => `i:${i}`;
/** A list-map element's key: its key fields, sorted by name, as compact JSON. */
export function keyPE(fields: Record<string, unknown>): PathElement {
  const sorted: JsonMap = {};
  for (const name of Object.keys(fields).sort()) sorted[name] = fields[name];
  return `k:${JSON.stringify(sorted)}`;
}

const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };
const F = 'f'.charCodeAt(0);
/** Order of path elements in serialized sets: fields, then keys, values, indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  const ra = RANK[a[0]!] ?? 4;
  const rb = RANK[b[0]!] ?? 4;
  if (ra !== rb) return ra - rb;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The upstream display form of a path (fieldpath.Path.String): `.spec.containers[name="c"].image`. */
export function pathToString(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as JsonMap;
          return `[${Object.entries(key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Parses a FieldsV1 object; throws on a malformed one. */
  static fromFieldsV1(json: unknown): FieldSet {
    const s = new FieldSet();
    if (!isPlainObject(json)) throw new Error('FieldsV1 must be an object');
    for (const [pe, value] of Object.entries(json)) {
      if (pe === '.') continue;
      if (!/^[fkvi]:/.test(pe)) throw new Error(`invalid path element ${JSON.stringify(pe)}`);
      if (!isPlainObject(value)) throw new Error(`FieldsV1 entry ${pe} must be an object`);
      const keys = Object.keys(value);
      if (keys.length === 0 || Object.hasOwn(value, '.')) s.members.add(pe);
      if (keys.some((k) => k !== '.')) s.children.set(pe, FieldSet.fromFieldsV1(value));
    }
    return s;
  }

  toFieldsV1(): JsonMap {
    return this.writeFieldsV1({});
  }

  /** Writes this set's entries into `out` (after what it holds, e.g. `.`), in the serialized order. */
  private writeFieldsV1(out: JsonMap): JsonMap {
    const pes: PathElement[] = [];
    // Nearly every node holds field names only: their order is plain string order (comparePE's within a rank).
    let fieldsOnly = true;
    for (const pe of this.members) {
      pes.push(pe);
      if (pe.charCodeAt(0) !== F) fieldsOnly = false;
    }
    for (const pe of this.children.keys()) {
      if (this.members.has(pe)) continue;
      pes.push(pe);
      if (pe.charCodeAt(0) !== F) fieldsOnly = false;
    }
    if (fieldsOnly) pes.sort();
    else pes.sort(comparePE);
    for (const pe of pes) {
      const child = this.children.get(pe);
      if (child && !child.isEmpty()) out[pe] = child.writeFieldsV1(this.members.has(pe) ? { '.': {} } : {});
      else out[pe] = {};
    }
    return out;
  }

  /** Adds a path (its last element becomes a member). */
  insert(path: FieldPath): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (const pe of path.slice(0, -1)) node = node.childOrCreate(pe);
    node.members.add(path[path.length - 1]!);
  }

  has(path: FieldPath): boolean {
    let node: FieldSet | undefined = this;
    for (const pe of path.slice(0, -1)) {
      node = node.children.get(pe);
      if (!node) return false;
    }
    return path.length > 0 && node.members.has(path[path.length - 1]!);
  }

  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(pe);
  }

  childOrCreate(pe: PathElement): FieldSet {
    let c = this.children.get(pe);
    if (!c) {
      c = new FieldSet();
      this.children.set(pe, c);
    }
    return c;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** True if pe is a member here or anything below pe is. */
  touches(pe: PathElement): boolean {
    return this.members.has(pe) || !(this.children.get(pe)?.isEmpty() ?? true);
  }

  /** Whether the set holds nothing at all (no member, no child node): a cheaper test than isEmpty. */
  private isBare(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  // Sets are not modified once made (only while being built), so union and difference may return one of
  // their operands when the other adds or takes away nothing.
  union(other: FieldSet): FieldSet {
    if (other.isBare()) return this;
    if (this.isBare()) return other;
    const out = this.clone();
    for (const m of other.members) out.members.add(m);
    for (const [pe, c] of other.children) {
      const mine = out.children.get(pe);
      out.children.set(pe, mine ? mine.union(c) : c.clone());
    }
    return out;
  }

  /** Members of this set not in other, compared path by path (fieldpath.Set.Difference). */
  difference(other: FieldSet): FieldSet {
    if (other.isBare()) return this;
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const theirs = other.children.get(pe);
      const diff = theirs ? c.difference(theirs) : c.clone();
      if (!diff.isEmpty()) out.children.set(pe, diff);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const theirs = other.children.get(pe);
      if (!theirs) continue;
      const both = c.intersection(theirs);
      if (!both.isEmpty()) out.children.set(pe, both);
    }
    return out;
  }

  /** Whether the sets share a member path: `!intersection(other).isEmpty()` without building it. */
  intersects(other: FieldSet): boolean {
    for (const m of this.members) if (other.members.has(m)) return true;
    for (const [pe, c] of this.children) {
      const theirs = other.children.get(pe);
      if (theirs && c.intersects(theirs)) return true;
    }
    return false;
  }

  /** Whether every member path of this set is one of other's: `difference(other).isEmpty()` without building it. */
  isSubsetOf(other: FieldSet): boolean {
    for (const m of this.members) if (!other.members.has(m)) return false;
    for (const [pe, c] of this.children) {
      const theirs = other.children.get(pe);
      if (theirs ? !c.isSubsetOf(theirs) : !c.isEmpty()) return false;
    }
    return true;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every member path, in serialization order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    const pes = [...new Set([...this.members, ...this.children.keys()])].sort(comparePE);
    for (const pe of pes) {
      if (this.members.has(pe)) out.push([...prefix, pe]);
      const c = this.children.get(pe);
      if (c) out.push(...c.paths([...prefix, pe]));
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [pe, c] of this.children) out.children.set(pe, c.clone());
    return out;
  }
}
