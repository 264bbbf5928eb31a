// Deployment, ReplicaSet, DaemonSet, Job and ControllerRevision rows (upstream's printDeployment,
// printReplicaSet, printDaemonSet, printJob, printControllerRevision).
import { formatLabelSelector, formatLabels, labelSelectorFromObject } from '../../core/selectors/index.js';
import type { LabelSelectorObject } from '../../core/selectors/index.js';
import type { TableSpec } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { at, list, num, obj, optNum, strMap } from './access.js';
import { ageColumn, column, containerCells, nameColumn, templateColumns } from './columns.js';
import { ageSince, humanDuration, parseTimestamp } from './duration.js';

// Defaulting always sets spec.replicas; 1 is its default when a writer skipped it.
const desiredReplicas = (o: KubeObject): number => optNum(at(o, 'spec', 'replicas')) ?? 1;
const selectorOf = (o: KubeObject): LabelSelectorObject | undefined => {
  const sel = at(o, 'spec', 'selector');
  return sel === undefined || sel === null ? undefined : (obj(sel) as LabelSelectorObject);
};
const templateSpec = (o: KubeObject): unknown => at(o, 'spec', 'template', 'spec');

export const deploymentTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column(
      'Up-to-date',
      'string',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'string',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageColumn(),
    ...templateColumns(
      'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    ),
  ],
  row(d, now) {
    let selector: string;
    try {
      selector = labelSelectorFromObject(selectorOf(d)).toString();
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = containerCells(templateSpec(d));
    return [
      d.metadata.name ?? '',
      `${num(at(d, 'status', 'readyReplicas'))}/${desiredReplicas(d)}`,
      num(at(d, 'status', 'updatedReplicas')),
      num(at(d, 'status', 'availableReplicas')),
      ageSince(d.metadata.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};

export const replicaSetTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn(),
    ...templateColumns('Selector is a label query over pods that should match the replica count.'),
  ],
  row(rs, now) {
    const [names, images] = containerCells(templateSpec(rs));
    return [
      rs.metadata.name ?? '',
      desiredReplicas(rs),
      num(at(rs, 'status', 'replicas')),
      num(at(rs, 'status', 'readyReplicas')),
      ageSince(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(selectorOf(rs)),
    ];
  },
};

export const daemonSetTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    column(
      'Current',
      'integer',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
    ),
    column(
      'Ready',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    ),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.',
    ),
    column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    ageColumn(),
    ...templateColumns('A label query over pods that are managed by the daemon set.'),
  ],
  row(ds, now) {
    const [names, images] = containerCells(templateSpec(ds));
    return [
      ds.metadata.name ?? '',
      num(at(ds, 'status', 'desiredNumberScheduled')),
      num(at(ds, 'status', 'currentNumberScheduled')),
      num(at(ds, 'status', 'numberReady')),
      num(at(ds, 'status', 'updatedNumberScheduled')),
      num(at(ds, 'status', 'numberAvailable')),
      formatLabels(strMap(at(ds, 'spec', 'template', 'spec', 'nodeSelector'))),
      ageSince(ds.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(selectorOf(ds)),
    ];
  },
};

/** The first condition of the type decides, as upstream's hasJobCondition. */
function jobCondition(job: KubeObject, type: string): boolean {
  const c = list(at(job, 'status', 'conditions')).find((x) => at(x, 'type') === type);
  return c !== undefined && at(c, 'status') === 'True';
}

function jobStatus(job: KubeObject): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const jobTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    ...templateColumns('A label query over pods that should match the pod count.'),
  ],
  row(job, now) {
    const succeeded = num(at(job, 'status', 'succeeded'));
    const completions = optNum(at(job, 'spec', 'completions'));
    const parallelism = optNum(at(job, 'spec', 'parallelism')) ?? 0;
    let completionText: string;
    if (completions !== undefined) completionText = `${succeeded}/${completions}`;
    else if (parallelism > 1) completionText = `${succeeded}/1 of ${parallelism}`;
    else completionText = `${succeeded}/1`;
    const start = parseTimestamp(at(job, 'status', 'startTime'));
    const end = parseTimestamp(at(job, 'status', 'completionTime'));
    let duration = '';
    if (start !== undefined) duration = humanDuration((end ?? now) - start);
    const [names, images] = containerCells(templateSpec(job));
    return [
      job.metadata.name ?? '',
      jobStatus(job),
      completionText,
      duration,
      ageSince(job.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(selectorOf(job)),
    ];
  },
};

/** `kind.group/name` lower-cased, as upstream's formatResourceName with the controller's group. */
function controllerName(rev: KubeObject): string {
  const ref = (rev.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (!ref.kind) return ref.name;
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  row: (rev, now) => [
    rev.metadata.name ?? '',
    controllerName(rev),
    num(at(rev, 'revision')),
    ageSince(rev.metadata.creationTimestamp, now),
  ],
};
