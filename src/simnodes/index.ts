// Public surface of simulated nodes: `tutti agent --simulate N`, the cluster e2e tests and the benchmarks use it.
export { simulatedNodeIP } from './node-address.js';
export {
  EXIT_CODE_ANNOTATION,
  RUN_MS_ANNOTATION,
  SimulatedNodes,
  type SimulatedNodesOptions,
} from './simulated-nodes.js';
