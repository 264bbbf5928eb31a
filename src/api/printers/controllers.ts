// ReplicationController, StatefulSet, CronJob and PodTemplate rows (upstream's printReplicationController,
// printStatefulSet, printCronJob, printPodTemplate).
import { formatLabelSelector, formatLabels, type LabelSelectorObject } from '../../core/selectors/index.js';
import type { KubeObject } from '../../core/types.js';
import type { TableSpec } from '../policy.js';
import { at, list, num, obj, optNum, strMap } from './access.js';
import { ageColumn, column, containerCells, nameColumn, templateColumns } from './columns.js';
import { ageSince } from './duration.js';
import { doc } from './swagger-docs.js';

const desired = (o: KubeObject): number => optNum(at(o, 'spec', 'replicas')) ?? 1;

export const replicationControllerTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', doc('core/v1/ReplicationControllerSpec.replicas')),
    column('Current', 'integer', doc('core/v1/ReplicationControllerStatus.replicas')),
    column('Ready', 'integer', doc('core/v1/ReplicationControllerStatus.readyReplicas')),
    ageColumn(),
    ...templateColumns(doc('core/v1/ReplicationControllerSpec.selector')),
  ],
  row(rc, now) {
    const [names, images] = containerCells(at(rc, 'spec', 'template', 'spec'));
    return [
      rc.metadata.name ?? '',
      desired(rc),
      num(at(rc, 'status', 'replicas')),
      num(at(rc, 'status', 'readyReplicas')),
      ageSince(rc.metadata.creationTimestamp, now),
      names,
      images,
      formatLabels(strMap(at(rc, 'spec', 'selector'))),
    ];
  },
};

export const statefulSetTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn(),
    column('Containers', 'string', 'Names of each container in the template.', { priority: 1 }),
    column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 }),
  ],
  row(sts, now) {
    const [names, images] = containerCells(at(sts, 'spec', 'template', 'spec'));
    return [
      sts.metadata.name ?? '',
      `${num(at(sts, 'status', 'readyReplicas'))}/${desired(sts)}`,
      ageSince(sts.metadata.creationTimestamp, now),
      names,
      images,
    ];
  },
};

/** printBoolPtr: `True`/`False`, `<unset>` for a nil pointer. */
function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

export const cronJobTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Schedule', 'string', doc('batch/v1beta1/CronJobSpec.schedule')),
    column('Timezone', 'string', doc('batch/v1beta1/CronJobSpec.timeZone')),
    column('Suspend', 'boolean', doc('batch/v1beta1/CronJobSpec.suspend')),
    column('Active', 'integer', doc('batch/v1beta1/CronJobStatus.active')),
    column('Last Schedule', 'string', doc('batch/v1beta1/CronJobStatus.lastScheduleTime')),
    ageColumn(),
    ...templateColumns(doc('batch/v1/JobSpec.selector')),
  ],
  row(cj, now) {
    const last = at(cj, 'status', 'lastScheduleTime');
    const zone = at(cj, 'spec', 'timeZone');
    const jobSpec = at(cj, 'spec', 'jobTemplate', 'spec');
    const [names, images] = containerCells(at(jobSpec, 'template', 'spec'));
    const selector = at(jobSpec, 'selector');
    return [
      cj.metadata.name ?? '',
      String(at(cj, 'spec', 'schedule') ?? ''),
      typeof zone === 'string' ? zone : '<none>',
      boolPtr(at(cj, 'spec', 'suspend')),
      list(at(cj, 'status', 'active')).length,
      typeof last === 'string' && last ? ageSince(last, now) : '<none>',
      ageSince(cj.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(
        selector === undefined || selector === null ? undefined : (obj(selector) as LabelSelectorObject),
      ),
    ];
  },
};

export const podTemplateTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Containers', 'string', 'Names of each container in the template.'),
    column('Images', 'string', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  row(pt) {
    const [names, images] = containerCells(at(pt, 'template', 'spec'));
    return [pt.metadata.name ?? '', names, images, formatLabels(strMap(at(pt, 'template', 'metadata', 'labels')))];
  },
};
