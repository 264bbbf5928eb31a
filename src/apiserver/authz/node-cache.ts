// The node authorizer's graph kept in step with the store by a watch of pods, PersistentVolumes, Ingresses and
// IngressClasses (as
// upstream's graph_populator feeds the graph from informers); a compaction or failure lists again.
import type { Ingress, IngressClass, PersistentVolume, Pod } from '../../core/types.js';
import type { Store, Watch, WatchEvent } from '../../storage/store.js';
import { prefixEnd } from '../../storage/store.js';
import { decodeKvShared } from '../objects.js';
import { NodeGraph } from './node-graph.js';

const PODS = '/registry/core/pods/';
const PVS = '/registry/core/persistentvolumes/';
const INGRESSES = '/registry/networking.k8s.io/ingresses/';
const INGRESS_CLASSES = '/registry/networking.k8s.io/ingressclasses/';

export class NodeGraphCache {
  readonly graph = new NodeGraph();
  private watches: Watch[] = [];
  private stopped = false;

  constructor(private readonly store: Store) {}

  private set(prefix: string, key: string, obj: unknown): void {
    if (prefix === PODS) this.graph.setPod(key, obj as Pod | undefined);
    else if (prefix === PVS) this.graph.setPV(key, obj as PersistentVolume | undefined);
    else if (prefix === INGRESSES) this.graph.setIngress(key, obj as Ingress | undefined);
    else this.graph.setIngressClass(key, obj as IngressClass | undefined);
  }

  private apply(prefix: string, events: WatchEvent[]): void {
    for (const e of events) {
      const key = e.kv.key.slice(prefix.length);
      // A pod not bound to a node grants nothing: its JSON has no spec.nodeName (a quote inside a string
      // value is escaped, so the text cannot appear there), and it needs no parse.
      if (prefix === PODS && e.type === 'put') {
        const v = e.kv.value;
        if (!this.graph.hasPod(key) && !v.includes('"nodeName":"')) continue;
        // A status write of a bound pod (most pod writes) leaves its edges as they were.
        const volatile = v.includes('"ephemeralContainers"') || v.includes('"resourceClaimStatuses"');
        if (!this.graph.mayChange(key, volatile)) continue;
      }
      try {
        this.set(prefix, key, e.type === 'delete' ? undefined : decodeKvShared(e.kv));
      } catch {
        // an object of an unexpected shape grants nothing (its old edges go)
        this.set(prefix, key, undefined);
      }
    }
  }

  async start(): Promise<void> {
    for (const w of this.watches) w.cancel();
    this.watches = [];
    this.graph.clear();
    for (const prefix of [PODS, PVS, INGRESSES, INGRESS_CLASSES]) {
      const r = await this.store.range({ key: prefix, end: prefixEnd(prefix) });
      this.apply(
        prefix,
        r.kvs.map((kv) => ({ type: 'put', kv }) as WatchEvent),
      );
      this.watches.push(
        this.store.watch(
          { key: prefix, end: prefixEnd(prefix), startRevision: r.revision + 1 },
          (events) => this.apply(prefix, events),
          () => {
            if (!this.stopped) void this.start().catch(() => {});
          },
        ),
      );
    }
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches) w.cancel();
  }
}
