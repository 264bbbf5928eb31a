// Public surface of the node agent: `tutti agent` and `tutti server` start it through startAgent.
export { type AgentOptions, type RunningAgent, startAgent } from './agent.js';
export { ProcessRuntime } from './process/process-runtime.js';
export { chooseRuntime, type RuntimeKind } from './runtime-choice.js';
export { type KillallOptions, type KillallReport, killallAgentHost } from './host/killall.js';
export { bridgeNameFor, cgroupRootFor } from './host/names.js';
export { findProcesses, processArgv } from './runtime/index.js';
export {
  type NodeCertificate,
  NodeCredential,
  nodeCertificatePaths,
  requestNodeCertificates,
} from './node/node-credential.js';
