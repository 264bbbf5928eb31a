// Finds a pod's sandbox and containers in the runtime by the labels the pod workers put on them, for the
// agent's logs/exec/port-forward endpoint. The runtime is the source of truth, so this works for adopted
// pods after an agent restart too.
import type { PodLocation, PodLocator } from '../server/locator.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { ANNOTATION_STDIN_ONCE, LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE } from './labels.js';

export function runtimeLocator(runtime: () => ContainerRuntime | undefined): PodLocator {
  return {
    async locate(namespace, pod, container): Promise<PodLocation | undefined> {
      const rt = runtime();
      if (!rt) return undefined;
      const sandboxes = await rt.listPodSandboxes({
        labelSelector: { [LABEL_POD_NAMESPACE]: namespace, [LABEL_POD_NAME]: pod },
      });
      if (sandboxes.length === 0) return undefined;
      // The ready sandbox, else the newest one (a pod whose sandbox stopped still has logs).
      const sandbox = [...sandboxes].sort(
        (a, b) =>
          Number(b.state === 'ready') - Number(a.state === 'ready') || b.createdAt.getTime() - a.createdAt.getTime(),
      )[0];
      const status = await rt.podSandboxStatus(sandbox.id);
      const loc: PodLocation = { sandboxId: sandbox.id, podIp: status.ip || undefined };
      if (container === undefined) return loc;
      const instances = (
        await rt.listContainers({ sandboxId: sandbox.id, labelSelector: { [LABEL_CONTAINER_NAME]: container } })
      ).sort((a, b) => b.attempt - a.attempt || b.createdAt.getTime() - a.createdAt.getTime());
      if (instances.length === 0) return loc;
      const current = await rt.containerStatus(instances[0].id);
      const previous = instances[1] ? await rt.containerStatus(instances[1].id).catch(() => undefined) : undefined;
      loc.container = {
        id: current.id,
        logPath: current.logPath,
        previousLogPath: previous?.logPath,
        running: current.state === 'running',
        stdinOnce: current.annotations[ANNOTATION_STDIN_ONCE] === 'true',
      };
      return loc;
    },
  };
}
