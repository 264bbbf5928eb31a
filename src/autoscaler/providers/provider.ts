// What a provider is: three operations on machines, each a promise the autoscaler bounds with a timeout
// (an aborted signal). The autoscaler picks the node names, watches the nodes register, and deletes the
// Node objects; a provider only makes and removes the machines behind them.

import type { Node } from '../../core/types.js';
import type { NodeTemplate } from '../node-groups.js';

export interface NewNode {
  /** The name the machine must register its Node under. */
  name: string;
  group: string;
  template: NodeTemplate;
  /** The Node object to register: the template's labels (with the group label) and taints. */
  node: Node;
}

export interface NodeProvider {
  /** Short name of the kind of provider, for logs and the status (`simulated`, `local`, `exec`). */
  readonly kind: string;
  /**
   * Starts a machine that will register as `n.name`. Resolves once the provider has done its part (the
   * node may still be booting); rejects on failure. The autoscaler removes the node if it fails.
   */
  createNode(n: NewNode, signal: AbortSignal): Promise<void>;
  /** Removes the machine and everything it left behind; succeeds if it is already gone. */
  deleteNode(group: string, name: string, signal: AbortSignal): Promise<void>;
  /** Names of the machines the provider holds for the group. */
  listNodes(group: string, signal: AbortSignal): Promise<string[]>;
  /** Stops what the provider runs in this process (machines stay, except in-process simulated ones). */
  close?(): Promise<void>;
}

/** Rejects with the signal's reason once it aborts (for providers whose work cannot be interrupted). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
