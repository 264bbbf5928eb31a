// Public surface of the client machinery. Components import from here.

export {
  ApiClient,
  type ClientCredentials,
  type ApiClientOptions,
  type DeleteOptions,
  type ListOptions,
  type PatchOptions,
  type PatchType,
  patchContentTypes,
  type WatchHandle,
  type WriteOptions,
} from './api-client.js';
export { Backoff } from './backoff.js';
export {
  type DelegatedAuth,
  type DelegatedAuthOptions,
  delegatedAuth,
  type ReviewAttributes,
  type ReviewedUser,
} from './delegated-auth.js';
export { IndexedCache, type IndexFunc, NAMESPACE_INDEX, namespaceIndexFunc, ownerUidIndexFunc } from './cache.js';
export { type Clock, FakeClock, realClock, type TimerHandle } from './clock.js';
export { ApiError, isAlreadyExists, isApiError, isConflict, isNotFound, isResourceExpired } from './errors.js';
export {
  type CoreEvent,
  EventRecorder,
  type EventRecorderOptions,
  type EventType,
  referenceOf,
} from './event-recorder.js';
export { Informer, type InformerHandlers, type InformerOptions } from './informer.js';
export { type ConnectionOptions, type KubeconfigSelection, loadKubeconfig, parseKubeconfig } from './kubeconfig.js';
export { LeaderElector, type LeaderElectorOptions } from './leader-election.js';
export {
  groupVersionPath,
  objectKey,
  type PathParts,
  type Query,
  queryString,
  type ResourceDescriptor,
  resourcePath,
  splitKey,
} from './paths.js';
export {
  defaultControllerRateLimiter,
  ExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
  TokenBucketRateLimiter,
} from './rate-limiter.js';
export { RequestThrottle, type ThrottleOptions, TokenBucket, throttleFor } from './throttle.js';
export { type WatchEvent, type WatchEventType, WatchLineDecoder } from './watch-decoder.js';
export {
  runWithWorkQueueName,
  setWorkQueueMetricsProvider,
  WorkQueue,
  type WorkQueueMetricsProvider,
  type WorkQueueOptions,
} from './workqueue.js';
