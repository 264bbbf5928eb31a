// EndpointSlice mirroring controller: the EndpointSlices of selector-less Services with user-written Endpoints
// (`kubectl create -f endpoints.yaml`), so the service proxy and DNS, which read slices, see them.
//
// services, endpoints, endpointslices (ours) ──▶ queue of ns/name ──▶ sync: planMirroredSlices, then writes

import { isNotFound, objectKey, resourcePath, WorkQueue } from '../../client/index.js';
import { type EndpointSlice, type Endpoints, resources, type Service } from '../../core/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { ensureIndex } from '../shared/indexes.js';
import {
  MANAGED_BY_LABEL,
  MIRROR_MANAGED_BY,
  planMirroredSlices,
  SERVICE_NAME_LABEL,
  shouldMirror,
} from './compute.js';

const SLICE_INDEX = 'endpointslicemirroring.service';
const COMPONENT = 'endpointslice-mirroring-controller';

const sliceIndex = (s: EndpointSlice): string[] => {
  const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
  const ours = s.metadata.labels?.[MANAGED_BY_LABEL] === MIRROR_MANAGED_BY;
  return svc && ours ? [`${s.metadata.namespace}/${svc}`] : [];
};

export function startEndpointSliceMirroringController(
  ctx: ControllerContext,
  opts: { workers?: number } = {},
): RunningController {
  const { client, clock, log } = ctx;
  const services = ctx.informers.forResource<Service>(resources.services);
  const endpoints = ctx.informers.forResource<Endpoints>(resources.endpoints);
  const slices = ctx.informers.forResource<EndpointSlice>(resources.endpointslices);
  ensureIndex(slices, SLICE_INDEX, sliceIndex);
  const queue = new WorkQueue<string>({ clock });

  const enqueue = (o: { metadata: { namespace?: string; name?: string } }) => queue.add(objectKey(o.metadata));
  services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s), onDelete: enqueue });
  endpoints.addEventHandler({ onAdd: enqueue, onUpdate: (_o, e) => enqueue(e), onDelete: enqueue });
  const onSlice = (s: EndpointSlice) => {
    for (const key of sliceIndex(s)) queue.add(key);
  };
  slices.addEventHandler({ onUpdate: (_o, s) => onSlice(s), onDelete: onSlice });

  const deleteSlice = async (s: EndpointSlice) => {
    try {
      await client.delete(
        resourcePath(resources.endpointslices, { namespace: s.metadata.namespace, name: s.metadata.name }),
        { preconditions: { uid: s.metadata.uid } },
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  const sync = async (key: string) => {
    const namespace = key.slice(0, key.indexOf('/'));
    const existing = slices.byIndex(SLICE_INDEX, key);
    const ep = endpoints.get(key);
    if (!shouldMirror(services.get(key), ep)) {
      for (const s of existing) await deleteSlice(s);
      return;
    }
    const plan = planMirroredSlices(ep!, existing);
    for (const s of plan.create) await client.create(resourcePath(resources.endpointslices, { namespace }), s);
    for (const s of plan.update)
      await client.update(resourcePath(resources.endpointslices, { namespace, name: s.metadata.name }), s);
    for (const s of plan.delete) await deleteSlice(s);
    if (plan.create.length + plan.update.length + plan.delete.length === 0) return;
    log('mirrored endpoint slices updated', {
      controller: COMPONENT,
      object: key,
      created: plan.create.length,
      updated: plan.update.length,
      deleted: plan.delete.length,
    });
    // Creates show up in the cache later; a sync before that would create them twice.
    const want = existing.length - plan.delete.length + plan.create.length;
    const deadline = Date.now() + 5000;
    while (plan.create.length > 0 && slices.byIndex(SLICE_INDEX, key).length < want && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const running = runWorkers({
    name: COMPONENT,
    ctx,
    queue,
    waitFor: [services, endpoints, slices],
    workers: opts.workers ?? 2,
    sync,
  });
  return { name: COMPONENT, stop: () => running.stop() };
}
