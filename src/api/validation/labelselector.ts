// LabelSelector syntax and matching (apimachinery metav1 validation and labels.Selector semantics).
import { type FieldError, field } from '../../core/status.js';
import { arr, invalidEach, obj, str, strMap } from './access.js';
import { isQualifiedName, isValidLabelValue } from '../../core/names.js';
import { validateLabels } from './objectmeta.js';

export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  const sel = obj(selector);
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  arr(sel.matchExpressions).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const expr = obj(e) ?? {};
    const op = str(expr.operator) ?? '';
    const values = arr(expr.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) {
        errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push(field.invalid(`${p}.operator`, op, 'not a valid selector operator'));
    }
    const k = str(expr.key) ?? '';
    errs.push(...invalidEach(`${p}.key`, k, isQualifiedName(k)));
    values.forEach((v, j) => {
      errs.push(...invalidEach(`${p}.values[${j}]`, v, isValidLabelValue(String(v))));
    });
  });
  return errs;
}

/** Whether a selector has no requirements (matches everything). */
export function isEmptySelector(selector: unknown): boolean {
  const sel = obj(selector) ?? {};
  return Object.keys(strMap(sel.matchLabels)).length === 0 && arr(sel.matchExpressions).length === 0;
}

export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = obj(selector) ?? {};
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) if (labels[k] !== v) return false;
  for (const e of arr(sel.matchExpressions)) {
    const expr = obj(e) ?? {};
    const k = str(expr.key) ?? '';
    const values = arr(expr.values).map(String);
    const has = Object.hasOwn(labels, k);
    switch (str(expr.operator)) {
      case 'In':
        if (!has || !values.includes(labels[k]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[k]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
