// Which Ingresses the built-in ingress controller serves (networking.k8s.io/v1 IngressClass semantics):
// the one rule that the node's ingress proxy (src/network/ingress) and the status writer
// (src/controllers/ingress) agree on. Pure.
import type { Ingress, IngressClass } from './types.js';

/** `spec.controller` of the IngressClasses the built-in controller serves. */
export const TUTTI_INGRESS_CONTROLLER = 'tutti.io/ingress';
/** The IngressClass `tutti server` creates at start (k3s ships `traefik`). */
export const TUTTI_INGRESS_CLASS = 'tutti';
/** IngressClass annotation: Ingresses without a class belong to this one. */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated class annotation, still honoured when `spec.ingressClassName` is unset. */
export const LEGACY_INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** The class an Ingress names: `spec.ingressClassName`, else the deprecated annotation; undefined for none. */
export function ingressClassName(ing: Pick<Ingress, 'metadata' | 'spec'>): string | undefined {
  return ing.spec?.ingressClassName || ing.metadata.annotations?.[LEGACY_INGRESS_CLASS_ANNOTATION] || undefined;
}

/**
 * Whether the built-in controller serves the Ingress: it names `tutti` or another IngressClass whose
 * controller is `tutti.io/ingress`, or it names none and one of those classes is the default class.
 */
export function isTuttiIngress(ing: Pick<Ingress, 'metadata' | 'spec'>, classes: readonly IngressClass[]): boolean {
  const ours = classes.filter((c) => c.spec?.controller === TUTTI_INGRESS_CONTROLLER);
  const name = ingressClassName(ing);
  if (name !== undefined) return name === TUTTI_INGRESS_CLASS || ours.some((c) => c.metadata.name === name);
  // Upstream lets a cluster have one default class; with several defaults of different controllers, the
  // one created last is picked (the DefaultIngressClass admission's choice), so only ours when it is newest.
  const defaults = classes
    .filter((c) => c.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true')
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
  return defaults.length > 0 && defaults[0].spec?.controller === TUTTI_INGRESS_CONTROLLER;
}
