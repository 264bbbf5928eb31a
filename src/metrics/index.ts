// Public surface of the metrics pipeline: what the API server, the agent and simulated nodes call.
export { type AgentFetchOptions, agentResourceMetricsFetch } from './agent-fetch.js';
export { formatBinaryBytes, formatGoDuration, formatGoFloat, formatNanocores } from './format.js';
export {
  formatPrometheusText,
  type MetricFamily,
  PROMETHEUS_TEXT_TYPE,
  PrometheusParseError,
  parsePrometheusText,
  type Sample,
} from './prometheus-text.js';
export {
  type ContainerReading,
  decodeResourceMetrics,
  type PodReading,
  RESOURCE_METRICS_PATH,
  renderResourceMetrics,
  type ResourceSnapshot,
  type UsagePoint,
} from './resource-metrics.js';
export {
  DEFAULT_METRIC_RESOLUTION_MS,
  type NodeMetricsFetch,
  type ScrapeReport,
  Scraper,
  type ScraperLog,
  type ScraperOptions,
} from './scraper.js';
export {
  isMetricsPath,
  type MetricsObjects,
  type MetricsRequest,
  type MetricsResponse,
  metricsApiGroup,
  metricsApiResourceList,
  nodeMetricsObject,
  podMetricsObject,
  serveMetrics,
} from './serve.js';
export {
  parseSimulatedUsage,
  type SimulatedNodeOptions,
  type SimulatedUsage,
  SimulatedUsageMeter,
} from './simulated.js';
export { MetricsStore, type PodUsage, type Usage } from './store.js';
export {
  type ContainerStats,
  type CPUStats,
  type MemoryStats,
  type NodeStats,
  type PodStats,
  type Summary,
  snapshotFromSummary,
  summaryFromSnapshot,
  type SummaryOptions,
} from './summary.js';
export { MetricsApiService, type MetricsApiServiceOptions } from './api-service.js';
export {
  type ApiRequestLabels,
  ApiServerPrometheus,
  concatMetrics,
  KubeletPrometheus,
  processRegistry,
  SchedulerPrometheus,
  WorkQueuePrometheus,
} from './prometheus.js';
