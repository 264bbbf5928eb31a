// Server-side Tables (meta.k8s.io/v1) for kubectl get.
import { defaultTable } from '../../api/printers/index.js';
import type { KubeObject } from '../../core/types.js';
import type { ServedResource } from '../resources.js';

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: Record<string, unknown>;
  columnDefinitions: unknown[];
  rows: { cells: unknown[]; object?: unknown }[];
}

export function partialObjectMetadata(obj: KubeObject): unknown {
  const { managedFields: _m, ...meta } = obj.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta };
}

export function tableOf(
  r: ServedResource,
  objs: KubeObject[],
  include: 'None' | 'Metadata' | 'Object',
  resourceVersion: string,
  now: number,
): Table {
  const spec = r.table ?? defaultTable();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: spec.columns,
    rows: objs.map((o) => {
      const row: { cells: unknown[]; object?: unknown } = { cells: spec.row(o, now) };
      if (include === 'Metadata') row.object = partialObjectMetadata(o);
      else if (include === 'Object') row.object = o;
      return row;
    }),
  };
}
