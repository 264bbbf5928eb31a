export { finalizedNamespace, namespacedResources, needsFinalizing } from './content.js';
export { NAMESPACE_COMPONENT, startNamespaceController } from './controller.js';
