// EndpointSlice controller: applies planEndpointSlices for each Service with a selector.
//
// services, pods, endpointslices ──▶ queue of service keys ──▶ sync: plan, then create/update/delete slices

import { isNotFound, NAMESPACE_INDEX, objectKey, resourcePath, WorkQueue } from '../../client/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { type EndpointSlice, type Pod, resources, type Service } from '../../core/index.js';
import { ensureIndex } from '../shared/indexes.js';
import { managesEndpoints, servicesForPod } from '../shared/service-pods.js';
import {
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  planEndpointSlices,
  SERVICE_NAME_LABEL,
} from './compute.js';

const SLICE_SERVICE_INDEX = 'endpointslice.service';
const COMPONENT = 'endpointslice-controller';

const sliceServiceIndex = (s: EndpointSlice): string[] => {
  const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
  const managed = s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
  return svc && managed ? [`${s.metadata.namespace}/${svc}`] : [];
};

export function startEndpointSliceController(
  ctx: ControllerContext,
  opts: { workers?: number; maxEndpointsPerSlice?: number } = {},
): RunningController {
  const { client, clock, log } = ctx;
  const services = ctx.informers.forResource<Service>(resources.services);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const slices = ctx.informers.forResource<EndpointSlice>(resources.endpointslices);
  ensureIndex(slices, SLICE_SERVICE_INDEX, sliceServiceIndex);
  const queue = new WorkQueue<string>({ clock });

  services.addEventHandler({
    onAdd: (s) => queue.add(objectKey(s.metadata)),
    onUpdate: (_o, s) => queue.add(objectKey(s.metadata)),
    onDelete: (s) => queue.add(objectKey(s.metadata)),
  });
  const onPod = (oldPod: Pod | undefined, pod: Pod) => {
    for (const key of servicesForPod(services.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? ''), oldPod, pod))
      queue.add(key);
  };
  pods.addEventHandler({
    onAdd: (p) => onPod(undefined, p),
    onUpdate: (o, p) => onPod(o, p),
    onDelete: (p) => onPod(undefined, p),
  });
  const onSlice = (s: EndpointSlice) => {
    for (const key of sliceServiceIndex(s)) queue.add(key);
  };
  slices.addEventHandler({ onUpdate: (_o, s) => onSlice(s), onDelete: onSlice });

  const sync = async (key: string) => {
    const svc = services.get(key);
    const existing = slices.byIndex(SLICE_SERVICE_INDEX, key);
    const namespace = key.slice(0, key.indexOf('/'));
    if (!svc || !managesEndpoints(svc)) {
      // Owner references would let a garbage collector do this; do not depend on one running.
      if (!svc || svc.metadata.deletionTimestamp) for (const s of existing) await deleteSlice(s);
      return;
    }
    const plan = planEndpointSlices(
      svc,
      pods.byIndex(NAMESPACE_INDEX, namespace),
      existing,
      opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE,
    );
    for (const s of plan.create) await client.create(resourcePath(resources.endpointslices, { namespace }), s);
    for (const s of plan.update)
      await client.update(resourcePath(resources.endpointslices, { namespace, name: s.metadata.name }), s);
    for (const s of plan.delete) await deleteSlice(s);
    if (plan.create.length + plan.update.length + plan.delete.length > 0) {
      log('endpoint slices updated', {
        controller: COMPONENT,
        object: key,
        created: plan.create.length,
        updated: plan.update.length,
        deleted: plan.delete.length,
      });
      // Creates only show up in the cache later; a sync before that would create them twice.
      if (plan.create.length > 0) await waitForSlices(key, existing.length - plan.delete.length + plan.create.length);
    }
  };

  const waitForSlices = async (key: string, count: number) => {
    const deadline = Date.now() + 5000;
    while (slices.byIndex(SLICE_SERVICE_INDEX, key).length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const deleteSlice = async (s: EndpointSlice) => {
    try {
      await client.delete(
        resourcePath(resources.endpointslices, { namespace: s.metadata.namespace, name: s.metadata.name }),
        {
          preconditions: { uid: s.metadata.uid },
        },
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  const running = runWorkers({
    name: COMPONENT,
    ctx,
    queue,
    waitFor: [services, pods, slices],
    workers: opts.workers ?? 2,
    sync,
  });
  return { name: COMPONENT, stop: () => running.stop() };
}
