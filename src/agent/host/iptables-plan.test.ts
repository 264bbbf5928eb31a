import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planIptablesCleanup } from './iptables-plan.js';

const OURS = 'f198b960677f0166b123338380de9abceafbe335d44abba06bbb6c9c20f5f207';
const THEIRS = 'aaaa0000bbbb1111cccc2222dddd3333eeee4444ffff5555aaaa6666bbbb7777';
// `iptables -t nat -S` as the CNI bridge (ipMasq) and portmap plugins leave it, with one pod of another data dir.
const NAT = `-P PREROUTING ACCEPT
-P POSTROUTING ACCEPT
-N CNI-3529089b586ebb281409b84a
-N CNI-feedfacefeedfacefeedface
-N CNI-HOSTPORT-DNAT
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -s 10.42.0.6/32 -m comment --comment "name: \\"tutti\\" id: \\"${THEIRS}\\"" -j CNI-feedfacefeedfacefeedface
-A POSTROUTING -s 10.99.0.6/32 -m comment --comment "name: \\"tutti\\" id: \\"${OURS}\\"" -j CNI-3529089b586ebb281409b84a
-A CNI-3529089b586ebb281409b84a -d 10.99.0.0/24 -m comment --comment "name: \\"tutti\\" id: \\"${OURS}\\"" -j ACCEPT
-A CNI-3529089b586ebb281409b84a ! -d 224.0.0.0/4 -m comment --comment "name: \\"tutti\\" id: \\"${OURS}\\"" -j MASQUERADE
-A CNI-feedfacefeedfacefeedface ! -d 224.0.0.0/4 -m comment --comment "name: \\"tutti\\" id: \\"${THEIRS}\\"" -j MASQUERADE
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"tutti\\" id: \\"${OURS}\\"" -m multiport --dports 8080 -j CNI-DN-0123
`;

test('only the rules and chains of our sandboxes are removed', () => {
  const plan = planIptablesCleanup(NAT, [OURS]);
  assert.deepEqual(plan.deleteChains, ['CNI-3529089b586ebb281409b84a']);
  // POSTROUTING's rule is the second there; the hostport jump is the first of CNI-HOSTPORT-DNAT (a shared chain).
  assert.deepEqual(plan.deleteRules, [
    { chain: 'CNI-HOSTPORT-DNAT', index: 1 },
    { chain: 'POSTROUTING', index: 2 },
  ]);
});

test('no ids, nothing to do', () => {
  assert.deepEqual(planIptablesCleanup(NAT, []), { deleteRules: [], deleteChains: [] });
});

test('several rules of one chain go highest position first', () => {
  const listing = `-A POSTROUTING -m comment --comment "id: ${OURS}" -j ACCEPT
-A POSTROUTING -j ACCEPT
-A POSTROUTING -m comment --comment "id: ${OURS}" -j ACCEPT
`;
  assert.deepEqual(planIptablesCleanup(listing, [OURS]).deleteRules, [
    { chain: 'POSTROUTING', index: 3 },
    { chain: 'POSTROUTING', index: 1 },
  ]);
});
