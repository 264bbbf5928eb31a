// Labels the agent puts on sandboxes and containers. They are its only memory across restarts: a new agent
// process adopts what it finds by these labels instead of starting pods again.
import { createHash } from 'node:crypto';
import { stableJson } from '../../core/json.js';
import type { Container } from '../../core/types.js';

export const LABEL_POD_UID = 'tutti.io/pod-uid';
export const LABEL_POD_NAME = 'tutti.io/pod-name';
export const LABEL_POD_NAMESPACE = 'tutti.io/pod-namespace';
export const LABEL_CONTAINER_NAME = 'tutti.io/container-name';
/** `init` or `regular`: init containers run to completion before the others start. */
export const LABEL_CONTAINER_KIND = 'tutti.io/container-kind';
export const LABEL_SPEC_HASH = 'tutti.io/container-hash';
export const LABEL_RESTART_COUNT = 'tutti.io/restart-count';
/** Grace period to use when a restarted agent kills a container it did not start. */
export const ANNOTATION_GRACE = 'tutti.io/termination-grace-seconds';
/** Set on containers with stdin and stdinOnce: their first attach also gets the output printed before it. */
export const ANNOTATION_STDIN_ONCE = 'tutti.io/stdin-once';

/**
 * Hash of the fields whose change means "recreate the container" (upstream hashes the whole container spec
 * minus resources). Probes, lifecycle hooks and resources are left out so editing them does not restart it.
 */
export function containerSpecHash(c: Container): string {
  const relevant = {
    name: c.name,
    image: c.image,
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    env: c.env,
    envFrom: c.envFrom,
    ports: c.ports,
    volumeMounts: c.volumeMounts,
    securityContext: c.securityContext,
    tty: c.tty,
    stdin: c.stdin,
  };
  return createHash('sha256').update(stableJson(relevant)).digest('hex').slice(0, 16);
}
