// A /metrics/resource answer as a kubelet 1.30 writes it (two pods, one with two containers, a container
// with no memory reading yet), for tests of the decoder.
export const KUBELET_RESOURCE_METRICS = `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-6799fbcd5-x8b2l"} 12.345678901 1719999999123
container_cpu_usage_seconds_total{container="app",namespace="default",pod="web-7c5d"} 0.5 1719999999100
container_cpu_usage_seconds_total{container="sidecar",namespace="default",pod="web-7c5d"} 1.25 1719999999100
container_cpu_usage_seconds_total{container="starting",namespace="default",pod="late-1"} 0.001 1719999999100
# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="coredns",namespace="kube-system",pod="coredns-6799fbcd5-x8b2l"} 1.3451264e+07 1719999999123
container_memory_working_set_bytes{container="app",namespace="default",pod="web-7c5d"} 4.194304e+06 1719999999100
container_memory_working_set_bytes{container="sidecar",namespace="default",pod="web-7c5d"} 1.048576e+06 1719999999100
# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
# TYPE container_start_time_seconds gauge
container_start_time_seconds{container="coredns",namespace="kube-system",pod="coredns-6799fbcd5-x8b2l"} 1.7199e+09 1719999999123
container_start_time_seconds{container="app",namespace="default",pod="web-7c5d"} 1.719999e+09 1719999999100
# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total 357.35491 1719999999000
# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
# TYPE node_memory_working_set_bytes gauge
node_memory_working_set_bytes 1.466544128e+09 1719999999000
# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds
# TYPE pod_cpu_usage_seconds_total counter
pod_cpu_usage_seconds_total{namespace="default",pod="web-7c5d"} 1.75 1719999999100
# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes
# TYPE pod_memory_working_set_bytes gauge
pod_memory_working_set_bytes{namespace="default",pod="web-7c5d"} 5.24288e+06 1719999999100
# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
# TYPE resource_scrape_error gauge
resource_scrape_error 0
`;
