// Endpoints controller: keeps core/v1 Endpoints <ns>/<service> equal to what computeEndpointSubsets
// derives from the Service and its pods. Does not touch default/kubernetes (the API server owns it).
//
// services, pods ──▶ queue of service keys ──▶ sync: compute subsets, create/update/delete Endpoints

import {
  isAlreadyExists,
  isNotFound,
  NAMESPACE_INDEX,
  objectKey,
  resourcePath,
  WorkQueue,
} from '../../client/index.js';
import { type Endpoints, jsonEqual, type Pod, resources, type Service } from '../../core/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { managesEndpoints, servicesForPod } from '../shared/service-pods.js';
import { computeEndpointSubsets } from './compute.js';

export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const COMPONENT = 'endpoint-controller';

export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}), [SKIP_MIRROR_LABEL]: 'true' };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  return labels;
}

export function startEndpointsController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const { client, clock, log } = ctx;
  const services = ctx.informers.forResource<Service>(resources.services);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const endpoints = ctx.informers.forResource<Endpoints>(resources.endpoints);
  const queue = new WorkQueue<string>({ clock });

  services.addEventHandler({
    onAdd: (s) => queue.add(objectKey(s.metadata)),
    onUpdate: (_o, s) => queue.add(objectKey(s.metadata)),
    onDelete: (s) => queue.add(objectKey(s.metadata)),
  });
  const onPod = (oldPod: Pod | undefined, pod: Pod) => {
    const inNs = services.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '');
    for (const key of servicesForPod(inNs, oldPod, pod)) queue.add(key);
  };
  pods.addEventHandler({
    onAdd: (p) => onPod(undefined, p),
    onUpdate: (o, p) => onPod(o, p),
    onDelete: (p) => onPod(undefined, p),
  });
  endpoints.addEventHandler({
    // Someone else changed or deleted our Endpoints: put them back.
    onUpdate: (_o, e) => queue.add(objectKey(e.metadata)),
    onDelete: (e) => queue.add(objectKey(e.metadata)),
  });

  const sync = async (key: string) => {
    const [namespace, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    if (namespace === 'default' && name === 'kubernetes') return;
    const svc = services.get(key);
    const current = endpoints.get(key);
    const path = resourcePath(resources.endpoints, { namespace, name });
    if (!svc || !managesEndpoints(svc)) {
      // Services without a selector have user-managed Endpoints; only a deleted service's go.
      if (!svc && current) {
        try {
          await client.delete(path);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return;
    }
    const subsets = computeEndpointSubsets(svc, pods.byIndex(NAMESPACE_INDEX, namespace));
    const labels = endpointsLabels(svc);
    if (current && jsonEqual(current.subsets ?? [], subsets) && jsonEqual(current.metadata.labels ?? {}, labels))
      return;
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels, ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}) },
      subsets,
    };
    if (current) {
      await client.update(path, { ...body, metadata: { ...current.metadata, labels } });
    } else {
      try {
        await client.create(resourcePath(resources.endpoints, { namespace }), body);
      } catch (err) {
        // Our cache is behind: the next event for it requeues us with the real object.
        if (!isAlreadyExists(err)) throw err;
        queue.addAfter(key, 500);
        return;
      }
    }
    const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    const notReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
    log('endpoints updated', { controller: COMPONENT, object: key, ready, notReady });
  };

  const running = runWorkers({
    name: COMPONENT,
    ctx,
    queue,
    waitFor: [services, pods, endpoints],
    workers: opts.workers ?? 2,
    sync,
  });
  return { name: COMPONENT, stop: () => running.stop() };
}
