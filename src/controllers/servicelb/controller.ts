// The service load balancer (k3s servicelb): LoadBalancer Services get status.loadBalancer.ingress = the
// addresses of the Ready nodes (or of a pool annotation); every node's service proxy serves the Service's
// ports on them.
//
// services, nodes ──▶ queue of service keys ──▶ sync: planIngress ──▶ PUT services/<name>/status

import { isNotFound, objectKey, resourcePath, WorkQueue } from '../../client/index.js';
import { type Node, resources, type Service } from '../../core/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { LbNodeAddresses } from '../shared/lb-nodes.js';
import { ingressCurrent, ownsService, planIngress } from './plan.js';

const COMPONENT = 'service-lb-controller';

export function startServiceLbController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const { client, clock, log } = ctx;
  const services = ctx.informers.forResource<Service>(resources.services);
  const nodes = ctx.informers.forResource<Node>(resources.nodes);
  const queue = new WorkQueue<string>({ clock });
  const enqueueAll = () => {
    for (const s of services.list()) if (ownsService(s)) queue.add(objectKey(s.metadata));
  };
  const lb = new LbNodeAddresses(() => nodes.list());
  services.addEventHandler({
    onAdd: (s) => queue.add(objectKey(s.metadata)),
    onUpdate: (_o, s) => queue.add(objectKey(s.metadata)),
  });
  nodes.addEventHandler(lb.handlers(enqueueAll));

  const sync = async (key: string) => {
    const svc = services.get(key);
    if (!svc) return;
    const plan = planIngress(svc, lb.addresses());
    if (ingressCurrent(svc, plan)) return;
    const path = resourcePath(resources.services, { namespace: svc.metadata.namespace, name: svc.metadata.name });
    try {
      await client.updateStatus(path, {
        ...svc,
        status: { ...svc.status, loadBalancer: plan.ingress!.length > 0 ? { ingress: plan.ingress } : {} },
      });
      log('load balancer ingress', { controller: COMPONENT, service: key, ingress: plan.ingress!.map((i) => i.ip) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  return runWorkers({ name: COMPONENT, ctx, queue, waitFor: [services, nodes], workers: opts.workers ?? 1, sync });
}
