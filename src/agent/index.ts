// Public surface of the node agent: `tutti agent` and `tutti server` start it through startAgent.
export { type AgentOptions, type RunningAgent, startAgent } from './agent.js';
export { ProcessRuntime } from './process/process-runtime.js';
export { chooseRuntime, type RuntimeKind } from './runtime-choice.js';
