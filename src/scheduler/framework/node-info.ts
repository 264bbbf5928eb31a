// One node and the pods on it (bound or assumed), with running totals the filters check in O(1).

import { resourceListAmounts } from '../../core/quantity/index.js';
import type { Labels } from '../../core/selectors/index.js';
import type { Node } from '../../core/types.js';
import { type HostPort, hasAffinityTerms, type PodInfo } from './pod-info.js';
import { Resource } from './resource.js';

const ANY_IP = '0.0.0.0';

/** Host ports in use on a node: protocol/port -> host IPs (0.0.0.0 means every IP). */
export class HostPortSet {
  private readonly used = new Map<string, Map<string, number>>();

  add(p: HostPort, delta: 1 | -1): void {
    const k = `${p.protocol}/${p.port}`;
    let ips = this.used.get(k);
    if (!ips) {
      if (delta < 0) return;
      ips = new Map();
      this.used.set(k, ips);
    }
    const n = (ips.get(p.ip) ?? 0) + delta;
    if (n > 0) ips.set(p.ip, n);
    else ips.delete(p.ip);
    if (ips.size === 0) this.used.delete(k);
  }

  conflicts(p: HostPort): boolean {
    const ips = this.used.get(`${p.protocol}/${p.port}`);
    if (!ips) return false;
    if (p.ip === ANY_IP) return true;
    return ips.has(ANY_IP) || ips.has(p.ip);
  }

  clone(): HostPortSet {
    const c = new HostPortSet();
    for (const [k, ips] of this.used) c.used.set(k, new Map(ips));
    return c;
  }
}

export class NodeInfo {
  node: Node | undefined;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  requested = new Resource();
  /** Requests with defaults for empty containers, for scoring. */
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  allocatable = new Resource();
  usedPorts = new HostPortSet();
  /** Pods per controller uid, so owner spreading is O(1) per node. */
  podsByController = new Map<string, number>();
  /** Bumped on every change so snapshots copy only what changed. */
  generation = 0;

  constructor(
    readonly name: string,
    node?: Node,
  ) {
    if (node) this.setNode(node);
  }

  get labels(): Labels {
    return this.node?.metadata.labels ?? {};
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = Resource.from(resourceListAmounts(node.status?.allocatable ?? node.status?.capacity));
  }

  addPod(p: PodInfo): void {
    this.pods.push(p);
    if (hasAffinityTerms(p)) this.podsWithAffinity.push(p);
    if (p.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity.push(p);
    this.account(p, 1);
  }

  /** Removes the pod with this uid; returns whether it was here. */
  removePod(uid: string): boolean {
    const i = this.pods.findIndex((x) => x.uid === uid);
    if (i < 0) return false;
    const p = this.pods[i]!;
    this.pods.splice(i, 1);
    this.podsWithAffinity = this.podsWithAffinity.filter((x) => x.uid !== uid);
    this.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.filter((x) => x.uid !== uid);
    this.account(p, -1);
    return true;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    this.requested.add(p.requests, sign);
    this.nonZeroCpu += p.nonZeroCpu * sign;
    this.nonZeroMemory += p.nonZeroMemory * sign;
    for (const hp of p.hostPorts) this.usedPorts.add(hp, sign);
    if (p.controllerUid !== undefined) {
      const k = `${p.namespace}/${p.controllerUid}`;
      const n = (this.podsByController.get(k) ?? 0) + sign;
      if (n > 0) this.podsByController.set(k, n);
      else this.podsByController.delete(k);
    }
  }

  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.pods = this.pods.slice();
    c.podsWithAffinity = this.podsWithAffinity.slice();
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.slice();
    c.requested = this.requested.clone();
    c.nonZeroCpu = this.nonZeroCpu;
    c.nonZeroMemory = this.nonZeroMemory;
    c.allocatable = this.allocatable;
    c.usedPorts = this.usedPorts.clone();
    c.podsByController = new Map(this.podsByController);
    c.generation = this.generation;
    return c;
  }
}
