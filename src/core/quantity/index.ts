export { canonicalQuantity, formatBytes, formatCpuMillis, formatQuantity, type QuantityFormat } from './format.js';
export {
  isQuantity,
  type ParsedQuantity,
  parseBytes,
  parseCpuMillis,
  parseIntegerQuantity,
  parseQuantity,
  parseQuantityExact,
  QuantityParseError,
} from './parse.js';
export {
  type ContainerResourcesView,
  containerRequests,
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  type PodRequestsOptions,
  type PodRequestsView,
  parseResourceAmount,
  podRequests,
  type ResourceAmounts,
  resourceListAmounts,
} from './pod-requests.js';
