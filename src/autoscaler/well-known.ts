// Names the autoscaler shares with users and with upstream cluster-autoscaler: labels, annotations,
// taints, the ConfigMaps it reads and writes, and the reasons of its events.

/** Where node groups are declared: one key per group, its value a YAML document (see README). */
export const NODE_GROUPS_NAMESPACE = 'kube-system';
export const NODE_GROUPS_CONFIGMAP = 'tutti-node-groups';

/** Upstream's status ConfigMap (same name, same `status` YAML shape). */
export const STATUS_NAMESPACE = 'kube-system';
export const STATUS_CONFIGMAP = 'cluster-autoscaler-status';
export const STATUS_LAST_UPDATED_ANNOTATION = 'cluster-autoscaler.kubernetes.io/last-updated';

/** Label the autoscaler puts on every node it creates: the node group's name. */
export const NODE_GROUP_LABEL = 'autoscaling.tutti.io/node-group';

/** Upstream's taint on a node being drained for removal (value: unix seconds, effect NoSchedule). */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/** Node annotation: never remove this node. */
export const SCALE_DOWN_DISABLED_ANNOTATION = 'cluster-autoscaler.kubernetes.io/scale-down-disabled';
/** Pod annotation: "false" blocks removing its node; "true" lifts the other blockers. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
/** Pod annotation: comma-separated local volumes that do not block removing its node. */
export const SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';
/** Static pods' mirror annotation (kubelet): such pods are not moved, they go with the node. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** Event reasons, as upstream. */
export const REASON_TRIGGERED_SCALE_UP = 'TriggeredScaleUp';
export const REASON_NOT_TRIGGER_SCALE_UP = 'NotTriggerScaleUp';
export const REASON_SCALED_UP_GROUP = 'ScaledUpGroup';
export const REASON_FAILED_TO_SCALE_UP_GROUP = 'FailedToScaleUpGroup';
export const REASON_SCALE_DOWN = 'ScaleDown';
export const REASON_SCALE_DOWN_FAILED = 'ScaleDownFailed';
export const REASON_SCALE_DOWN_EMPTY = 'ScaleDownEmpty';
