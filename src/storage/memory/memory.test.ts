import { runStoreContract } from '../contract.js';
import { openMemoryStore } from './index.js';

runStoreContract('memory', openMemoryStore);
