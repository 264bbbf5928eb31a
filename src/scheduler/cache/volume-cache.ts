// Claims, volumes and StorageClasses as the informers last saw them, with the volumes indexed by class (what
// the VolumeBinding plugin asks for), plus the scheduler's assumptions (upstream's PV and PVC assume caches): a
// volume chosen for a claim reads as bound to it, a claim to be provisioned reads as placed on the pod's node,
// until the informers deliver a newer version of that object (the PV controller acted), the claim is bound
// elsewhere or goes, or the bind fails. Updated between scheduling cycles, so a cycle sees one state.

import {
  isClaimFullyBound,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
  volumeClass,
} from '../../core/index.js';
import type { VolumeLister } from '../framework/volumes.js';

const claimKey = (namespace: string, name: string) => `${namespace}/${name}`;
const keyOf = (c: PersistentVolumeClaim) => claimKey(c.metadata.namespace ?? '', c.metadata.name ?? '');

export class VolumeCache implements VolumeLister {
  private readonly claims = new Map<string, PersistentVolumeClaim>();
  private readonly volumes = new Map<string, PersistentVolume>();
  private readonly assumedClaims = new Map<string, PersistentVolumeClaim>();
  private readonly assumedVolumes = new Map<string, PersistentVolume>();
  /** class -> volume name -> the volume as the scheduler sees it (assumed over informed). */
  private readonly byClass = new Map<string, Map<string, PersistentVolume>>();
  /** Lists handed out per class, rebuilt after a change of that class. */
  private readonly lists = new Map<string, readonly PersistentVolume[]>();
  readonly classes = new Map<string, StorageClass>();

  claim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    const key = claimKey(namespace, name);
    return this.assumedClaims.get(key) ?? this.claims.get(key);
  }

  volume(name: string): PersistentVolume | undefined {
    return this.assumedVolumes.get(name) ?? this.volumes.get(name);
  }

  volumesOfClass(className: string): readonly PersistentVolume[] {
    let list = this.lists.get(className);
    if (!list) {
      list = [...(this.byClass.get(className)?.values() ?? [])];
      this.lists.set(className, list);
    }
    return list;
  }

  get assumed(): { volumes: number; claims: number } {
    return { volumes: this.assumedVolumes.size, claims: this.assumedClaims.size };
  }

  // --- informers --------------------------------------------------------------------------------

  setClaim(claim: PersistentVolumeClaim): void {
    const key = keyOf(claim);
    this.claims.set(key, claim);
    const assumed = this.assumedClaims.get(key);
    if (assumed && assumed.metadata.resourceVersion !== claim.metadata.resourceVersion) this.assumedClaims.delete(key);
    // Bound by the PV controller: volumes the scheduler assumed for it are settled (bound to it, or not chosen).
    if (isClaimFullyBound(claim)) this.restoreVolumesOf(key);
  }

  removeClaim(claim: PersistentVolumeClaim): void {
    const key = keyOf(claim);
    this.claims.delete(key);
    this.assumedClaims.delete(key);
    this.restoreVolumesOf(key);
  }

  setVolume(pv: PersistentVolume): void {
    const name = pv.metadata.name ?? '';
    this.volumes.set(name, pv);
    const assumed = this.assumedVolumes.get(name);
    if (assumed && assumed.metadata.resourceVersion !== pv.metadata.resourceVersion) this.assumedVolumes.delete(name);
    this.reindex(name);
  }

  removeVolume(pv: PersistentVolume): void {
    const name = pv.metadata.name ?? '';
    this.volumes.delete(name);
    this.assumedVolumes.delete(name);
    this.reindex(name);
  }

  setClass(sc: StorageClass): void {
    this.classes.set(sc.metadata.name ?? '', sc);
  }

  removeClass(sc: StorageClass): void {
    this.classes.delete(sc.metadata.name ?? '');
  }

  // --- assumptions ------------------------------------------------------------------------------

  assumeVolume(pv: PersistentVolume): void {
    const name = pv.metadata.name ?? '';
    if (!this.volumes.has(name)) return;
    this.assumedVolumes.set(name, pv);
    this.reindex(name);
  }

  restoreVolume(name: string): void {
    if (this.assumedVolumes.delete(name)) this.reindex(name);
  }

  assumeClaim(claim: PersistentVolumeClaim): void {
    const key = keyOf(claim);
    if (this.claims.has(key)) this.assumedClaims.set(key, claim);
  }

  restoreClaim(namespace: string, name: string): void {
    this.assumedClaims.delete(claimKey(namespace, name));
  }

  private restoreVolumesOf(claim: string): void {
    for (const [name, pv] of this.assumedVolumes) {
      const ref = pv.spec?.claimRef;
      if (ref && claimKey(ref.namespace ?? '', ref.name ?? '') === claim) this.restoreVolume(name);
    }
  }

  /** Puts the volume's effective version (assumed, else informed, else none) in its class's index. */
  private reindex(name: string): void {
    for (const [cls, m] of this.byClass) {
      if (!m.delete(name)) continue;
      this.lists.delete(cls);
      if (m.size === 0) this.byClass.delete(cls);
    }
    const pv = this.volume(name);
    if (!pv) return;
    const cls = volumeClass(pv);
    let m = this.byClass.get(cls);
    if (!m) {
      m = new Map();
      this.byClass.set(cls, m);
    }
    m.set(name, pv);
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
