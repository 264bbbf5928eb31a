// The ingress status writer: Ingresses of the built-in class (`tutti`, see src/core/ingress.ts) get
// status.loadBalancer.ingress = the addresses of the nodes whose ingress proxies serve them. The one writer
// (the nodes' proxies only read).
//
// ingresses, ingressclasses, nodes ──▶ queue of ingress keys ──▶ sync: planIngressStatus ──▶ PUT ingresses/<name>/status

import { isNotFound, objectKey, resourcePath, WorkQueue } from '../../client/index.js';
import { type Ingress, type IngressClass, type Node, resources } from '../../core/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { LbNodeAddresses } from '../shared/lb-nodes.js';
import { planIngressStatus } from './plan.js';

const COMPONENT = 'ingress-status-controller';

export function startIngressStatusController(
  ctx: ControllerContext,
  opts: { workers?: number } = {},
): RunningController {
  const { client, clock, log } = ctx;
  const ingresses = ctx.informers.forResource<Ingress>(resources.ingresses);
  const classes = ctx.informers.forResource<IngressClass>(resources.ingressclasses);
  const nodes = ctx.informers.forResource<Node>(resources.nodes);
  const queue = new WorkQueue<string>({ clock });
  const enqueueAll = () => {
    for (const i of ingresses.list()) queue.add(objectKey(i.metadata));
  };
  const lb = new LbNodeAddresses(() => nodes.list());
  ingresses.addEventHandler({
    onAdd: (i) => queue.add(objectKey(i.metadata)),
    onUpdate: (_o, i) => queue.add(objectKey(i.metadata)),
  });
  classes.addEventHandler({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  nodes.addEventHandler(lb.handlers(enqueueAll));

  const sync = async (key: string) => {
    const ing = ingresses.get(key);
    if (!ing) return;
    const want = planIngressStatus(ing, classes.list(), lb.addresses());
    if (!want) return;
    const path = resourcePath(resources.ingresses, { namespace: ing.metadata.namespace, name: ing.metadata.name });
    try {
      await client.updateStatus(path, { ...ing, status: { ...ing.status, loadBalancer: { ingress: want } } });
      log('ingress load balancer status', { controller: COMPONENT, ingress: key, ingress_ips: want.map((i) => i.ip) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  return runWorkers({
    name: COMPONENT,
    ctx,
    queue,
    waitFor: [ingresses, classes, nodes],
    workers: opts.workers ?? 1,
    sync,
  });
}
