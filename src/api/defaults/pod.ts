// Pod and PodTemplateSpec defaults (core/v1 defaults.go SetDefaults_Pod, _PodSpec, _Container, _Probe, ...).
import type { KubeObject } from '../../core/types.js';
import { asObj, child, type Obj, objects, setDefault } from './access.js';

const DEFAULT_MODE = 0o644; // 420

/** Image pull policy: Always for `:latest` or no tag, IfNotPresent otherwise (digests included). */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: Obj | undefined): void {
  const httpGet = asObj(h?.httpGet);
  if (httpGet) {
    setDefault(httpGet, 'path', '/');
    setDefault(httpGet, 'scheme', 'HTTP');
  }
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHandler(p);
  const grpc = asObj(p.grpc);
  if (grpc) setDefault(grpc, 'service', '');
}

function defaultContainer(c: Obj): void {
  const image = typeof c.image === 'string' ? c.image : '';
  if (image) setDefault(c, 'imagePullPolicy', defaultPullPolicy(image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of objects(c.ports)) setDefault(port, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(asObj(c[probe]));
  const lifecycle = asObj(c.lifecycle);
  defaultHandler(asObj(lifecycle?.postStart));
  defaultHandler(asObj(lifecycle?.preStop));
  for (const env of objects(c.env)) {
    const fieldRef = asObj(asObj(env.valueFrom)?.fieldRef);
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  }
  // Limits stand in for missing requests (SetDefaults_Pod).
  const resources = asObj(c.resources);
  const limits = asObj(resources?.limits);
  if (resources && limits && Object.keys(limits).length > 0) {
    const requests = child(resources, 'requests');
    for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  }
  if (resources === undefined) c.resources = {};
}

function defaultItemsMode(items: unknown): void {
  for (const item of objects(items)) {
    const fieldRef = asObj(item.fieldRef);
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  }
}

function defaultVolume(v: Obj): void {
  const keys = Object.keys(v).filter((k) => k !== 'name');
  if (keys.length === 0) v.emptyDir = {};
  for (const k of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const src = asObj(v[k]);
    if (src) setDefault(src, 'defaultMode', DEFAULT_MODE);
  }
  defaultItemsMode(asObj(v.downwardAPI)?.items);
  const hostPath = asObj(v.hostPath);
  if (hostPath) setDefault(hostPath, 'type', '');
  for (const source of objects(asObj(v.projected)?.sources)) {
    const token = asObj(source.serviceAccountToken);
    if (token) setDefault(token, 'expirationSeconds', 3600);
    defaultItemsMode(asObj(source.downwardAPI)?.items);
  }
}

export interface PodSpecDefaults {
  /** Job templates keep an unset restartPolicy (validation then asks for OnFailure or Never). */
  restartPolicy: boolean;
}

export function defaultPodSpec(spec: Obj, opts: PodSpecDefaults = { restartPolicy: true }): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  if (opts.restartPolicy) setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'enableServiceLinks', true);
  // v1 keeps the deprecated serviceAccount in step with serviceAccountName.
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName)
    spec.serviceAccount = spec.serviceAccountName;
  else if (typeof spec.serviceAccount === 'string' && spec.serviceAccount)
    spec.serviceAccountName = spec.serviceAccount;
  for (const c of objects(spec.initContainers)) defaultContainer(c);
  for (const c of objects(spec.containers)) defaultContainer(c);
  for (const v of objects(spec.volumes)) defaultVolume(v);
  if (spec.hostNetwork === true) {
    // With host networking the host port is the container port.
    for (const c of [...objects(spec.initContainers), ...objects(spec.containers)]) {
      for (const port of objects(c.ports)) setDefault(port, 'hostPort', port.containerPort);
    }
  }
}

/** Template metadata and spec of a workload. */
export function defaultPodTemplate(template: unknown, opts?: PodSpecDefaults): void {
  const t = asObj(template);
  if (!t) return;
  defaultPodSpec(child(t, 'spec'), opts);
}

export function defaultPod(pod: KubeObject): void {
  const spec = child(pod, 'spec');
  defaultPodSpec(spec);
  // Set upstream by the ServiceAccount admission plugin. Priority and preemptionPolicy come from the
  // Priority admission (src/apiserver/admission.ts), which reads the PriorityClass objects.
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
}
