// What the object pipeline is called with: plain inputs, as a request carries them once HTTP is read.
import type { Store } from '../../storage/store.js';
import type { UserInfo } from '../authz/attributes.js';
import type { Admission } from '../admission.js';
import type { ResourceRegistry, ServedResource } from '../resources.js';

export interface PipelineDeps {
  store: Store;
  registry: ResourceRegistry;
  admission: Admission;
  now: () => Date;
  /** Largest object (stored JSON) a write may store; etcd's 1.5 MiB when absent. */
  maxObjectBytes?: number;
}

/** What a call addresses, as a request path does: a served resource, and a namespace, name and subresource. */
export interface Target {
  resource: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** A target naming one object. */
export interface NamedTarget extends Target {
  name: string;
}

export interface WriteOptions {
  /** `dryRun=All`: every step but the write to the store. */
  dryRun?: boolean;
  /** The `fieldManager` parameter; without it the product part of `userAgent` manages the fields (upstream). */
  fieldManager?: string;
  userAgent?: string;
  /** `Strict` rejects unknown fields, `Ignore` skips the check, anything else (the default, `Warn`) warns. */
  fieldValidation?: string;
  /** Server-side apply: take over fields that other managers own. */
  force?: boolean;
  /** Receives warnings (unknown fields under `Warn`); over HTTP they become `Warning` headers. */
  warnings?: string[];
  /**
   * Who asks, for the admission that depends on it (RBAC escalation, NodeRestriction, certificate requests);
   * none for the server's own writes.
   */
  user?: UserInfo;
}

/** meta/v1 DeleteOptions. */
export interface DeleteOptions {
  kind?: string;
  apiVersion?: string;
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export interface SelectorOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListOptions extends SelectorOptions {
  /** Page size; 0 or absent: everything. */
  limit?: number;
  /** The `continue` token of the previous page. */
  continue?: string;
}

export interface WatchOptions extends SelectorOptions {
  /** Start after this revision; empty or "0": the current state first, as ADDED events. */
  resourceVersion?: string;
}
