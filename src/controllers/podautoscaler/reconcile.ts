// One HPA's sync, after upstream's reconcileAutoscaler (kubernetes pkg/controller/podautoscaler/horizontal.go):
// read the target's scale -> check its selector -> a replica proposal per metric (the largest wins; any
// failed metric blocks a scale-down) -> min/max, stabilization and rate limits -> write the scale, then the
// status (only when it changed) with currentMetrics, desiredReplicas, lastScaleTime and the conditions
// AbleToScale, ScalingActive and ScalingLimited; events as upstream's. All I/O goes through AutoscalerDeps,
// so the whole decision runs on plain objects in tests.
import { formatQuantity, parseCpuMillis, parseQuantity } from '../../core/quantity/index.js';
import { type LabelSelector, nothing, parseLabelSelector } from '../../core/selectors/index.js';
import { jsonEqual } from '../../core/json.js';
import { rfc3339 } from '../../core/time.js';
import type { autoscalingv2, HorizontalPodAutoscaler, Pod, Scale } from '../../core/types.js';
import type { ResourceDescriptor } from '../../core/resources.js';
import {
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  defaultScalingRules,
  type NormalizationArgs,
  type ScalingHistory,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
} from './behavior.js';
import { isInt32 } from '../shared/spec-guard.js';
import { type ConditionSpec, setCondition } from './conditions.js';
import { CUSTOM_METRICS_NOT_SUPPORTED, EXTERNAL_METRICS_NOT_SUPPORTED, type MetricsClient } from './metrics-client.js';
import {
  getRawResourceReplicas,
  getResourceReplicas,
  type ReadinessOptions,
  type Tolerances,
} from './replica-calculator.js';
import { HpaSelectors } from './selectors.js';
import { parseGroupVersion, scaleTargetResources } from './target.js';

type MetricSpec = autoscalingv2.MetricSpec;
type MetricStatus = autoscalingv2.MetricStatus;
type HpaStatus = autoscalingv2.HorizontalPodAutoscalerStatus;

export interface AutoscalerOptions extends ReadinessOptions {
  /** --horizontal-pod-autoscaler-tolerance (default 0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (default 5 min). */
  downscaleStabilizationWindowMs: number;
}

export const DEFAULT_AUTOSCALER_OPTIONS: AutoscalerOptions = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
  downscaleStabilizationWindowMs: 5 * 60_000,
};

export interface ScaleClient {
  get(resource: ResourceDescriptor, namespace: string, name: string): Promise<Scale>;
  update(resource: ResourceDescriptor, namespace: string, scale: Scale): Promise<Scale>;
}

export type EventType = 'Normal' | 'Warning';

export interface AutoscalerDeps {
  now(): number;
  scales: ScaleClient;
  /** Pods of the namespace the selector selects (an informer's cache). */
  pods(namespace: string, selector: LabelSelector): readonly Pod[];
  metrics: MetricsClient;
  /** PUT of the status subresource; throws on failure. */
  updateStatus(hpa: HorizontalPodAutoscaler): Promise<void>;
  event(hpa: HorizontalPodAutoscaler, type: EventType, reason: string, message: string): void;
}

export interface ReconcileResult {
  currentReplicas?: number;
  desiredReplicas?: number;
  rescaled: boolean;
  /** What went wrong, as upstream's returned error (the status and events already say it). */
  error?: string;
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A failure that has already set the HPA's condition. */
class MetricError extends Error {
  constructor(
    message: string,
    readonly condition: ConditionSpec,
  ) {
    super(message);
  }
}

interface Proposal {
  replicas: number;
  metric: string;
  timestampMs: number;
  status: MetricStatus;
}

function milliQuantity(milli: number): string {
  return formatQuantity(milli / 1000, 'DecimalSI');
}

/** Quantity.MilliValue (rounded up, exact). */
function quantityMilli(q: string | number | undefined): number | undefined {
  return q === undefined ? undefined : parseCpuMillis(String(q));
}

export class Autoscaler {
  private readonly history = new Map<string, ScalingHistory>();
  /** The selector of each HPA (upstream hpaSelectors), to find pods two HPAs both scale. */
  private readonly selectors = new HpaSelectors();
  /** The last parsed scale selector of each HPA: the text rarely changes, parsing it costs. */
  private readonly parsed = new Map<string, { text: string; selector: LabelSelector }>();

  constructor(
    private readonly deps: AutoscalerDeps,
    private readonly opts: AutoscalerOptions = DEFAULT_AUTOSCALER_OPTIONS,
  ) {}

  /** An HPA appeared: it selects nothing until its first sync reads its target's selector (enqueueHPA). */
  register(namespace: string, key: string): void {
    if (!this.selectors.has(key)) this.selectors.set(namespace, key, nothing());
  }

  /** An HPA was deleted: forget its recommendations, scale events and selector. */
  forget(_namespace: string, key: string): void {
    this.history.delete(key);
    this.selectors.delete(key);
    this.parsed.delete(key);
  }

  /**
   * The remembered recommendations and scale events of an HPA, created empty if there are none (tests seed
   * them, as upstream's do; an HPA seen for the first time starts with the current size instead).
   */
  historyOf(key: string): ScalingHistory {
    let h = this.history.get(key);
    if (!h) {
      h = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
      this.history.set(key, h);
    }
    return h;
  }

  async reconcile(shared: HorizontalPodAutoscaler, key: string): Promise<ReconcileResult> {
    const now = this.deps.now();
    // The informer's object is shared: nothing below writes to it (new status objects are built).
    const hpa = shared;
    const original = hpa.status;
    const status: HpaStatus = { ...(hpa.status ?? { desiredReplicas: 0 }) };
    let conditions = status.conditions ?? [];
    const cond = (c: ConditionSpec) => {
      conditions = setCondition(conditions, c, now);
    };
    const namespace = hpa.metadata.namespace ?? '';
    const spec = hpa.spec!;
    const ref = spec.scaleTargetRef;
    const reference = `${ref.kind}/${namespace}/${ref.name}`;

    const writeStatus = async (s: HpaStatus): Promise<string | undefined> => {
      s.conditions = conditions;
      if (original && jsonEqual(s, original)) return undefined;
      try {
        await this.deps.updateStatus({ ...hpa, status: s });
        return undefined;
      } catch (err) {
        this.deps.event(hpa, 'Warning', 'FailedUpdateStatus', errText(err));
        return `failed to update status for ${hpa.metadata.name}: ${errText(err)}`;
      }
    };
    /** Status as it was but for currentReplicas (and metrics): setCurrentReplicasAndMetricsInStatus. */
    const keepDesired = (currentReplicas: number, metrics: MetricStatus[] | undefined): HpaStatus => {
      const s: HpaStatus = { desiredReplicas: status.desiredReplicas ?? 0, currentReplicas };
      if (status.lastScaleTime) s.lastScaleTime = status.lastScaleTime;
      if (metrics) s.currentMetrics = metrics;
      return s;
    };
    const failGetScale = async (message: string, error: string): Promise<ReconcileResult> => {
      this.deps.event(hpa, 'Warning', 'FailedGetScale', message);
      cond({
        type: 'AbleToScale',
        status: 'False',
        reason: 'FailedGetScale',
        message: `the HPA controller was unable to get the target's current scale: ${message}`,
      });
      const statusError = await writeStatus({ ...status });
      return { rescaled: false, error: statusError ?? error };
    };

    // The target's scale subresource.
    let resources: ResourceDescriptor[];
    try {
      parseGroupVersion(ref.apiVersion);
    } catch (err) {
      return failGetScale(errText(err), `invalid API version in scale target reference: ${errText(err)}`);
    }
    try {
      resources = scaleTargetResources(ref);
    } catch (err) {
      return failGetScale(errText(err), `unable to determine resource for scale target reference: ${errText(err)}`);
    }
    let scale: Scale | undefined;
    let targetResource: ResourceDescriptor | undefined;
    let firstError: unknown;
    for (const r of resources) {
      try {
        scale = await this.deps.scales.get(r, namespace, ref.name);
        targetResource = r;
        break;
      } catch (err) {
        firstError ??= err;
      }
    }
    if (!scale || !targetResource) {
      const msg = errText(firstError ?? 'unrecognized resource');
      return failGetScale(msg, `failed to query scale subresource for ${reference}: ${msg}`);
    }
    const scaleReplicas: unknown = scale.spec?.replicas ?? 0;
    if (!isInt32(scaleReplicas)) {
      // A target stored with an unusable count (wrong type, beyond int32): never compute from it.
      const msg = `invalid replica count ${JSON.stringify(scaleReplicas) ?? String(scaleReplicas)} in the scale of ${reference}`;
      return failGetScale(msg, msg);
    }
    cond({
      type: 'AbleToScale',
      status: 'True',
      reason: 'SucceededGetScale',
      message: "the HPA controller was able to get the target's current scale",
    });
    const currentReplicas = scaleReplicas;
    // recordInitialRecommendation: the current size is the first recommendation of a new HPA.
    let history = this.history.get(key);
    if (!history) {
      history = {
        recommendations: [{ recommendation: currentReplicas, timestampMs: now }],
        scaleUpEvents: [],
        scaleDownEvents: [],
      };
      this.history.set(key, history);
    }

    const minReplicas = spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: MetricStatus[] | undefined;
    let retError: string | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      // Autoscaling is off while the target is scaled to zero.
      rescale = false;
      cond({
        type: 'ScalingActive',
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      });
    } else if (currentReplicas > spec.maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, scale, key, now, cond);
      metricStatuses = computed.statuses;
      if (computed.replicas === -1) {
        const statusError = await writeStatus(keepDesired(currentReplicas, metricStatuses));
        this.deps.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error ?? '');
        return {
          currentReplicas,
          rescaled: false,
          error:
            statusError ??
            `failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error}`,
        };
      }
      // Some metrics failed but the others still scale up: go on, and report the failure at the end.
      retError = computed.error;
      let rescaleMetric = '';
      if (computed.replicas > desiredReplicas) {
        desiredReplicas = computed.replicas;
        rescaleMetric = computed.metric;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = spec.behavior
        ? this.normalizeWithBehaviors(hpa, history, currentReplicas, desiredReplicas, minReplicas, now, cond)
        : this.normalize(hpa, history, currentReplicas, desiredReplicas, minReplicas, now, cond);
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      const next: Scale = { ...scale, spec: { ...scale.spec, replicas: desiredReplicas } };
      try {
        await this.deps.scales.update(targetResource, namespace, next);
      } catch (err) {
        this.deps.event(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${errText(err)}`,
        );
        cond({
          type: 'AbleToScale',
          status: 'False',
          reason: 'FailedUpdateScale',
          message: `the HPA controller was unable to update the target scale: ${errText(err)}`,
        });
        const statusError = await writeStatus(keepDesired(currentReplicas, metricStatuses));
        return {
          currentReplicas,
          rescaled: false,
          error: statusError ?? `failed to rescale ${reference}: ${errText(err)}`,
        };
      }
      cond({
        type: 'AbleToScale',
        status: 'True',
        reason: 'SucceededRescale',
        message: `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      });
      this.deps.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      storeScaleEvent(spec.behavior, history, currentReplicas, desiredReplicas, now);
    } else {
      desiredReplicas = currentReplicas;
    }

    // setStatus: a fresh status (observedGeneration and the old metrics go), lastScaleTime on a rescale.
    const next: HpaStatus = { currentReplicas, desiredReplicas };
    const lastScaleTime = rescale ? rfc3339(now) : status.lastScaleTime;
    if (lastScaleTime) next.lastScaleTime = lastScaleTime;
    if (metricStatuses) next.currentMetrics = metricStatuses;
    const statusError = await writeStatus(next);
    return { currentReplicas, desiredReplicas, rescaled: rescale, error: statusError ?? retError };
  }

  /** validateAndParseSelector: present, parseable, and no pod of it scaled by another HPA. */
  private selectorFor(
    hpa: HorizontalPodAutoscaler,
    key: string,
    text: string | undefined,
    cond: (c: ConditionSpec) => void,
  ): { selector: LabelSelector; pods: readonly Pod[] } {
    const namespace = hpa.metadata.namespace ?? '';
    if (!text) {
      this.deps.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      cond({
        type: 'ScalingActive',
        status: 'False',
        reason: 'InvalidSelector',
        message: "the HPA target's scale is missing a selector",
      });
      throw new Error('selector is required');
    }
    let selector: LabelSelector;
    try {
      const cached = this.parsed.get(key);
      selector = cached?.text === text ? cached.selector : parseLabelSelector(text);
      this.parsed.set(key, { text, selector });
    } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${errText(err)}`;
      this.deps.event(hpa, 'Warning', 'InvalidSelector', msg);
      cond({ type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: msg });
      throw new Error(msg);
    }
    // Only HPAs registered by the informer take part (upstream updates the selector only then).
    if (this.selectors.has(key)) this.selectors.set(namespace, key, selector);
    const pods = this.deps.pods(namespace, selector);
    const controlling = this.selectors.controlling(namespace, pods);
    if (controlling.size > 1) {
      const msg = `pods by selector ${text} are controlled by multiple HPAs: [${[...controlling].sort().join(' ')}]`;
      this.deps.event(hpa, 'Warning', 'AmbiguousSelector', msg);
      cond({ type: 'ScalingActive', status: 'False', reason: 'AmbiguousSelector', message: msg });
      throw new Error(msg);
    }
    return { selector, pods };
  }

  /** computeReplicasForMetrics: -1 when nothing can be decided. */
  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    scale: Scale,
    key: string,
    now: number,
    cond: (c: ConditionSpec) => void,
  ): Promise<{ replicas: number; metric: string; statuses?: MetricStatus[]; error?: string }> {
    let sel: { selector: LabelSelector; pods: readonly Pod[] };
    try {
      sel = this.selectorFor(hpa, key, scale.status?.selector, cond);
    } catch (err) {
      return { replicas: -1, metric: '', error: errText(err) };
    }
    const specReplicas = scale.spec?.replicas ?? 0;
    const statusReplicas = scale.status?.replicas ?? 0;
    const specs = metricSpecsOf(hpa);
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let firstError: MetricError | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        const p = await this.computeReplicasForMetric(hpa, spec, specReplicas, statusReplicas, sel, now);
        statuses[i] = p.status;
        if (replicas === 0 || p.replicas > replicas) {
          replicas = p.replicas;
          metric = p.metric;
        }
      } catch (err) {
        if (!(err instanceof MetricError)) throw err;
        if (invalid === 0) firstError = err;
        invalid++;
      }
    }
    const error = firstError
      ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}`
      : undefined;
    // All failed, or some failed and the rest would scale down: decide nothing.
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      if (firstError) cond(firstError.condition);
      return { replicas: -1, metric: '', statuses, error };
    }
    cond({
      type: 'ScalingActive',
      status: 'True',
      reason: 'ValidMetricFound',
      message: `the HPA was able to successfully calculate a replica count from ${metric}`,
    });
    return { replicas, metric, statuses, error };
  }

  /** getUnableComputeReplicaCountCondition: an event, and the ScalingActive=False condition to set. */
  private unable(hpa: HorizontalPodAutoscaler, reason: string, err: string, wrapped: string): MetricError {
    this.deps.event(hpa, 'Warning', reason, err);
    return new MetricError(wrapped, {
      type: 'ScalingActive',
      status: 'False',
      reason,
      message: `the HPA was unable to compute the replica count: ${err}`,
    });
  }

  private async computeReplicasForMetric(
    hpa: HorizontalPodAutoscaler,
    spec: MetricSpec,
    specReplicas: number,
    _statusReplicas: number,
    sel: { selector: LabelSelector; pods: readonly Pod[] },
    now: number,
  ): Promise<Proposal> {
    const namespace = hpa.metadata.namespace ?? '';
    switch (spec.type) {
      case 'Resource': {
        const r = spec.resource;
        if (!r)
          throw this.unable(
            hpa,
            'FailedGetResourceMetric',
            'missing resource metric source',
            'missing resource metric source',
          );
        try {
          const p = await this.resourceProposal(hpa, r.name, '', r.target, specReplicas, sel, now);
          return { ...p, status: { type: 'Resource', resource: { name: r.name, current: p.current } } };
        } catch (err) {
          const msg = errText(err);
          throw this.unable(
            hpa,
            'FailedGetResourceMetric',
            msg,
            `failed to get ${r.name} resource metric value: ${msg}`,
          );
        }
      }
      case 'ContainerResource': {
        const r = spec.containerResource;
        if (!r)
          throw this.unable(
            hpa,
            'FailedGetContainerResourceMetric',
            'missing container resource metric source',
            'missing container resource metric source',
          );
        try {
          const p = await this.resourceProposal(hpa, r.name, r.container, r.target, specReplicas, sel, now);
          return {
            ...p,
            status: {
              type: 'ContainerResource',
              containerResource: { name: r.name, container: r.container, current: p.current },
            },
          };
        } catch (err) {
          const msg = errText(err);
          throw this.unable(
            hpa,
            'FailedGetContainerResourceMetric',
            msg,
            `failed to get ${r.container} container metric value: ${msg}`,
          );
        }
      }
      case 'Pods': {
        const name = spec.pods?.metric.name ?? '';
        const msg = `unable to get metric ${name}: unable to fetch metrics from custom metrics API: ${CUSTOM_METRICS_NOT_SUPPORTED}`;
        throw this.unable(hpa, 'FailedGetPodsMetric', msg, `failed to get pods metric value: ${msg}`);
      }
      case 'Object': {
        const o = spec.object;
        const inner = `unable to fetch metrics from custom metrics API: ${CUSTOM_METRICS_NOT_SUPPORTED}`;
        // Upstream's wording, argument order included: "unable to get metric M: Kind on namespace name/error".
        const msg = `unable to get metric ${o?.metric.name ?? ''}: ${o?.describedObject.kind ?? ''} on ${namespace} ${o?.describedObject.name ?? ''}/${inner}`;
        throw this.unable(hpa, 'FailedGetObjectMetric', msg, `failed to get object metric value: ${msg}`);
      }
      case 'External': {
        const e = spec.external;
        const name = e?.metric.name ?? '';
        const selector = e?.metric.selector ? JSON.stringify(e.metric.selector) : '';
        const msg = `unable to get external metric ${namespace}/${name}/${selector}: unable to fetch metrics from external metrics API: ${EXTERNAL_METRICS_NOT_SUPPORTED}`;
        throw this.unable(hpa, 'FailedGetExternalMetric', msg, `failed to get ${name} external metric value: ${msg}`);
      }
      default: {
        const msg = `unknown metric source type "${spec.type}"`;
        throw this.unable(hpa, 'InvalidMetricSourceType', msg, msg);
      }
    }
  }

  /** computeStatusForResourceMetricGeneric. Throws upstream's error text. */
  private async resourceProposal(
    hpa: HorizontalPodAutoscaler,
    resource: string,
    container: string,
    target: autoscalingv2.MetricTarget,
    currentReplicas: number,
    sel: { selector: LabelSelector; pods: readonly Pod[] },
    now: number,
  ): Promise<{ replicas: number; metric: string; timestampMs: number; current: autoscalingv2.MetricValueStatus }> {
    const query = {
      currentReplicas,
      resource,
      container,
      tolerances: this.tolerancesFor(hpa),
      pods: sel.pods,
      readiness: this.opts,
      nowMs: now,
      namespace: hpa.metadata.namespace ?? '',
      selector: sel.selector,
    };
    const averageValue = quantityMilli(target.averageValue);
    if (averageValue !== undefined) {
      try {
        const r = await getRawResourceReplicas(this.deps.metrics, query, averageValue);
        return {
          replicas: r.replicas,
          metric: `${resource} resource`,
          timestampMs: r.timestampMs,
          current: { averageValue: milliQuantity(r.usage) },
        };
      } catch (err) {
        throw new Error(`failed to get ${resource} usage: ${errText(err)}`);
      }
    }
    if (target.averageUtilization === undefined) {
      throw new Error(
        'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
      );
    }
    try {
      const r = await getResourceReplicas(this.deps.metrics, query, target.averageUtilization);
      return {
        replicas: r.replicas,
        metric:
          container === ''
            ? `${resource} resource utilization (percentage of request)`
            : `${resource} container resource utilization (percentage of request)`,
        timestampMs: r.timestampMs,
        current: { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawUtilization) },
      };
    } catch (err) {
      throw new Error(`failed to get ${resource} utilization: ${errText(err)}`);
    }
  }

  /** The controller's tolerance, or the HPA's own per direction when its behavior sets one (tolerancesForHpa). */
  private tolerancesFor(hpa: HorizontalPodAutoscaler): Tolerances {
    const t: Tolerances = { scaleDown: this.opts.tolerance, scaleUp: this.opts.tolerance };
    type WithTolerance = { tolerance?: string | number };
    const down = (hpa.spec?.behavior?.scaleDown as WithTolerance | undefined)?.tolerance;
    const up = (hpa.spec?.behavior?.scaleUp as WithTolerance | undefined)?.tolerance;
    if (down !== undefined) t.scaleDown = parseQuantity(String(down));
    if (up !== undefined) t.scaleUp = parseQuantity(String(up));
    return t;
  }

  /** normalizeDesiredReplicas: no behavior. */
  private normalize(
    hpa: HorizontalPodAutoscaler,
    history: ScalingHistory,
    currentReplicas: number,
    desired: number,
    minReplicas: number,
    now: number,
    cond: (c: ConditionSpec) => void,
  ): number {
    const stabilized = stabilizeRecommendation(
      history.recommendations,
      desired,
      this.opts.downscaleStabilizationWindowMs,
      now,
    );
    cond(
      stabilized !== desired
        ? {
            type: 'AbleToScale',
            status: 'True',
            reason: 'ScaleDownStabilized',
            message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          }
        : {
            type: 'AbleToScale',
            status: 'True',
            reason: 'ReadyForNewScale',
            message: 'recommended size matches current size',
          },
    );
    const limited = convertDesiredReplicasWithRules(currentReplicas, stabilized, minReplicas, hpa.spec!.maxReplicas);
    cond({
      type: 'ScalingLimited',
      status: limited.replicas === stabilized ? 'False' : 'True',
      reason: limited.reason,
      message: limited.message,
    });
    return limited.replicas;
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  private normalizeWithBehaviors(
    hpa: HorizontalPodAutoscaler,
    history: ScalingHistory,
    currentReplicas: number,
    desired: number,
    minReplicas: number,
    now: number,
    cond: (c: ConditionSpec) => void,
  ): number {
    const behavior = hpa.spec!.behavior!;
    const scaleDown = defaultScalingRules('scaleDown', behavior.scaleDown);
    // maybeInitScaleDownStabilizationWindow: the controller's window when the HPA sets none.
    scaleDown.stabilizationWindowSeconds ??= Math.trunc(this.opts.downscaleStabilizationWindowMs / 1000);
    const args: NormalizationArgs = {
      scaleUp: defaultScalingRules('scaleUp', behavior.scaleUp),
      scaleDown,
      minReplicas,
      maxReplicas: hpa.spec!.maxReplicas,
      currentReplicas,
      desiredReplicas: desired,
    };
    const stabilized = stabilizeRecommendationWithBehaviors(history.recommendations, args, now);
    cond(
      stabilized.replicas !== desired
        ? { type: 'AbleToScale', status: 'True', reason: stabilized.reason, message: stabilized.message }
        : {
            type: 'AbleToScale',
            status: 'True',
            reason: 'ReadyForNewScale',
            message: 'recommended size matches current size',
          },
    );
    const limited = convertDesiredReplicasWithBehaviorRate(
      { ...args, desiredReplicas: stabilized.replicas },
      history,
      now,
    );
    cond({
      type: 'ScalingLimited',
      status: limited.replicas === stabilized.replicas ? 'False' : 'True',
      reason: limited.reason,
      message: limited.message,
    });
    return limited.replicas;
  }
}

/** The HPA's metrics; none means the API default (80% CPU), for objects that skipped defaulting. */
function metricSpecsOf(hpa: HorizontalPodAutoscaler): MetricSpec[] {
  const m = hpa.spec?.metrics;
  if (m && m.length > 0) return m;
  return [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
}
