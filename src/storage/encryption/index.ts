// Encryption at rest: the configuration, the transformers and the Store decorator. See README.md.
export {
  defaultSecretsConfig,
  dropOldKeys,
  type EncryptionConfiguration,
  EncryptionConfigError,
  type EncryptionKey,
  newKey,
  validateEncryptionConfig,
  withNewWriteKey,
} from './config.js';
export { EncryptingStore, type ReencryptResult } from './encrypting-store.js';
export { DecryptError, EncryptionPlan, TransformerChain } from './transformer.js';
