// Maps @kubernetes/client-node model class names (V1Container, CoreV1Event, V2MetricSpec) to the
// upstream OpenAPI definition names (io.k8s.api.core.v1.Container). The generated models drop the
// Go package, so the package is inferred: meta/v1 and a few cross-package types are listed here,
// every other type belongs to the package of the first root kind that reaches it (core roots first).

const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Types of k8s.io/apimachinery meta/v1 that the built-in kinds reach. */
const META_TYPES = [
  'ObjectMeta',
  'ListMeta',
  'LabelSelector',
  'LabelSelectorRequirement',
  'OwnerReference',
  'ManagedFieldsEntry',
  'Status',
  'StatusDetails',
  'StatusCause',
  'DeleteOptions',
  'Preconditions',
  'Condition',
  'APIResource',
  'APIResourceList',
  'APIVersions',
  'APIGroup',
  'APIGroupList',
  'GroupVersionForDiscovery',
  'ServerAddressByClientCIDR',
  'WatchEvent',
];

/** Types that live in a package other than the kind that references them. */
const FIXED_NAMES: Record<string, string> = {
  V1Scale: 'io.k8s.api.autoscaling.v1.Scale',
  V1ScaleSpec: 'io.k8s.api.autoscaling.v1.ScaleSpec',
  V1ScaleStatus: 'io.k8s.api.autoscaling.v1.ScaleStatus',
  V1Eviction: 'io.k8s.api.policy.v1.Eviction',
  AuthenticationV1TokenRequest: 'io.k8s.api.authentication.v1.TokenRequest',
  V1TokenRequestSpec: 'io.k8s.api.authentication.v1.TokenRequestSpec',
  V1TokenRequestStatus: 'io.k8s.api.authentication.v1.TokenRequestStatus',
  V1BoundObjectReference: 'io.k8s.api.authentication.v1.BoundObjectReference',
  V1Binding: 'io.k8s.api.core.v1.Binding',
  V1PodTemplateSpec: 'io.k8s.api.core.v1.PodTemplateSpec',
  V1TopologySelectorTerm: 'io.k8s.api.core.v1.TopologySelectorTerm',
  V1TopologySelectorLabelRequirement: 'io.k8s.api.core.v1.TopologySelectorLabelRequirement',
};

const CLASS_NAME = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/;

/** The Go package of an API group: '' is core, 'events.k8s.io' is events. */
export function packageOfGroup(group: string): string {
  return group === '' ? 'core' : (group.split('.')[0] ?? group);
}

/** Groups whose types live outside k8s.io/api (the aggregator's APIService). */
const PACKAGE_ROOTS: Record<string, string> = {
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
};

/** Definition-name prefix of a group-version: io.k8s.api.apps.v1 */
export function packagePrefix(group: string, version: string): string {
  return `${PACKAGE_ROOTS[group] ?? `io.k8s.api.${packageOfGroup(group)}`}.${version}`;
}

/** Candidate model class names of a kind, most specific first (CoreV1Event before V1Event). */
export function modelClassCandidates(group: string, version: string, kind: string): string[] {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const v = cap(version);
  return [`${cap(packageOfGroup(group))}${v}${kind}`, `${v}${kind}`];
}

/** Assigns definition names to model classes; the first assignment of a class wins. */
export class ModelNamer {
  private readonly names = new Map<string, string>();

  constructor() {
    for (const t of META_TYPES) this.names.set(`V1${t}`, `${META_V1}.${t}`);
    for (const [cls, name] of Object.entries(FIXED_NAMES)) this.names.set(cls, name);
  }

  /** The definition name of cls, assigning it to prefix (io.k8s.api.apps.v1) if not yet known. */
  name(cls: string, prefix: string): string {
    const known = this.names.get(cls);
    if (known) return known;
    const m = CLASS_NAME.exec(cls);
    if (!m) throw new Error(`unexpected model class name ${cls}`);
    const version = m[2]!.toLowerCase();
    // A class whose version differs from the referencing package's version cannot be in it.
    const base = prefix.slice(0, prefix.lastIndexOf('.'));
    const name = `${base}.${version}.${m[3]}`;
    this.names.set(cls, name);
    return name;
  }

  /** The package prefix a definition name belongs to (its name without the type). */
  static prefixOf(name: string): string {
    return name.slice(0, name.lastIndexOf('.'));
  }
}
