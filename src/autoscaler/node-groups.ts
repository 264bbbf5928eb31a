// Node groups as declared in the ConfigMap kube-system/tutti-node-groups: one data key per group (the
// group's name), its value a YAML document with the provider, the size limits and the node template.
// Pure: a bad group is reported with a message and left out; the good ones still work.

import { parse as parseYaml } from 'yaml';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from '../core/names.js';
import { isQuantity } from '../core/quantity/index.js';
import type { Taint } from '../core/types.js';

export interface NodeTemplate {
  /** Capacity of a new node (allocatable is the same): `cpu`, `memory`, `pods` and any extended resource. */
  capacity: Record<string, string>;
  labels: Record<string, string>;
  taints: Taint[];
}

export interface NodeGroup {
  name: string;
  /** Name of a provider configured in the controller manager (`simulated`, `local`, an exec provider...). */
  provider: string;
  minSize: number;
  maxSize: number;
  /** For the priority expander: the highest priority wins. Default 0. */
  priority: number;
  template: NodeTemplate;
}

export interface NodeGroupError {
  group: string;
  message: string;
}

export interface ParsedNodeGroups {
  groups: NodeGroup[];
  errors: NodeGroupError[];
}

/** Node names are `<group>-<5 characters>`, so a group name leaves room for that in a DNS label. */
export const MAX_GROUP_NAME_LENGTH = 57;
const DEFAULT_PODS = '110';
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function sizeOf(raw: Raw, key: string, errs: string[]): number {
  const v = raw[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    errs.push(`${key} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return 0;
  }
  return v;
}

function stringMap(v: unknown, what: string, errs: string[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    errs.push(`${what} must be a map`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string' && typeof val !== 'number') {
      errs.push(`${what}.${k} must be a string`);
      continue;
    }
    out[k] = String(val);
  }
  return out;
}

function templateOf(v: unknown, errs: string[]): NodeTemplate {
  if (!isObject(v)) {
    errs.push('template must be a map with capacity, labels and taints');
    return { capacity: {}, labels: {}, taints: [] };
  }
  const capacity = stringMap(v['capacity'], 'template.capacity', errs);
  for (const k of ['cpu', 'memory']) if (capacity[k] === undefined) errs.push(`template.capacity.${k} is required`);
  capacity['pods'] ??= DEFAULT_PODS;
  for (const [k, q] of Object.entries(capacity)) {
    if (!isQuantity(q)) errs.push(`template.capacity.${k}: ${JSON.stringify(q)} is not a quantity`);
  }
  const labels = stringMap(v['labels'], 'template.labels', errs);
  for (const [k, val] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(`template.labels: key ${JSON.stringify(k)}: ${m}`);
    for (const m of isValidLabelValue(val)) errs.push(`template.labels.${k}: ${m}`);
  }
  const taints: Taint[] = [];
  const rawTaints = v['taints'] ?? [];
  if (!Array.isArray(rawTaints)) errs.push('template.taints must be a list');
  else {
    rawTaints.forEach((t: unknown, i) => {
      if (!isObject(t) || typeof t['key'] !== 'string' || typeof t['effect'] !== 'string') {
        errs.push(`template.taints[${i}] needs key and effect`);
        return;
      }
      for (const m of isQualifiedName(t['key'])) errs.push(`template.taints[${i}].key: ${m}`);
      if (!TAINT_EFFECTS.includes(t['effect'])) {
        errs.push(`template.taints[${i}].effect must be one of ${TAINT_EFFECTS.join(', ')}`);
      }
      const taint: Taint = { key: t['key'], effect: t['effect'] };
      if (t['value'] !== undefined) taint.value = String(t['value']);
      taints.push(taint);
    });
  }
  return { capacity, labels, taints };
}

/** One group from its YAML document; errors name what is wrong. */
export function parseNodeGroup(name: string, text: string): NodeGroup | NodeGroupError {
  const errs: string[] = [];
  if (name.length > MAX_GROUP_NAME_LENGTH) errs.push(`name must be at most ${MAX_GROUP_NAME_LENGTH} characters`);
  for (const m of isDNS1123Label(name)) errs.push(`name: ${m}`);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return { group: name, message: `not YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  if (!isObject(raw)) return { group: name, message: 'must be a YAML map' };
  const provider = raw['provider'];
  if (typeof provider !== 'string' || provider === '') errs.push('provider is required');
  const minSize = sizeOf(raw, 'minSize', errs);
  const maxSize = sizeOf(raw, 'maxSize', errs);
  if (maxSize < minSize) errs.push(`maxSize (${maxSize}) must not be below minSize (${minSize})`);
  const priority = raw['priority'] ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority)) errs.push('priority must be an integer');
  const template = templateOf(raw['template'], errs);
  if (errs.length > 0) return { group: name, message: errs.join('; ') };
  return { name, provider: provider as string, minSize, maxSize, priority: priority as number, template };
}

/** Every group of the ConfigMap's data, sorted by name; bad ones go to `errors`. */
export function parseNodeGroups(data: Record<string, string> | undefined): ParsedNodeGroups {
  const groups: NodeGroup[] = [];
  const errors: NodeGroupError[] = [];
  for (const name of Object.keys(data ?? {}).sort()) {
    const r = parseNodeGroup(name, data![name]!);
    if ('message' in r) errors.push(r);
    else groups.push(r);
  }
  return { groups, errors };
}
