// Node IPAM controller: gives every node a spec.podCIDR/podCIDRs from the cluster CIDR and frees it when
// the node is deleted. One worker, so two nodes can never be handed the same subnet.
//
// nodes ──▶ queue ──▶ sync(name): allocate + PATCH spec.podCIDR(s)      node deleted ──▶ release

import { isNotFound, resourcePath, WorkQueue } from '../../client/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { type Node, nodeCondition, resources, rfc3339 } from '../../core/index.js';
import { CidrAllocator } from './cidr-allocator.js';

export interface NodeIpamOptions {
  /** Upstream --cluster-cidr; k3s's default. */
  clusterCidr?: string;
  /** Upstream --node-cidr-mask-size. */
  nodeMaskSize?: number;
}

const COMPONENT = 'node-ipam-controller';

export function startNodeIpamController(ctx: ControllerContext, opts: NodeIpamOptions = {}): RunningController {
  const allocator = new CidrAllocator(opts.clusterCidr ?? '10.42.0.0/16', opts.nodeMaskSize ?? 24);
  const { client, clock, log } = ctx;
  const recorder = ctx.recorder(COMPONENT);
  const nodes = ctx.informers.forResource<Node>(resources.nodes);
  const queue = new WorkQueue<string>({ clock });
  /** CIDRs we handed out whose node may not show them in the cache yet: name -> cidr. */
  const pending = new Map<string, string>();
  let rebuilt = false;

  nodes.addEventHandler({
    onAdd: (n) => queue.add(n.metadata.name ?? ''),
    onUpdate: (_o, n) => queue.add(n.metadata.name ?? ''),
    onDelete: (n) => {
      const name = n.metadata.name ?? '';
      for (const cidr of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) allocator.release(cidr);
      const handed = pending.get(name);
      if (handed && handed !== n.spec?.podCIDR) allocator.release(handed);
      pending.delete(name);
      // A freed CIDR goes to a node still waiting for one now, not after its back-off.
      for (const other of nodes.list()) if (!other.spec?.podCIDR) queue.add(other.metadata.name ?? '');
    },
  });

  /** The NetworkUnavailable condition, written only when it changes (a strategic merge keeps the others). */
  const setNetworkUnavailable = async (
    name: string,
    node: Node,
    want: { status: 'True' | 'False'; reason: string; message: string },
  ) => {
    const have = nodeCondition(node, 'NetworkUnavailable');
    if (have?.status === want.status && have.reason === want.reason && have.message === want.message) return;
    const now = rfc3339(clock.now());
    await client.patch(
      resourcePath(resources.nodes, { name, subresource: 'status' }),
      {
        status: {
          conditions: [
            {
              type: 'NetworkUnavailable',
              ...want,
              lastHeartbeatTime: now,
              lastTransitionTime: have?.status === want.status ? (have.lastTransitionTime ?? now) : now,
            },
          ],
        },
      },
      'strategic',
    );
  };

  const sync = async (name: string) => {
    if (!rebuilt) {
      // Every node's existing CIDR is taken before the first allocation (upstream occupies at start).
      for (const n of nodes.list()) if (n.spec?.podCIDR) allocator.occupy(n.spec.podCIDR);
      rebuilt = true;
    }
    const node = nodes.get(name);
    if (!node) return;
    if (node.spec?.podCIDR) {
      allocator.occupy(node.spec.podCIDR);
      pending.delete(name);
      return;
    }
    let cidr = pending.get(name);
    if (!cidr) {
      cidr = allocator.allocate();
      if (!cidr) {
        void recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        // The node is tainted network-unavailable by the node lifecycle controller while this holds, so no
        // pod is scheduled where it could get no address; retried (with back-off) until a CIDR is freed.
        await setNetworkUnavailable(name, node, {
          status: 'True',
          reason: 'CIDRNotAvailable',
          message: `no pod CIDR left in ${allocator.clusterCidr}: it holds ${allocator.capacity} nodes of /${allocator.nodeMaskSize} (raise --cluster-cidr or --node-cidr-mask-size)`,
        });
        throw new Error(`no pod CIDR left in ${allocator.clusterCidr} for node ${name}`);
      }
      pending.set(name, cidr);
    }
    try {
      await client.patch(
        resourcePath(resources.nodes, { name }),
        { spec: { podCIDR: cidr, podCIDRs: [cidr] } },
        'merge',
      );
      log('allocated pod CIDR', { controller: COMPONENT, object: name, podCIDR: cidr });
      if (nodeCondition(node, 'NetworkUnavailable')?.reason === 'CIDRNotAvailable') {
        await setNetworkUnavailable(name, node, {
          status: 'False',
          reason: 'CIDRAssigned',
          message: `pod CIDR ${cidr} assigned`,
        });
      }
    } catch (err) {
      if (isNotFound(err)) {
        allocator.release(cidr);
        pending.delete(name);
        return;
      }
      void recorder.event(node, 'Warning', 'CIDRAssignmentFailed', `Failed to assign CIDR ${cidr} to node ${name}`);
      throw err;
    }
  };

  const running = runWorkers({ name: COMPONENT, ctx, queue, waitFor: [nodes], workers: 1, sync });
  return { name: COMPONENT, stop: () => running.stop() };
}
