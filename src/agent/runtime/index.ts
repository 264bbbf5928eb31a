// Public surface of the node agent's runtime layer; pod workers import from here only.
export { type ContainerdLayout, containerdLayout } from './containerd/config.js';
export {
  containerdProcessesOf,
  criAnswers,
  DEFAULT_BRIDGE_NAME,
  DEFAULT_SANDBOX_IMAGE,
  type ContainerdOptions,
  launchContainerd,
  type RunningContainerd,
  startContainerd,
  stopContainerdOf,
} from './containerd/containerd.js';
export { findProcesses, pidAlive, processArgv, processStartTicks, terminateProcess } from './containerd/processes.js';
export { CriRuntime } from './cri/cri-runtime.js';
export { BUSYBOX_IMAGE, ensureBaseImages, importImageArchive } from './images/import.js';
export * from './runtime.js';
