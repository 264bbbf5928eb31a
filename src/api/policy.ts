// What the API server asks of each resource's policy modules. The machinery (src/apiserver) calls these;
// the meaning of each resource lives in src/api/{defaults,validation,conversion,printers,fields}.
import type { FieldError } from '../core/status.js';
import type { KubeObject } from '../core/types.js';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string; // '', 'name', 'date', ...
  description: string;
  /** 0: always shown; >0: only with -o wide. */
  priority: number;
}

export interface TableSpec {
  columns: TableColumn[];
  /** Cells in column order. `now` is Date.now() at request time (for ages). */
  row(obj: KubeObject, now: number): unknown[];
}

/** Mutates obj in place to fill upstream defaults. Runs on create and on every update. */
export type Defaulter = (obj: KubeObject) => void;

/** Validates obj; `old` is given on update (for immutable fields). Returns [] when valid. */
export type Validator = (obj: KubeObject, old?: KubeObject) => FieldError[];

/** Field-selector attributes of an object beyond metadata.name and metadata.namespace, e.g. spec.nodeName. */
export type FieldLabeler = (obj: KubeObject) => Record<string, string>;

/** Converts between a served version and the storage version of the same resource. */
export interface VersionConverter {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}
