// Pod rows as upstream's printPod (pkg/printers/internalversion/printers.go): READY counts ready
// containers (and started sidecars), STATUS is the first init problem or the last container's
// waiting/terminated reason, RESTARTS shows when the last restart happened.
import type { TableSpec } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { at, list, num, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince, humanDuration, parseTimestamp } from './duration.js';

const columns = [
  nameColumn(),
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  ageColumn(),
  column('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster.', { priority: 1 }),
  column('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', { priority: 1 }),
  column('Nominated Node', 'string', 'nominatedNodeName is set when this pod preempts other pods on the node.', {
    priority: 1,
  }),
  column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', {
    priority: 1,
  }),
];

interface ContainerState {
  waitingReason?: string;
  terminated?: { reason: string; exitCode: number; signal: number; finishedAt?: number };
  running: boolean;
}

function stateOf(v: unknown): ContainerState {
  const waiting = at(v, 'waiting');
  const terminated = at(v, 'terminated');
  return {
    waitingReason: waiting === undefined || waiting === null ? undefined : str(at(waiting, 'reason')),
    terminated:
      terminated === undefined || terminated === null
        ? undefined
        : {
            reason: str(at(terminated, 'reason')),
            exitCode: num(at(terminated, 'exitCode')),
            signal: num(at(terminated, 'signal')),
            finishedAt: parseTimestamp(at(terminated, 'finishedAt')),
          },
    running: at(v, 'running') !== undefined && at(v, 'running') !== null,
  };
}

function conditionTrue(pod: KubeObject, type: string): boolean {
  return list(at(pod, 'status', 'conditions')).some((c) => at(c, 'type') === type && at(c, 'status') === 'True');
}

/** Upstream looks only at the first Initialized condition. */
function initializedConditionTrue(pod: KubeObject): boolean {
  const c = list(at(pod, 'status', 'conditions')).find((x) => at(x, 'type') === 'Initialized');
  return c !== undefined && at(c, 'status') === 'True';
}

/** The restart moment to report: the latest lastState.terminated.finishedAt seen. */
function laterOf(current: number | undefined, status: unknown): number | undefined {
  const finished = parseTimestamp(at(status, 'lastState', 'terminated', 'finishedAt'));
  if (finished === undefined) return current;
  return current === undefined || current < finished ? finished : current;
}

export function podRow(pod: KubeObject, now: number): unknown[] {
  const initSpecs = list(at(pod, 'spec', 'initContainers'));
  const sidecars = new Set(initSpecs.filter((c) => at(c, 'restartPolicy') === 'Always').map((c) => str(at(c, 'name'))));
  const totalContainers = list(at(pod, 'spec', 'containers')).length + sidecars.size;
  let readyContainers = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const phase = str(at(pod, 'status', 'phase'));
  let reason = str(at(pod, 'status', 'reason')) || phase;
  for (const c of list(at(pod, 'status', 'conditions'))) {
    if (at(c, 'type') === 'PodScheduled' && at(c, 'reason') === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = list(at(pod, 'status', 'initContainerStatuses'));
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = stateOf(at(cs, 'state'));
    const isSidecar = sidecars.has(str(at(cs, 'name')));
    restarts += num(at(cs, 'restartCount'));
    lastRestart = laterOf(lastRestart, cs);
    if (isSidecar) {
      sidecarRestarts += num(at(cs, 'restartCount'));
      lastSidecarRestart = laterOf(lastSidecarRestart, cs);
    }
    if (state.terminated && state.terminated.exitCode === 0) continue;
    if (isSidecar && at(cs, 'started') === true) {
      if (at(cs, 'ready') === true) readyContainers++;
      continue;
    }
    if (state.terminated) {
      const t = state.terminated;
      if (t.reason === '') reason = t.signal !== 0 ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
      else reason = `Init:${t.reason}`;
    } else if (state.waitingReason && state.waitingReason !== 'PodInitializing') {
      reason = `Init:${state.waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || initializedConditionTrue(pod)) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = list(at(pod, 'status', 'containerStatuses'));
    // Walk backwards so the first container's state wins, as upstream does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = stateOf(at(cs, 'state'));
      restarts += num(at(cs, 'restartCount'));
      lastRestart = laterOf(lastRestart, cs);
      if (state.waitingReason) {
        reason = state.waitingReason;
      } else if (state.terminated && state.terminated.reason !== '') {
        reason = state.terminated.reason;
      } else if (state.terminated) {
        const t = state.terminated;
        reason = t.signal !== 0 ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      } else if (at(cs, 'ready') === true && state.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && str(at(pod, 'status', 'reason')) === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartText =
    restarts !== 0 && lastRestart !== undefined
      ? `${restarts} (${humanDuration(now - lastRestart)} ago)`
      : String(restarts);

  const firstIP = at(pod, 'status', 'podIPs', 0, 'ip');
  const podIP = typeof firstIP === 'string' ? firstIP : str(at(pod, 'status', 'podIP'));
  const gates = list(at(pod, 'spec', 'readinessGates'));
  let readinessGates = '<none>';
  if (gates.length > 0) {
    const conditions = list(at(pod, 'status', 'conditions'));
    const trueCount = gates.filter((g) => {
      const c = conditions.find((x) => at(x, 'type') === at(g, 'conditionType'));
      return c !== undefined && at(c, 'status') === 'True';
    }).length;
    readinessGates = `${trueCount}/${gates.length}`;
  }
  return [
    pod.metadata.name ?? '',
    `${readyContainers}/${totalContainers}`,
    reason,
    restartText,
    ageSince(pod.metadata.creationTimestamp, now),
    podIP || '<none>',
    str(at(pod, 'spec', 'nodeName')) || '<none>',
    str(at(pod, 'status', 'nominatedNodeName')) || '<none>',
    readinessGates,
  ];
}

export const podTable: TableSpec = { columns, row: podRow };
