// An immutable-per-cycle view of the cluster: the node list in a stable order plus lookups by name.
// Built by the cache (incrementally) or from plain objects in tests with `snapshotOf`.

import type { Node, Pod } from '../../core/types.js';
import { NodeInfo } from './node-info.js';
import { podInfoOf } from './pod-info.js';
import { EMPTY_VOLUME_LISTER, type VolumeLister } from './volumes.js';

export class Snapshot {
  /** Nodes in a stable order; the feasible-node search rotates through it. */
  nodes: NodeInfo[] = [];
  byName = new Map<string, NodeInfo>();
  /** Nodes with at least one pod carrying (anti-)affinity terms; InterPodAffinity scans only these. */
  private affinityNodes: NodeInfo[] | undefined;
  private antiAffinityNodes: NodeInfo[] | undefined;
  /** Cache generation this snapshot reflects. */
  generation = 0;
  /** Claims, volumes and classes (the scheduler's VolumeCache; changes only between cycles). */
  volumes: VolumeLister = EMPTY_VOLUME_LISTER;

  private positions = new Map<string, number>();

  /** Replaces the node list (stable order) and re-indexes positions. */
  setNodes(list: NodeInfo[]): void {
    this.nodes = list;
    this.positions = new Map(list.map((n, i) => [n.name, i]));
  }

  positionOf(name: string): number | undefined {
    return this.positions.get(name);
  }

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  /** Call after changing `nodes` so derived lists are recomputed lazily. */
  invalidate(): void {
    this.affinityNodes = undefined;
    this.antiAffinityNodes = undefined;
  }

  /**
   * Set by the cache: whether any pod has (anti-)affinity terms / required anti-affinity, so the
   * common case (none) costs nothing instead of a scan of every node per cycle.
   */
  anyPodWithAffinity = true;
  anyPodWithRequiredAntiAffinity = true;

  get nodesWithPodsWithAffinity(): NodeInfo[] {
    if (!this.anyPodWithAffinity) return [];
    this.affinityNodes ??= this.nodes.filter((n) => n.podsWithAffinity.length > 0);
    return this.affinityNodes;
  }

  get nodesWithPodsWithRequiredAntiAffinity(): NodeInfo[] {
    if (!this.anyPodWithRequiredAntiAffinity) return [];
    this.antiAffinityNodes ??= this.nodes.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
    return this.antiAffinityNodes;
  }
}

/** A snapshot from plain objects: pods with spec.nodeName are placed on their node. */
export function snapshotOf(nodes: Node[], pods: Pod[] = [], volumes?: VolumeLister): Snapshot {
  const s = new Snapshot();
  if (volumes) s.volumes = volumes;
  for (const n of nodes) {
    const info = new NodeInfo(n.metadata.name ?? '', n);
    s.byName.set(info.name, info);
  }
  s.setNodes([...s.byName.values()]);
  for (const p of pods) {
    const name = p.spec?.nodeName;
    if (name) s.byName.get(name)?.addPod(podInfoOf(p));
  }
  return s;
}
