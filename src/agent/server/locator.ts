// How the agent endpoint finds the runtime objects behind a pod name. The pod workers implement this from
// their own state; the endpoint never reads the API.

export interface LocatedContainer {
  /** Runtime container id of the current (or last) instance. */
  id: string;
  /** Absolute CRI log path of that instance. */
  logPath: string;
  /** Log of the instance before it (`kubectl logs --previous`), when one existed. */
  previousLogPath?: string;
  /** Whether that instance is running now. */
  running?: boolean;
  /**
   * The container was created with stdin and stdinOnce (`kubectl run -i`): its first attach is the session it was
   * started for, and gets what the container printed before the client attached.
   */
  stdinOnce?: boolean;
}

export interface PodLocation {
  sandboxId: string;
  /** Pod IP, for port-forward when the runtime cannot forward itself. */
  podIp?: string;
  /** Set when a container was asked for and the pod has (had) it. */
  container?: LocatedContainer;
}

export interface PodLocator {
  /** undefined when this node runs no such pod. */
  locate(namespace: string, pod: string, container?: string): Promise<PodLocation | undefined>;
}
