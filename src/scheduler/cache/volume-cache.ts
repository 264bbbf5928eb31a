// Claims, volumes and StorageClasses as the informers last saw them, with the volumes indexed by class (what
// the VolumeBinding plugin asks for). Updated between scheduling cycles, so a cycle sees one state.

import { type PersistentVolume, type PersistentVolumeClaim, type StorageClass, volumeClass } from '../../core/index.js';
import type { VolumeLister } from '../framework/volumes.js';

const claimKey = (namespace: string, name: string) => `${namespace}/${name}`;

export class VolumeCache implements VolumeLister {
  private readonly claims = new Map<string, PersistentVolumeClaim>();
  private readonly volumes = new Map<string, PersistentVolume>();
  /** class -> volume name -> volume. */
  private readonly byClass = new Map<string, Map<string, PersistentVolume>>();
  /** Lists handed out per class, rebuilt after a change of that class. */
  private readonly lists = new Map<string, readonly PersistentVolume[]>();
  readonly classes = new Map<string, StorageClass>();

  claim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.get(claimKey(namespace, name));
  }

  volume(name: string): PersistentVolume | undefined {
    return this.volumes.get(name);
  }

  volumesOfClass(className: string): readonly PersistentVolume[] {
    let list = this.lists.get(className);
    if (!list) {
      list = [...(this.byClass.get(className)?.values() ?? [])];
      this.lists.set(className, list);
    }
    return list;
  }

  setClaim(claim: PersistentVolumeClaim): void {
    this.claims.set(claimKey(claim.metadata.namespace ?? '', claim.metadata.name ?? ''), claim);
  }

  removeClaim(claim: PersistentVolumeClaim): void {
    this.claims.delete(claimKey(claim.metadata.namespace ?? '', claim.metadata.name ?? ''));
  }

  setVolume(pv: PersistentVolume): void {
    const name = pv.metadata.name ?? '';
    const old = this.volumes.get(name);
    if (old) this.unindex(old);
    this.volumes.set(name, pv);
    const cls = volumeClass(pv);
    let m = this.byClass.get(cls);
    if (!m) {
      m = new Map();
      this.byClass.set(cls, m);
    }
    m.set(name, pv);
    this.lists.delete(cls);
  }

  removeVolume(pv: PersistentVolume): void {
    const name = pv.metadata.name ?? '';
    const old = this.volumes.get(name);
    if (!old) return;
    this.unindex(old);
    this.volumes.delete(name);
  }

  setClass(sc: StorageClass): void {
    this.classes.set(sc.metadata.name ?? '', sc);
  }

  removeClass(sc: StorageClass): void {
    this.classes.delete(sc.metadata.name ?? '');
  }

  private unindex(pv: PersistentVolume): void {
    const cls = volumeClass(pv);
    const m = this.byClass.get(cls);
    m?.delete(pv.metadata.name ?? '');
    if (m?.size === 0) this.byClass.delete(cls);
    this.lists.delete(cls);
  }
}

/** A cache holding these objects (tests and benchmarks). */
export function volumeCacheOf(o: {
  claims?: PersistentVolumeClaim[];
  volumes?: PersistentVolume[];
  classes?: StorageClass[];
}): VolumeCache {
  const c = new VolumeCache();
  for (const x of o.claims ?? []) c.setClaim(x);
  for (const x of o.volumes ?? []) c.setVolume(x);
  for (const x of o.classes ?? []) c.setClass(x);
  return c;
}
