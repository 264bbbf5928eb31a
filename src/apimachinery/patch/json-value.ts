// Small helpers over plain JSON values shared by the patch algorithms.
import { cloneJson, deepFreeze, isPlainObject, jsonEqual } from '../../core/json.js';

export type JsonMap = Record<string, unknown>;

export { cloneJson, deepFreeze, isPlainObject, jsonEqual };
