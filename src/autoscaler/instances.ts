// The machines the autoscaler knows per group: those it is creating, those its providers list, and those
// it is removing. A group's target size is what it has and is creating (upstream: the cloud group's
// target); a machine is "upcoming" until its Node is Ready.

import { isReadyForAutoscaling } from './readiness.js';
import type { Node } from '../core/types.js';
import { type NodeCounts, emptyCounts } from './status.js';

export type InstancePhase = 'creating' | 'running' | 'deleting';

export interface Instance {
  name: string;
  group: string;
  phase: InstancePhase;
  /** When the machine was asked for (or first seen): the provision timeout counts from here. */
  requestedAt: number;
  /** The provider's create call while it runs. */
  creating?: Promise<void>;
  /** Its node has been seen Ready. */
  wasReady?: boolean;
}

export class Instances {
  private readonly byName = new Map<string, Instance>();

  get(name: string): Instance | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  add(i: Instance): void {
    this.byName.set(i.name, i);
  }

  remove(name: string): void {
    this.byName.delete(name);
  }

  ofGroup(group: string): Instance[] {
    return [...this.byName.values()].filter((i) => i.group === group);
  }

  all(): Instance[] {
    return [...this.byName.values()];
  }

  /** Nodes the group has or is creating, those being removed not counted. */
  targetSize(group: string): number {
    return this.ofGroup(group).filter((i) => i.phase !== 'deleting').length;
  }

  /**
   * Brings the group's list in line with what its provider lists: listed machines it did not know are
   * adopted; known ones no longer listed (and not being
   * created) are dropped and returned, so their Node objects can go.
   */
  reconcile(group: string, listed: readonly string[], nodes: ReadonlyMap<string, Node>, now: number): Instance[] {
    const names = new Set(listed);
    for (const name of names) {
      if (this.byName.has(name)) continue;
      const node = nodes.get(name);
      const ready = !!node && isReadyForAutoscaling(node);
      const created = Date.parse(node?.metadata.creationTimestamp ?? '');
      // One not Ready yet gets a whole provision time from now: it may be booting under a new leader.
      this.add({
        name,
        group,
        phase: 'running',
        requestedAt: ready && Number.isFinite(created) ? created : now,
        wasReady: ready,
      });
    }
    const gone: Instance[] = [];
    for (const i of this.ofGroup(group)) {
      if (i.phase === 'running' && !names.has(i.name)) {
        this.byName.delete(i.name);
        gone.push(i);
      }
    }
    return gone;
  }
}

export function isUpcoming(i: Instance, nodes: ReadonlyMap<string, Node>): boolean {
  if (i.phase === 'deleting') return false;
  const node = nodes.get(i.name);
  return !node || !isReadyForAutoscaling(node);
}

/** Upstream's node counts for one group (notStarted: registered, not Ready yet, within the provision time). */
export function countNodes(
  instances: readonly Instance[],
  nodes: ReadonlyMap<string, Node>,
  now: number,
  provisionMs: number,
): NodeCounts {
  const c = emptyCounts();
  for (const i of instances) {
    const node = nodes.get(i.name);
    const young = now - i.requestedAt < provisionMs;
    if (!node) {
      if (young) c.unregistered++;
      else c.longUnregistered++;
      continue;
    }
    c.registered.total++;
    if (i.phase === 'deleting') c.registered.beingDeleted++;
    else if (isReadyForAutoscaling(node)) c.registered.ready++;
    else if (young) c.registered.notStarted++;
    else c.registered.unready.total++;
  }
  return c;
}
