// The proxy's I/O edge: host tools (nft, ip, conntrack) and nothing else.
export { flushConntrack as conntrackFlushes } from './conntrack.js';
export { type Exec, type ExecResult, hostExec } from './exec.js';
export { Nft, NftError } from './nft.js';
export {
  ensureServiceDevice,
  ensureServiceRoute,
  ROUTE_PROTO,
  removeServiceDevice,
  removeServiceRoute,
  SERVICE_DEVICE,
  type ServiceRoute,
} from './route.js';
