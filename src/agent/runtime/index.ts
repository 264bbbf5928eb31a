// Public surface of the node agent's runtime layer; pod workers import from here only.
export {
  DEFAULT_SANDBOX_IMAGE,
  type ContainerdOptions,
  type RunningContainerd,
  startContainerd,
} from './containerd/containerd.js';
export { CriRuntime } from './cri/cri-runtime.js';
export { BUSYBOX_IMAGE, ensureBaseImages, importImageArchive } from './images/import.js';
export * from './runtime.js';
