// autoscaling/v1 keeps v2 metrics in annotations using the older v1 MetricSpec/MetricStatus shapes
// (targetAverageUtilization, metricName, ...). These map one metric each way, as upstream's
// Convert_{v1,autoscaling}_Metric{Spec,Status}_To_* functions do.
import { asObj, type Obj, pick, present } from './json.js';

const ZERO = '0';
const orZero = (v: unknown) => (present(v) ? v : ZERO);

function identifier(src: Obj, nameKey: string, selectorKey: string): Obj {
  return { name: src[nameKey] ?? '', ...pick(src, [[selectorKey, 'selector']]) };
}

export function metricSpecToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? '' };
  const object = asObj(m.object);
  if (object) {
    const target = asObj(object.target) ?? {};
    const metric = asObj(object.metric) ?? {};
    out.object = {
      target: pick(object.describedObject, ['kind', 'name', 'apiVersion']),
      metricName: metric.name ?? '',
      targetValue: orZero(target.value),
      ...pick(metric, ['selector']),
      ...pick(target, ['averageValue']),
    };
  }
  const pods = asObj(m.pods);
  if (pods) {
    const metric = asObj(pods.metric) ?? {};
    out.pods = {
      metricName: metric.name ?? '',
      targetAverageValue: orZero(asObj(pods.target)?.averageValue),
      ...pick(metric, ['selector']),
    };
  }
  for (const k of ['resource', 'containerResource']) {
    const r = asObj(m[k]);
    if (!r) continue;
    const target = asObj(r.target) ?? {};
    out[k] = {
      name: r.name ?? '',
      ...pick(target, [
        ['averageUtilization', 'targetAverageUtilization'],
        ['averageValue', 'targetAverageValue'],
      ]),
      ...(k === 'containerResource' ? { container: r.container ?? '' } : {}),
    };
  }
  const external = asObj(m.external);
  if (external) {
    const metric = asObj(external.metric) ?? {};
    out.external = {
      metricName: metric.name ?? '',
      ...pick(metric, [['selector', 'metricSelector']]),
      ...pick(external.target, [
        ['value', 'targetValue'],
        ['averageValue', 'targetAverageValue'],
      ]),
    };
  }
  return out;
}

export function metricSpecFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? '' };
  const object = asObj(m.object);
  if (object) {
    out.object = {
      describedObject: pick(object.target, ['kind', 'name', 'apiVersion']),
      metric: identifier(object, 'metricName', 'selector'),
      target: {
        type: present(object.averageValue) ? 'AverageValue' : 'Value',
        value: orZero(object.targetValue),
        ...pick(object, ['averageValue']),
      },
    };
  }
  const pods = asObj(m.pods);
  if (pods) {
    out.pods = {
      metric: identifier(pods, 'metricName', 'selector'),
      target: { type: 'AverageValue', averageValue: orZero(pods.targetAverageValue) },
    };
  }
  for (const k of ['resource', 'containerResource']) {
    const r = asObj(m[k]);
    if (!r) continue;
    out[k] = {
      name: r.name ?? '',
      ...(k === 'containerResource' ? { container: r.container ?? '' } : {}),
      target: {
        type: present(r.targetAverageUtilization) ? 'Utilization' : 'AverageValue',
        ...pick(r, [
          ['targetAverageUtilization', 'averageUtilization'],
          ['targetAverageValue', 'averageValue'],
        ]),
      },
    };
  }
  const external = asObj(m.external);
  if (external) {
    out.external = {
      metric: identifier(external, 'metricName', 'metricSelector'),
      target: {
        type: present(external.targetValue) ? 'Value' : 'AverageValue',
        ...pick(external, [
          ['targetValue', 'value'],
          ['targetAverageValue', 'averageValue'],
        ]),
      },
    };
  }
  return out;
}

export function metricStatusToV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? '' };
  const object = asObj(m.object);
  if (object) {
    const current = asObj(object.current) ?? {};
    const metric = asObj(object.metric) ?? {};
    out.object = {
      target: pick(object.describedObject, ['kind', 'name', 'apiVersion']),
      metricName: metric.name ?? '',
      currentValue: orZero(current.value),
      ...pick(metric, ['selector']),
      ...pick(current, ['averageValue']),
    };
  }
  const pods = asObj(m.pods);
  if (pods) {
    const metric = asObj(pods.metric) ?? {};
    out.pods = {
      metricName: metric.name ?? '',
      currentAverageValue: orZero(asObj(pods.current)?.averageValue),
      ...pick(metric, ['selector']),
    };
  }
  for (const k of ['resource', 'containerResource']) {
    const r = asObj(m[k]);
    if (!r) continue;
    const current = asObj(r.current) ?? {};
    out[k] = {
      name: r.name ?? '',
      ...pick(current, [['averageUtilization', 'currentAverageUtilization']]),
      currentAverageValue: orZero(current.averageValue),
      ...(k === 'containerResource' ? { container: r.container ?? '' } : {}),
    };
  }
  const external = asObj(m.external);
  if (external) {
    const current = asObj(external.current) ?? {};
    const metric = asObj(external.metric) ?? {};
    out.external = {
      metricName: metric.name ?? '',
      ...pick(metric, [['selector', 'metricSelector']]),
      currentValue: orZero(current.value),
      ...pick(current, [['averageValue', 'currentAverageValue']]),
    };
  }
  return out;
}

export function metricStatusFromV1(m: Obj): Obj {
  const out: Obj = { type: m.type ?? '' };
  const object = asObj(m.object);
  if (object) {
    out.object = {
      describedObject: pick(object.target, ['kind', 'name', 'apiVersion']),
      metric: identifier(object, 'metricName', 'selector'),
      current: { value: orZero(object.currentValue), ...pick(object, ['averageValue']) },
    };
  }
  const pods = asObj(m.pods);
  if (pods) {
    out.pods = {
      metric: identifier(pods, 'metricName', 'selector'),
      current: { averageValue: orZero(pods.currentAverageValue) },
    };
  }
  for (const k of ['resource', 'containerResource']) {
    const r = asObj(m[k]);
    if (!r) continue;
    out[k] = {
      name: r.name ?? '',
      ...(k === 'containerResource' ? { container: r.container ?? '' } : {}),
      current: {
        averageValue: orZero(r.currentAverageValue),
        ...pick(r, [['currentAverageUtilization', 'averageUtilization']]),
      },
    };
  }
  const external = asObj(m.external);
  if (external) {
    out.external = {
      metric: identifier(external, 'metricName', 'metricSelector'),
      current: { value: orZero(external.currentValue), ...pick(external, [['currentAverageValue', 'averageValue']]) },
    };
  }
  return out;
}
