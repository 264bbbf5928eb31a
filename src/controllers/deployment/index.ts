export { DEPLOYMENT_COMPONENT, startDeploymentController } from './controller.js';
export { podTemplateHash } from './hash.js';
export * from './rollout.js';
export * from './status.js';
export * from './annotations.js';
