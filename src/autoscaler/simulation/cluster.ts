// A what-if copy of the cluster for the planners: the scheduler framework's Snapshot of NodeInfos, with
// nodes and pods added or removed during a simulation. fork() is cheap: node infos are shared until a
// fork changes one (copy on write), so each node group's estimate starts from the same base.

import type { Node, Pod } from '../../core/types.js';
import { NodeInfo } from '../../scheduler/framework/node-info.js';
import { hasAffinityTerms, type PodInfo, podInfoOf } from '../../scheduler/framework/pod-info.js';
import { Snapshot } from '../../scheduler/framework/snapshot.js';

export class ClusterSimulation {
  readonly snapshot = new Snapshot();
  /** Node infos this simulation may change in place (made or cloned by it). */
  private readonly owned = new Set<string>();

  private constructor() {}

  /** Nodes and the pods bound to them (pods on other nodes, or unbound, are ignored). */
  static of(nodes: readonly Node[], pods: readonly Pod[] = []): ClusterSimulation {
    const sim = new ClusterSimulation();
    for (const n of nodes) {
      const info = new NodeInfo(n.metadata.name ?? '', n);
      sim.snapshot.byName.set(info.name, info);
      sim.owned.add(info.name);
    }
    for (const p of pods) {
      const info = sim.snapshot.byName.get(p.spec?.nodeName ?? '');
      if (info) info.addPod(podInfoOf(p));
    }
    sim.reindex();
    return sim;
  }

  fork(): ClusterSimulation {
    const f = new ClusterSimulation();
    for (const [name, info] of this.snapshot.byName) f.snapshot.byName.set(name, info);
    f.snapshot.setNodes(this.snapshot.nodes.slice());
    f.snapshot.anyPodWithAffinity = this.snapshot.anyPodWithAffinity;
    f.snapshot.anyPodWithRequiredAntiAffinity = this.snapshot.anyPodWithRequiredAntiAffinity;
    return f;
  }

  get nodes(): readonly NodeInfo[] {
    return this.snapshot.nodes;
  }

  get(name: string): NodeInfo | undefined {
    return this.snapshot.byName.get(name);
  }

  /** Adds an empty node (it joins no affinity list, so the plugins' derived lists stay valid). */
  addNode(node: Node): NodeInfo {
    const info = new NodeInfo(node.metadata.name ?? '', node);
    if (this.snapshot.byName.has(info.name)) throw new Error(`simulation already has node ${info.name}`);
    this.snapshot.byName.set(info.name, info);
    this.owned.add(info.name);
    // This simulation's own array (fork copies it): appended in place rather than re-indexed with
    // setNodes, which is O(nodes) per added node. Snapshot.positionOf serves only the scheduler cache's
    // incremental updates and is not used on a simulation.
    this.snapshot.nodes.push(info);
    return info;
  }

  removeNode(name: string): void {
    if (!this.snapshot.byName.delete(name)) return;
    this.owned.delete(name);
    this.snapshot.setNodes(this.snapshot.nodes.filter((n) => n.name !== name));
    this.reindex();
  }

  addPod(pod: PodInfo, nodeName: string): void {
    const info = this.writable(nodeName);
    info.addPod(pod);
    // Only a pod with (anti-)affinity terms changes the lists of nodes that have such pods.
    if (hasAffinityTerms(pod)) {
      this.snapshot.anyPodWithAffinity = true;
      if (pod.requiredAntiAffinity.length > 0) this.snapshot.anyPodWithRequiredAntiAffinity = true;
      this.snapshot.invalidate();
    }
  }

  removePod(uid: string, nodeName: string): void {
    if (this.writable(nodeName).removePod(uid)) this.snapshot.invalidate();
  }

  /** The node info, cloned first if it is shared with the simulation this one was forked from. */
  private writable(name: string): NodeInfo {
    const info = this.snapshot.byName.get(name);
    if (!info) throw new Error(`simulation has no node ${name}`);
    if (this.owned.has(name)) return info;
    const copy = info.clone();
    this.snapshot.byName.set(name, copy);
    // Same position, in this simulation's own array.
    this.snapshot.nodes[this.snapshot.nodes.indexOf(info)] = copy;
    this.owned.add(name);
    // The derived affinity lists may hold the shared original.
    if (info.podsWithAffinity.length > 0) this.snapshot.invalidate();
    return copy;
  }

  /** Recomputes the node order and whether any pod has affinity terms (the plugins' fast paths). */
  private reindex(): void {
    const list = [...this.snapshot.byName.values()];
    this.snapshot.setNodes(list);
    this.snapshot.anyPodWithAffinity = list.some((n) => n.podsWithAffinity.length > 0);
    this.snapshot.anyPodWithRequiredAntiAffinity = list.some((n) => n.podsWithRequiredAntiAffinity.length > 0);
    this.snapshot.invalidate();
  }
}
