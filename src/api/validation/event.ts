// Events in either shape: core/v1 (involvedObject, message) and events.k8s.io/v1 (regarding, note).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { num, obj, str } from './access.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';

const NOTE_MAX = 1024;
const TYPES = ['Normal', 'Warning'];

export function validateEvent(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  const namespace = o.metadata.namespace ?? '';
  if (o.apiVersion === 'events.k8s.io/v1') {
    const regardingNs = str(obj(o.regarding)?.namespace) ?? '';
    if (regardingNs && regardingNs !== namespace) {
      errs.push(field.invalid('regarding.namespace', regardingNs, 'does not match event.namespace'));
    }
    if (!o.eventTime) errs.push(field.required('eventTime', ''));
    for (const f of ['reportingController', 'reportingInstance', 'action', 'reason']) {
      if (!str(o[f])) errs.push(field.required(f, ''));
    }
    const type = str(o.type) ?? '';
    if (!TYPES.includes(type)) errs.push(field.notSupported('type', type, TYPES));
    const note = str(o.note) ?? '';
    if (note.length > NOTE_MAX) errs.push(field.tooLong('note', NOTE_MAX));
    const series = obj(o.series);
    if (series && (num(series.count) ?? 0) < 2) {
      errs.push(field.invalid('series.count', series.count, 'should be at least 2'));
    }
    return errs;
  }
  const involvedNs = str(obj(o.involvedObject)?.namespace) ?? '';
  if (involvedNs && involvedNs !== namespace) {
    errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  }
  const type = str(o.type);
  if (o.eventTime && type !== undefined && !TYPES.includes(type)) errs.push(field.notSupported('type', type, TYPES));
  return errs;
}
