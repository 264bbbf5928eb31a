// Node IPAM controller: gives every node a spec.podCIDR/podCIDRs from the cluster CIDR and frees it when
// the node is deleted. One worker, so two nodes can never be handed the same subnet.
//
// nodes ──▶ queue ──▶ sync(name): allocate + PATCH spec.podCIDR(s)      node deleted ──▶ release

import { isNotFound, resourcePath, WorkQueue } from '../../client/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { type Node, resources } from '../../core/index.js';
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
    },
  });

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
