// LimitRange defaults (core/v1 defaults.go SetDefaults_LimitRangeItem): for Container items, the default
// limit falls back to max, and the default request to the default limit, then to min.
import type { KubeObject } from '../../core/types.js';
import { asObj, type Obj, objects } from './access.js';

function fill(target: Obj, from: Obj | undefined): void {
  for (const [k, v] of Object.entries(from ?? {})) if (target[k] === undefined) target[k] = v;
}

export function defaultLimitRange(o: KubeObject): void {
  for (const item of objects(asObj(o.spec)?.limits)) {
    if (item.type !== 'Container') continue;
    const defaults: Obj = { ...(asObj(item.default) ?? {}) };
    const requests: Obj = { ...(asObj(item.defaultRequest) ?? {}) };
    fill(defaults, asObj(item.max));
    fill(requests, defaults);
    fill(requests, asObj(item.min));
    // Go leaves empty maps out of the JSON.
    if (Object.keys(defaults).length > 0) item.default = defaults;
    if (Object.keys(requests).length > 0) item.defaultRequest = requests;
  }
}
