// Reads what the runtime holds for one pod (by the pod-uid label) into an ObservedPod. Container statuses are
// cached by (id, state): an exited container never changes, so steady pods cost two list calls per sync.
import { type ContainerRuntime, isNotFound } from '../runtime/index.js';
import {
  ANNOTATION_GRACE,
  LABEL_CONTAINER_KIND,
  LABEL_CONTAINER_NAME,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SPEC_HASH,
} from './labels.js';
import type { ObservedContainer, ObservedPod, ObservedSandbox } from './observed.js';

export class PodObserver {
  private readonly containers = new Map<string, ObservedContainer>();
  private readonly sandboxIps = new Map<string, string>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly uid: string,
  ) {}

  async observe(): Promise<ObservedPod> {
    const selector = { [LABEL_POD_UID]: this.uid };
    const [sandboxList, containerList] = await Promise.all([
      this.runtime.listPodSandboxes({ labelSelector: selector }),
      this.runtime.listContainers({ labelSelector: selector }),
    ]);
    const sandboxes: ObservedSandbox[] = [];
    for (const s of sandboxList) {
      let ip = this.sandboxIps.get(s.id);
      if (ip === undefined && s.state === 'ready') {
        try {
          ip = (await this.runtime.podSandboxStatus(s.id)).ip;
          this.sandboxIps.set(s.id, ip);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          continue;
        }
      }
      sandboxes.push({
        id: s.id,
        state: s.state,
        attempt: s.metadata.attempt,
        createdAt: s.createdAt.getTime(),
        ip: ip ?? '',
      });
    }
    const seen = new Set<string>();
    const containers: ObservedContainer[] = [];
    for (const c of containerList) {
      seen.add(c.id);
      const cached = this.containers.get(c.id);
      if (cached && cached.state === c.state) {
        containers.push(cached);
        continue;
      }
      let st: Awaited<ReturnType<ContainerRuntime['containerStatus']>>;
      try {
        st = await this.runtime.containerStatus(c.id);
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const labels = st.labels;
      const grace = Number(st.annotations[ANNOTATION_GRACE]);
      const o: ObservedContainer = {
        id: st.id,
        sandboxId: c.sandboxId,
        name: labels[LABEL_CONTAINER_NAME] ?? st.name,
        kind: labels[LABEL_CONTAINER_KIND] === 'init' ? 'init' : 'regular',
        restartCount: Number(labels[LABEL_RESTART_COUNT] ?? st.attempt) || 0,
        specHash: labels[LABEL_SPEC_HASH] ?? '',
        state: st.state,
        createdAt: st.createdAt.getTime(),
        startedAt: st.startedAt?.getTime(),
        finishedAt: st.finishedAt?.getTime(),
        exitCode: st.exitCode,
        reason: st.reason,
        message: st.message,
        image: st.image,
        imageRef: st.imageRef,
        graceSeconds: Number.isFinite(grace) ? grace : undefined,
      };
      this.containers.set(c.id, o);
      containers.push(o);
    }
    for (const id of this.containers.keys()) if (!seen.has(id)) this.containers.delete(id);
    for (const id of this.sandboxIps.keys()) if (!sandboxList.some((s) => s.id === id)) this.sandboxIps.delete(id);
    return { sandboxes, containers };
  }
}
