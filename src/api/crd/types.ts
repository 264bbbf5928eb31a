// The apiextensions.k8s.io/v1 shapes this folder reads, from the one typed model (src/core/types.ts).
import type { apiextensionsv1 } from '../../core/types.js';

export type { CustomResourceDefinition } from '../../core/types.js';
export type CustomResourceColumnDefinition = apiextensionsv1.CustomResourceColumnDefinition;
export type CustomResourceDefinitionVersion = apiextensionsv1.CustomResourceDefinitionVersion;

/** A schema node of a CRD's openAPIV3Schema, with the x-kubernetes-* extensions as plain keys. */
export type Schema = apiextensionsv1.JSONSchemaProps & Record<string, unknown>;

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
