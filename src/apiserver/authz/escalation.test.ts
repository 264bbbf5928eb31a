// Escalation prevention's rule arithmetic, as upstream's Covers / BreakdownRule / CompactRules and the
// ConfirmNoEscalation message: only the parts of a rule the user lacks are named, compacted and sorted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyRule } from '../../core/types.js';
import type { Attributes } from './attributes.js';
import { breakdownRule, compactRules, escalationMessage, missingRules, ruleString } from './escalation.js';
import { ruleAllows } from './rbac.js';

const carol = { name: 'carol', groups: ['devs', 'system:authenticated'] };
const holding =
  (...rules: PolicyRule[]) =>
  (a: Attributes) =>
    rules.some((r) => ruleAllows(a, r));

describe('escalation prevention', () => {
  it('breaks a rule down to one verb, group, resource and name each', () => {
    assert.deepEqual(
      breakdownRule({ apiGroups: ['', 'apps'], resources: ['pods'], resourceNames: ['a', 'b'], verbs: ['get'] }),
      [
        { apiGroups: [''], resources: ['pods'], resourceNames: ['a'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods'], resourceNames: ['b'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['pods'], resourceNames: ['a'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['pods'], resourceNames: ['b'], verbs: ['get'] },
      ],
    );
    assert.deepEqual(breakdownRule({ nonResourceURLs: ['/a', '/b*'], verbs: ['get', 'post'] }).length, 4);
    assert.deepEqual(breakdownRule({ apiGroups: [''], resources: ['pods'], verbs: [] }), []);
  });

  it('names only what is missing: the verbs the user lacks, compacted per resource', () => {
    const allows = holding({ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] });
    const wanted: PolicyRule[] = [
      { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list', 'delete'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ];
    const missing = missingRules(allows, carol, 'team-a', wanted);
    assert.equal(missing.length, 5);
    assert.deepEqual(compactRules(missing).map(ruleString), [
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}',
    ]);
    assert.equal(
      escalationMessage(carol, missing),
      'user "carol" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}\n' +
        '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    );
    assert.deepEqual(
      missingRules(allows, carol, 'team-a', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
      [],
    );
  });

  it('cluster-admin is missing whole, as upstream prints it; names and subresources are checked one by one', () => {
    const admin: PolicyRule[] = [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ];
    const everything = holding({ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['*'] });
    assert.equal(
      escalationMessage(carol, missingRules(everything, carol, '', admin))
        .split('\n')
        .slice(1)
        .join('\n'),
      '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
    const oneName = holding({ apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get'] });
    const missing = missingRules(oneName, carol, 'x', [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps/status'], resourceNames: ['a'], verbs: ['get'] },
    ]);
    assert.deepEqual(missing.map(ruleString), [
      '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["b"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["configmaps/status"], ResourceNames:["a"], Verbs:["get"]}',
    ]);
  });
});
