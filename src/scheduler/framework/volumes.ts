// What the VolumeBinding plugin reads of the cluster's storage (upstream's PVC, PV and StorageClass listers
// and the binder's pvCache.ListPVs(class)). The scheduler's VolumeCache implements it from informers; tests
// build one from plain objects with `volumeCacheOf`.

import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../core/types.js';

export interface VolumeLister {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  /** The volumes of one class (by their class as GetPersistentVolumeClass reads it). */
  volumesOfClass(className: string): readonly PersistentVolume[];
  /** StorageClasses by name. */
  readonly classes: ReadonlyMap<string, StorageClass>;
  /**
   * Upstream's assume cache (AssumePodVolumes): until the informers bring a newer object, answer with this
   * volume (its claimRef set to the claim the scheduler chose it for) / this claim (its selected node set).
   */
  assumeVolume(pv: PersistentVolume): void;
  assumeClaim(claim: PersistentVolumeClaim): void;
  /** Drop an assumption (the bind failed). */
  restoreVolume(name: string): void;
  restoreClaim(namespace: string, name: string): void;
}

const NONE: readonly PersistentVolume[] = Object.freeze([]);

/** A lister with nothing in it: every claim is missing. */
export const EMPTY_VOLUME_LISTER: VolumeLister = {
  claim: () => undefined,
  volume: () => undefined,
  volumesOfClass: () => NONE,
  classes: new Map(),
  assumeVolume: () => {},
  assumeClaim: () => {},
  restoreVolume: () => {},
  restoreClaim: () => {},
};
