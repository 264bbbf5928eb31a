// PersistentVolume controller (upstream pkg/controller/volume/persistentvolume) with a built-in local-path
// provisioner.
//
// claims, volumes, storage classes, pods (by claim), nodes ──▶ one queue of `claim/<ns>/<name>` and
// `volume/<name>` keys (and a resync of all every 15 s) ──▶
//   claim: decideClaim ─▶ bind (PV claimRef + PVC volumeName, annotations, both Bound) │ Pending │ Lost │
//          default class │ selected node │ provision (local-path PV, or wait for an external provisioner)
//   volume: decideVolume ─▶ Available │ Bound │ Released + reclaim (Retain; Delete our own PVs; Failed) │ unbind

import {
  isAlreadyExists,
  isApiError,
  isConflict,
  isNotFound,
  objectKey,
  resourcePath,
  WorkQueue,
} from '../../client/index.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  defaultClass,
  isPodTerminal,
  isVolumeBoundToClaim,
  LABEL_HOSTNAME,
  type Node,
  type NodeView,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  resources,
  rfc3339,
  type StorageClass,
} from '../../core/index.js';
import { type ControllerContext, type RunningController, runPeriodically, runWorkers } from '../context.js';
import { ensureIndex } from '../shared/indexes.js';
import { type ClaimDecision, decideClaim, decideVolume, type VolumeEvent } from './decide.js';
import {
  DEFAULT_STORAGE_DIR,
  LOCAL_PATH_CLASS,
  LOCAL_PATH_PROVISIONER,
  localPathClass,
  localPathUnsupported,
  localPathVolume,
  provisionedName,
} from './local-path.js';

export const VOLUME_COMPONENT = 'persistentvolume-controller';

export interface VolumeControllerOptions {
  workers?: number;
  /** Every claim and volume is synced again this often (upstream --pvclaimbinder-sync-period, 15 s). */
  resyncMs?: number;
  localPath?: {
    /** Create the `local-path` class if missing and provision its claims (default true). */
    enabled?: boolean;
    /** Directory on the nodes under which volumes are made (default /var/lib/tutti/agent/storage). */
    storageDir?: string;
  };
}

/** Pods by the claims they mount: `<namespace>/<claim>`, generic ephemeral volumes as `<pod>-<volume>`. */
const CLAIM_INDEX = 'persistentVolumeClaim';
function podClaimIndex(pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? '';
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
    else if (v.ephemeral) out.push(`${ns}/${pod.metadata.name}-${v.name}`);
  }
  return out;
}

export function startVolumeController(ctx: ControllerContext, opts: VolumeControllerOptions = {}): RunningController {
  const { client, clock, log } = ctx;
  const localPathEnabled = opts.localPath?.enabled ?? true;
  const storageDir = opts.localPath?.storageDir ?? DEFAULT_STORAGE_DIR;
  const recorder = ctx.recorder(VOLUME_COMPONENT);
  const claims = ctx.informers.forResource<PersistentVolumeClaim>(resources.persistentvolumeclaims);
  const volumes = ctx.informers.forResource<PersistentVolume>(resources.persistentvolumes);
  const classes = ctx.informers.forResource<StorageClass>(resources.storageclasses);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const nodes = ctx.informers.forResource<Node>(resources.nodes);
  ensureIndex(pods, CLAIM_INDEX, podClaimIndex);
  const queue = new WorkQueue<string>({ clock });
  /** Claims whose default-class assignment the API server refused: not tried again. */
  const classRefused = new Set<string>();

  const claimKey = (ns: string | undefined, name: string | undefined) => `claim/${objectKey({ namespace: ns, name })}`;
  const enqueueClaim = (c: PersistentVolumeClaim) => queue.add(claimKey(c.metadata.namespace, c.metadata.name));
  const enqueueVolume = (pv: PersistentVolume) => {
    queue.add(`volume/${pv.metadata.name}`);
    const ref = pv.spec?.claimRef;
    if (ref?.name) queue.add(claimKey(ref.namespace, ref.name));
  };
  claims.addEventHandler({
    onAdd: enqueueClaim,
    onUpdate: (_o, c) => enqueueClaim(c),
    onDelete: (c) => {
      enqueueClaim(c);
      if (c.spec?.volumeName) queue.add(`volume/${c.spec.volumeName}`);
      for (const pv of volumes.list())
        if (pv.spec?.claimRef?.uid === c.metadata.uid) queue.add(`volume/${pv.metadata.name}`);
    },
  });
  volumes.addEventHandler({ onAdd: enqueueVolume, onUpdate: (_o, pv) => enqueueVolume(pv), onDelete: enqueueVolume });
  const podChanged = (pod: Pod) => {
    for (const key of podClaimIndex(pod)) queue.add(`claim/${key}`);
  };
  pods.addEventHandler({
    onAdd: podChanged,
    onUpdate: (old, pod) => {
      if (old.spec?.nodeName !== pod.spec?.nodeName) podChanged(pod);
    },
  });
  const allUnbound = () => {
    for (const c of claims.list()) if (!c.metadata.annotations?.[ANN_BIND_COMPLETED]) enqueueClaim(c);
  };
  classes.addEventHandler({ onAdd: allUnbound, onUpdate: allUnbound });

  const withKind = {
    claim: (c: PersistentVolumeClaim): PersistentVolumeClaim => ({
      ...c,
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
    }),
    volume: (pv: PersistentVolume): PersistentVolume => ({ ...pv, apiVersion: 'v1', kind: 'PersistentVolume' }),
  };
  const claimEvent = (c: PersistentVolumeClaim, e: VolumeEvent | undefined) => {
    if (e) void recorder.event(withKind.claim(c), e.type, e.reason, e.message);
  };
  const volumeEvent = (pv: PersistentVolume, e: VolumeEvent | undefined) => {
    if (e) void recorder.event(withKind.volume(pv), e.type, e.reason, e.message);
  };
  const claimPath = (c: PersistentVolumeClaim) =>
    resourcePath(resources.persistentvolumeclaims, { namespace: c.metadata.namespace, name: c.metadata.name });
  const volumePath = (pv: PersistentVolume) => resourcePath(resources.persistentvolumes, { name: pv.metadata.name });

  /** updateClaimStatus: the phase; when becoming Bound, the volume's access modes and capacity. */
  const setClaimPhase = async (claim: PersistentVolumeClaim, phase: string, pv?: PersistentVolume) => {
    const status = { ...(claim.status ?? {}) } as NonNullable<PersistentVolumeClaim['status']>;
    let dirty = status.phase !== phase;
    status.phase = phase;
    if (phase === 'Bound' && pv) {
      if (JSON.stringify(status.accessModes ?? []) !== JSON.stringify(pv.spec?.accessModes ?? [])) {
        status.accessModes = pv.spec?.accessModes;
        dirty = true;
      }
      if (claim.status?.phase !== 'Bound' && status.capacity?.storage !== pv.spec?.capacity?.storage) {
        status.capacity = { ...(pv.spec?.capacity ?? {}) };
        dirty = true;
      }
    }
    if (!dirty) return claim;
    return client.updateStatus<PersistentVolumeClaim>(claimPath(claim), { ...claim, status });
  };
  /** updateVolumePhase: the phase and message, with the time of the transition. */
  const setVolumePhase = async (pv: PersistentVolume, phase: string, message?: string) => {
    if (pv.status?.phase === phase && (pv.status?.message ?? '') === (message ?? '')) return pv;
    const status: NonNullable<PersistentVolume['status']> = { ...(pv.status ?? {}), phase };
    if (message) status.message = message;
    else delete status.message;
    if (pv.status?.phase !== phase) status.lastPhaseTransitionTime = rfc3339(clock.now());
    return client.updateStatus<PersistentVolume>(volumePath(pv), { ...pv, status });
  };

  /** bind(): volume to claim (claimRef), volume Bound, claim to volume (volumeName, annotations), claim Bound. */
  const bind = async (pv: PersistentVolume, claim: PersistentVolumeClaim) => {
    const ref = pv.spec?.claimRef;
    if (
      !ref ||
      ref.name !== claim.metadata.name ||
      ref.namespace !== claim.metadata.namespace ||
      ref.uid !== claim.metadata.uid
    ) {
      const byController = !isVolumeBoundToClaim(pv, claim);
      const annotations = { ...(pv.metadata.annotations ?? {}) };
      if (byController) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pv = await client.update<PersistentVolume>(volumePath(pv), {
        ...withKind.volume(pv),
        metadata: { ...pv.metadata, annotations },
        spec: {
          ...pv.spec,
          claimRef: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: claim.metadata.namespace,
            name: claim.metadata.name,
            uid: claim.metadata.uid,
            resourceVersion: claim.metadata.resourceVersion,
          },
        },
      });
    }
    pv = await setVolumePhase(pv, 'Bound');
    const annotations = { ...(claim.metadata.annotations ?? {}) };
    let dirty = false;
    if (claim.spec?.volumeName !== pv.metadata.name) {
      annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      dirty = true;
    }
    if (annotations[ANN_BIND_COMPLETED] === undefined) {
      annotations[ANN_BIND_COMPLETED] = 'yes';
      dirty = true;
    }
    if (dirty) {
      claim = await client.update<PersistentVolumeClaim>(claimPath(claim), {
        ...withKind.claim(claim),
        metadata: { ...claim.metadata, annotations },
        spec: { ...claim.spec, volumeName: pv.metadata.name },
      });
    }
    await setClaimPhase(claim, 'Bound', pv);
    if (dirty)
      log('bound claim to volume', {
        controller: VOLUME_COMPONENT,
        claim: objectKey(claim.metadata),
        volume: pv.metadata.name,
      });
  };

  const nodeView = (name: string): NodeView => {
    const n = nodes.get(name);
    return { name, labels: { [LABEL_HOSTNAME]: name, ...(n?.metadata.labels ?? {}) } };
  };

  const provision = async (claim: PersistentVolumeClaim, storageClass: StorageClass, node: string | undefined) => {
    const provisioner = storageClass.provisioner;
    const ann = claim.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      claim = await client.update<PersistentVolumeClaim>(claimPath(claim), {
        ...withKind.claim(claim),
        metadata: {
          ...claim.metadata,
          annotations: { ...ann, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner },
        },
      });
    }
    if (provisioner !== LOCAL_PATH_PROVISIONER || !localPathEnabled) {
      claimEvent(claim, {
        type: 'Normal',
        reason: 'ExternalProvisioning',
        message: `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      });
      await setClaimPhase(claim, 'Pending');
      return;
    }
    const why = localPathUnsupported(claim, node);
    if (why) {
      claimEvent(claim, {
        type: 'Warning',
        reason: 'ProvisioningFailed',
        message: `Failed to provision volume with StorageClass "${storageClass.metadata.name}": ${why}`,
      });
      await setClaimPhase(claim, 'Pending');
      return;
    }
    if (volumes.get(provisionedName(claim))) return;
    const hostname = nodes.get(node!)?.metadata.labels?.[LABEL_HOSTNAME] ?? node!;
    const pv = localPathVolume(claim, storageClass, hostname, storageDir);
    try {
      await client.create(resourcePath(resources.persistentvolumes, {}), pv);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      claimEvent(claim, {
        type: 'Warning',
        reason: 'ProvisioningFailed',
        message: `Failed to provision volume with StorageClass "${storageClass.metadata.name}": ${String(err)}`,
      });
      throw err;
    }
    claimEvent(claim, {
      type: 'Normal',
      reason: 'ProvisioningSucceeded',
      message: `Successfully provisioned volume ${pv.metadata.name} using ${LOCAL_PATH_PROVISIONER}`,
    });
    log('provisioned volume', {
      controller: VOLUME_COMPONENT,
      claim: objectKey(claim.metadata),
      volume: pv.metadata.name,
      node,
    });
  };

  const syncClaim = async (key: string) => {
    const cached = claims.get(key);
    if (!cached) return;
    const claim = withKind.claim(cached);
    const all = volumes.list();
    const users = pods.byIndex(CLAIM_INDEX, key).filter((p) => !isPodTerminal(p));
    const placed = users.find((p) => p.spec?.nodeName);
    const decision: ClaimDecision = decideClaim(claim, {
      volumes: all,
      volumeByName: new Map(all.map((v) => [v.metadata.name ?? '', v])),
      classes: new Map(classes.list().map((c) => [c.metadata.name ?? '', c])),
      podNode: placed ? nodeView(placed.spec!.nodeName!) : undefined,
      unscheduledPod: users.find((p) => !p.spec?.nodeName)?.metadata.name,
    });
    switch (decision.kind) {
      case 'bind':
        return bind(decision.volume, claim);
      case 'pending':
        claimEvent(claim, decision.event);
        await setClaimPhase(claim, 'Pending');
        return;
      case 'lost':
        if (claim.status?.phase !== 'Lost') claimEvent(claim, decision.event);
        await setClaimPhase(claim, 'Lost');
        return;
      case 'assignClass': {
        if (classRefused.has(claim.metadata.uid ?? '')) {
          await setClaimPhase(claim, 'Pending');
          return;
        }
        try {
          await client.update(claimPath(claim), {
            ...claim,
            spec: { ...claim.spec, storageClassName: decision.className },
          });
          log('assigned the default storage class', {
            controller: VOLUME_COMPONENT,
            claim: key,
            class: decision.className,
          });
        } catch (err) {
          // An API server without retroactive default class assignment refuses the change: leave the claim be.
          if (!isApiError(err) || err.code !== 422) throw err;
          classRefused.add(claim.metadata.uid ?? '');
          await setClaimPhase(claim, 'Pending');
        }
        return;
      }
      case 'selectNode':
        await client.update(claimPath(claim), {
          ...claim,
          metadata: {
            ...claim.metadata,
            annotations: { ...(claim.metadata.annotations ?? {}), [ANN_SELECTED_NODE]: decision.node },
          },
        });
        return;
      case 'provision':
        return provision(claim, decision.storageClass, decision.node);
      case 'error':
        throw new Error(decision.message);
    }
  };

  const syncVolume = async (name: string) => {
    const cached = volumes.get(name);
    if (!cached) return;
    let pv = withKind.volume(cached);
    const ref = pv.spec?.claimRef;
    let claim = ref?.name ? claims.get(objectKey({ namespace: ref.namespace, name: ref.name })) : undefined;
    if (claim && claim.metadata.uid !== ref?.uid) claim = undefined;
    if (ref?.uid && !claim) {
      // The cache may lag: only the API server's word releases a volume.
      try {
        const fresh = await client.get<PersistentVolumeClaim>(
          resourcePath(resources.persistentvolumeclaims, { namespace: ref.namespace, name: ref.name }),
        );
        if (fresh.metadata.uid === ref.uid) claim = fresh;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const d = decideVolume(pv, claim, LOCAL_PATH_PROVISIONER);
    switch (d.kind) {
      case 'none':
        return;
      case 'phase':
        volumeEvent(pv, d.event);
        await setVolumePhase(pv, d.phase, d.message);
        return;
      case 'syncClaim':
        queue.add(`claim/${d.claimKey}`);
        return;
      case 'unbind': {
        const annotations = { ...(pv.metadata.annotations ?? {}) };
        const byController = annotations[ANN_BOUND_BY_CONTROLLER] !== undefined;
        delete annotations[ANN_BOUND_BY_CONTROLLER];
        const spec = { ...pv.spec };
        // The controller's binding goes entirely; a user's pre-binding keeps its claim, without the uid.
        if (byController) delete spec.claimRef;
        else if (spec.claimRef) spec.claimRef = { ...spec.claimRef, uid: '' };
        pv = await client.update<PersistentVolume>(volumePath(pv), {
          ...pv,
          metadata: { ...pv.metadata, annotations: byController ? annotations : pv.metadata.annotations },
          spec,
        });
        await setVolumePhase(pv, 'Available');
        return;
      }
      case 'release': {
        if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') pv = await setVolumePhase(pv, 'Released');
        const r = d.reclaim;
        if (r.kind === 'fail') {
          if (pv.status?.phase !== 'Failed') {
            volumeEvent(pv, r.event);
            await setVolumePhase(pv, 'Failed', r.event.message);
          }
          return;
        }
        if (r.kind !== 'delete') return;
        try {
          await client.delete(volumePath(pv), { preconditions: { uid: pv.metadata.uid } });
          log('deleted released volume', { controller: VOLUME_COMPONENT, volume: name });
        } catch (err) {
          if (isNotFound(err) || isConflict(err)) return;
          volumeEvent(pv, { type: 'Warning', reason: 'VolumeFailedDelete', message: String(err) });
          throw err;
        }
      }
    }
  };

  const sync = (key: string) => (key.startsWith('claim/') ? syncClaim(key.slice(6)) : syncVolume(key.slice(7)));

  let classEnsured = !localPathEnabled;
  const ensureLocalPathClass = async () => {
    if (classEnsured) return;
    if (!classes.get(LOCAL_PATH_CLASS)) {
      const makeDefault = defaultClass(classes.list()) === undefined;
      try {
        await client.create(resourcePath(resources.storageclasses, {}), localPathClass(makeDefault));
        log('created the local-path storage class', { controller: VOLUME_COMPONENT, default: makeDefault });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    classEnsured = true;
  };
  const synced = () => [claims, volumes, classes, pods, nodes].every((i) => i.hasSynced());
  const resync = runPeriodically({
    clock,
    periodMs: opts.resyncMs ?? 15_000,
    ready: synced,
    pass: async () => {
      for (const c of claims.list()) enqueueClaim(c);
      for (const pv of volumes.list()) queue.add(`volume/${pv.metadata.name}`);
    },
    onError: (err) => log('volume resync failed', { controller: VOLUME_COMPONENT, error: String(err) }),
  });
  const workers = runWorkers({
    name: VOLUME_COMPONENT,
    ctx,
    queue,
    waitFor: [claims, volumes, classes, pods, nodes],
    workers: opts.workers ?? 2,
    sync: async (key) => {
      await ensureLocalPathClass();
      await sync(key);
    },
  });
  // A first key, so the class is made as soon as the caches are in, not at the first claim or volume.
  queue.add('volume/');
  return {
    name: VOLUME_COMPONENT,
    async stop() {
      await resync.stop();
      await workers.stop();
    },
  };
}
