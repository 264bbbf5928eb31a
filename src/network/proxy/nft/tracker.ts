// Holds the fragments that make up the desired rule set and turns a change of some of them into the nft
// commands that touch only what changed. Shared objects are owned by every fragment that contributes them:
// a chain or element exists while one owner is left; when owners disagree on an element's value, the owner
// with the smallest key wins (deterministic, and logged by the caller as a conflict if it matters).
import type { ChainDef, ElementDef, Fragment, SetDef } from './fragment.js';
import { TABLE_REF } from './names.js';

export interface Ruleset {
  chains: Map<string, ChainDef>;
  sets: Map<string, SetDef>;
  /** set name → its elements */
  elements: Map<string, ElementDef[]>;
}

/** Names of what is in the kernel's table now, for a resync to delete leftovers. */
export interface ExistingTable {
  chains: string[];
  sets: string[];
  maps: string[];
}

/**
 * Who contributes an object: nearly always one owner (kept inline, no Map per element); shared objects
 * (the pick chains, a hairpin pair of an endpoint in two services) keep the others in a Map.
 */
interface Owned<T> {
  owner: string;
  value: T;
  others?: Map<string, T>;
}

function effective<T>(o: Owned<T> | undefined): T | undefined {
  if (!o) return undefined;
  if (!o.others || o.others.size === 0) return o.value;
  let best = o.owner;
  let value = o.value;
  for (const [k, v] of o.others) {
    if (k < best) {
      best = k;
      value = v;
    }
  }
  return value;
}

function claim<T>(index: Map<string, Owned<T>>, name: string, owner: string, value: T): void {
  const o = index.get(name);
  if (!o) index.set(name, { owner, value });
  else if (o.owner === owner) o.value = value;
  else {
    o.others ??= new Map();
    o.others.set(owner, value);
  }
}

function release<T>(index: Map<string, Owned<T>>, name: string, owner: string): void {
  const o = index.get(name);
  if (!o) return;
  if (o.owner !== owner) {
    o.others?.delete(owner);
    return;
  }
  const next = o.others?.entries().next();
  if (!next || next.done) {
    index.delete(name);
    return;
  }
  const [k, v] = next.value;
  o.others!.delete(k);
  o.owner = k;
  o.value = v;
}

function getOrCreate<K, V>(m: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let v = m.get(key);
  if (!v) {
    v = new Map();
    m.set(key, v);
  }
  return v;
}

const sameChain = (a: ChainDef | undefined, b: ChainDef | undefined) =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.hook === b.hook &&
    a.rules.length === b.rules.length &&
    a.rules.every((r, i) => r === b.rules[i]));
const sameSet = (a: SetDef | undefined, b: SetDef | undefined) =>
  a === b ||
  (a !== undefined && b !== undefined && a.kind === b.kind && a.spec === b.spec && !!a.dynamic === !!b.dynamic);
const sameElement = (a: ElementDef | undefined, b: ElementDef | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.value === b.value && a.comment === b.comment);

const ELEMENTS_PER_COMMAND = 1000;

function elementText(e: ElementDef): string {
  const comment = e.comment ? ` comment ${e.comment}` : '';
  return e.value === undefined ? `${e.key}${comment}` : `${e.key}${comment} : ${e.value}`;
}

function pushElements(out: string[], verb: 'add' | 'delete', set: string, items: string[]): void {
  for (let i = 0; i < items.length; i += ELEMENTS_PER_COMMAND) {
    out.push(`${verb} element ${TABLE_REF} ${set} { ${items.slice(i, i + ELEMENTS_PER_COMMAND).join(', ')} }`);
  }
}

function chainCommand(c: ChainDef): string {
  return c.hook ? `add chain ${TABLE_REF} ${c.name} { ${c.hook} }` : `add chain ${TABLE_REF} ${c.name}`;
}

function rulesOf(c: ChainDef, out: string[]): void {
  for (const r of c.rules) out.push(`add rule ${TABLE_REF} ${c.name} ${r}`);
}

export class RulesetTracker {
  private readonly fragments = new Map<string, Fragment>();
  private readonly chainOwners = new Map<string, Owned<ChainDef>>();
  private readonly setOwners = new Map<string, Owned<SetDef>>();
  private readonly elementOwners = new Map<string, Map<string, Owned<ElementDef>>>();

  /** A tracker holding `fragments` (keyed by owner), built without computing any transaction. */
  static of(fragments: ReadonlyMap<string, Fragment>): RulesetTracker {
    const t = new RulesetTracker();
    for (const [owner, f] of fragments) t.add(owner, f);
    return t;
  }

  get size(): number {
    return this.fragments.size;
  }

  has(key: string): boolean {
    return this.fragments.has(key);
  }

  /**
   * Replaces the fragments named in `changes` (undefined removes one) and returns the transaction that
   * takes the kernel from the previous rule set to the new one ('' when nothing changed). The tracker
   * holds the new state afterwards: if the transaction fails, the caller resyncs in full.
   */
  update(changes: ReadonlyMap<string, Fragment | undefined>): string {
    const touchedChains = new Map<string, ChainDef | undefined>(); // name → effective before
    const touchedSets = new Map<string, SetDef | undefined>();
    const touchedElements = new Map<string, Map<string, ElementDef | undefined>>();
    const note = (f: Fragment) => {
      for (const c of f.chains)
        if (!touchedChains.has(c.name)) touchedChains.set(c.name, effective(this.chainOwners.get(c.name)));
      for (const x of f.sets)
        if (!touchedSets.has(x.name)) touchedSets.set(x.name, effective(this.setOwners.get(x.name)));
      for (const e of f.elements) {
        const m = getOrCreate(touchedElements, e.set);
        if (!m.has(e.key)) m.set(e.key, effective(this.elementOwners.get(e.set)?.get(e.key)));
      }
    };
    for (const [owner, next] of changes) {
      const prev = this.fragments.get(owner);
      if (prev) {
        note(prev);
        this.remove(owner, prev);
      }
      if (next) {
        note(next);
        this.add(owner, next);
      }
    }

    const addSets: string[] = [];
    const deleteSets: string[] = [];
    for (const [name, before] of touchedSets) {
      const after = effective(this.setOwners.get(name));
      if (sameSet(before, after)) continue;
      if (before && after) throw new Error(`nft set ${name} changed its definition; needs a full resync`);
      if (after) addSets.push(`add ${after.kind} ${TABLE_REF} ${after.name} { ${after.spec} }`);
      else if (before) deleteSets.push(`delete ${before.kind} ${TABLE_REF} ${before.name}`);
    }
    const addChains: string[] = [];
    const rewriteRules: string[] = [];
    const removedChains: string[] = [];
    for (const [name, before] of touchedChains) {
      const after = effective(this.chainOwners.get(name));
      if (sameChain(before, after)) continue;
      if (after) {
        if (!before) addChains.push(chainCommand(after));
        else rewriteRules.push(`flush chain ${TABLE_REF} ${name}`);
        rulesOf(after, rewriteRules);
      } else {
        removedChains.push(name);
      }
    }
    const elementDeletes: string[] = [];
    const elementAdds: string[] = [];
    for (const [set, keys] of touchedElements) {
      const dels: string[] = [];
      const adds: string[] = [];
      const owners = this.elementOwners.get(set);
      for (const [key, before] of keys) {
        const after = effective(owners?.get(key));
        if (sameElement(before, after)) continue;
        if (before) dels.push(key);
        if (after) adds.push(elementText(after));
      }
      pushElements(elementDeletes, 'delete', set, dels);
      pushElements(elementAdds, 'add', set, adds);
    }
    // Order: new containers first, then rules and elements that may point at them, then what nothing
    // points at any more (chains flushed before any is deleted, since they may reference each other).
    return [
      ...addSets,
      ...addChains,
      ...rewriteRules,
      ...elementDeletes,
      ...elementAdds,
      ...removedChains.map((n) => `flush chain ${TABLE_REF} ${n}`),
      ...removedChains.map((n) => `delete chain ${TABLE_REF} ${n}`),
      ...deleteSets,
    ]
      .map((l) => `${l}\n`)
      .join('');
  }

  /** Name → kind of every set and map. */
  setKinds(): Map<string, 'set' | 'map'> {
    const out = new Map<string, 'set' | 'map'>();
    for (const [name, o] of this.setOwners) out.set(name, o.value.kind);
    return out;
  }

  /** The whole rule set the fragments make. */
  ruleset(): Ruleset {
    const chains = new Map<string, ChainDef>();
    for (const [name, o] of this.chainOwners) chains.set(name, effective(o)!);
    const sets = new Map<string, SetDef>();
    for (const [name, o] of this.setOwners) sets.set(name, effective(o)!);
    const elements = new Map<string, ElementDef[]>();
    for (const [set, keys] of this.elementOwners) {
      const list: ElementDef[] = [];
      for (const o of keys.values()) list.push(effective(o)!);
      if (list.length > 0) elements.set(set, list);
    }
    return { chains, sets, elements };
  }

  private add(owner: string, f: Fragment): void {
    for (const c of f.chains) claim(this.chainOwners, c.name, owner, c);
    for (const x of f.sets) claim(this.setOwners, x.name, owner, x);
    for (const e of f.elements) claim(getOrCreate(this.elementOwners, e.set), e.key, owner, e);
    this.fragments.set(owner, f);
  }

  private remove(owner: string, f: Fragment): void {
    for (const c of f.chains) release(this.chainOwners, c.name, owner);
    for (const x of f.sets) release(this.setOwners, x.name, owner);
    for (const e of f.elements) {
      const m = this.elementOwners.get(e.set);
      if (m) release(m, e.key, owner);
    }
    this.fragments.delete(owner);
  }
}

export const TABLE_COMMENT = 'rules of the tutti service proxy';

/**
 * The transaction of a full resync. With `existing` (the kernel's table now), the table is kept and
 * refilled: every chain flushed and rewritten, every map refilled, leftovers deleted, affinity sets kept
 * with their clients. Without it the table is deleted and created anew in the same transaction.
 */
export function fullSyncScript(rs: Ruleset, existing?: ExistingTable): string {
  const out: string[] = [`add table ${TABLE_REF} { comment "${TABLE_COMMENT}" ; }`];
  if (existing) {
    out.push(`flush table ${TABLE_REF}`);
    const existingSets = new Set([...existing.sets, ...existing.maps]);
    for (const s of rs.sets.values()) {
      if (existingSets.has(s.name) && !s.dynamic) out.push(`flush ${s.kind} ${TABLE_REF} ${s.name}`);
    }
    for (const name of existing.sets) if (!rs.sets.has(name)) out.push(`delete set ${TABLE_REF} ${name}`);
    for (const name of existing.maps) if (!rs.sets.has(name)) out.push(`delete map ${TABLE_REF} ${name}`);
    for (const name of existing.chains) if (!rs.chains.has(name)) out.push(`delete chain ${TABLE_REF} ${name}`);
  } else {
    out.push(`delete table ${TABLE_REF}`, `add table ${TABLE_REF} { comment "${TABLE_COMMENT}" ; }`);
  }
  for (const s of rs.sets.values()) out.push(`add ${s.kind} ${TABLE_REF} ${s.name} { ${s.spec} }`);
  for (const c of rs.chains.values()) out.push(chainCommand(c));
  for (const [set, list] of rs.elements) {
    if (rs.sets.get(set)?.dynamic) continue;
    pushElements(out, 'add', set, list.map(elementText));
  }
  for (const c of rs.chains.values()) rulesOf(c, out);
  return out.map((l) => `${l}\n`).join('');
}

/** Deletes the table (and so everything the proxy made); `add` first so that a missing table is no error. */
export function deleteTableScript(): string {
  return `add table ${TABLE_REF}\ndelete table ${TABLE_REF}\n`;
}
