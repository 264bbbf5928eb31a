// The RBAC objects the authorizer decides on, kept in step with the store by a watch (the API server owns
// the store; this is its own read of it, as upstream's authorizer reads its informers).
import type { Store, Watch, WatchEvent } from '../../storage/store.js';
import { prefixEnd } from '../../storage/store.js';
import { decodeKv } from '../objects.js';
import { emptySnapshot, type RbacSnapshot } from './rbac.js';

const PREFIX = '/registry/rbac.authorization.k8s.io/';

type MapName = keyof RbacSnapshot;
const KINDS: Record<string, MapName> = {
  roles: 'roles',
  clusterroles: 'clusterRoles',
  rolebindings: 'roleBindings',
  clusterrolebindings: 'clusterRoleBindings',
};

/** `/registry/rbac.authorization.k8s.io/roles/ns/name` → ['roles', 'ns/name']. */
function locate(key: string): [MapName, string] | undefined {
  const rest = key.slice(PREFIX.length);
  const slash = rest.indexOf('/');
  const map = KINDS[rest.slice(0, slash)];
  return map ? [map, rest.slice(slash + 1)] : undefined;
}

export class RbacCache {
  snapshot: RbacSnapshot = emptySnapshot();
  private watch?: Watch;
  private stopped = false;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    const fresh = emptySnapshot();
    const r = await this.store.range({ key: PREFIX, end: prefixEnd(PREFIX) });
    for (const kv of r.kvs) {
      const at = locate(kv.key);
      if (at) (fresh[at[0]] as Map<string, unknown>).set(at[1], decodeKv(kv));
    }
    this.snapshot = fresh;
    this.watch = this.store.watch(
      { key: PREFIX, end: prefixEnd(PREFIX), startRevision: r.revision + 1 },
      (events) => this.apply(events),
      () => {
        // compacted or failed: list again
        this.watch?.cancel();
        if (!this.stopped) void this.start().catch(() => {});
      },
    );
  }

  private apply(events: WatchEvent[]): void {
    for (const e of events) {
      const at = locate(e.kv.key);
      if (!at) continue;
      const map = this.snapshot[at[0]] as Map<string, unknown>;
      if (e.type === 'delete') map.delete(at[1]);
      else map.set(at[1], decodeKv(e.kv));
    }
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
  }
}
