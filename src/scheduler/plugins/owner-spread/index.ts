// OwnerSpread: spread pods of the same controller (ReplicaSet, StatefulSet, Job...) across nodes by
// preferring nodes that run fewer of its pods. Stands in for upstream's default topology spreading,
// which needs Service/ReplicaSet listers; this only needs the controller ownerReference uid.

import { stateKey } from '../../framework/cycle-state.js';
import { defaultNormalizeScore, type PreScorePlugin, type ScorePlugin } from '../../framework/plugin.js';
import { SKIP } from '../../framework/status.js';

const ownerKey = stateKey<string>('OwnerSpread/owner');

export const ownerSpread: PreScorePlugin & ScorePlugin = {
  name: 'OwnerSpread',
  preScore(state, pod) {
    if (!pod.controllerUid) return SKIP;
    state.write(ownerKey, `${pod.namespace}/${pod.controllerUid}`);
    return null;
  },
  score(state, _pod, node) {
    const owner = state.read(ownerKey);
    return owner === undefined ? 0 : (node.podsByController.get(owner) ?? 0);
  },
  normalizeScore(_state, _pod, scores) {
    defaultNormalizeScore(scores, true);
  },
};
