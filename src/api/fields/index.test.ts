import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFieldSelector } from '../../core/selectors/index.js';
import { StatusError } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { convertFieldSelector, fieldLabelerFor, selectableFields, supportedFieldLabels } from './index.js';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default' },
  spec: {
    nodeName: 'node-a',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    serviceAccountName: 'default',
  },
  status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] },
};

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected a 400');
}

describe('fieldLabelerFor', () => {
  it('gives pod attributes with upstream spellings and defaults', () => {
    const fields = fieldLabelerFor('', 'Pod')!(pod);
    assert.deepEqual(fields, {
      'spec.nodeName': 'node-a',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'false',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.5',
      'status.nominatedNodeName': '',
    });
    const pending = fieldLabelerFor('', 'Pod')!({ metadata: { name: 'p' }, spec: { hostNetwork: true } });
    assert.equal(pending['spec.nodeName'], '', 'a pod with no node has spec.nodeName=""');
    assert.equal(pending['spec.hostNetwork'], 'true');
  });

  it('reads core and events.k8s.io events from either shape', () => {
    const core: KubeObject = {
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1', apiVersion: 'v1' },
      reason: 'Scheduled',
      type: 'Normal',
      source: { component: 'default-scheduler' },
      reportingComponent: 'default-scheduler',
    };
    const v1: KubeObject = {
      metadata: { name: 'e1', namespace: 'default' },
      regarding: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
      reason: 'Scheduled',
      type: 'Normal',
      reportingController: 'kubelet',
    };
    const coreFields = fieldLabelerFor('', 'Event')!(core);
    assert.equal(coreFields['involvedObject.name'], 'web-1');
    assert.equal(coreFields['involvedObject.uid'], 'u1');
    assert.equal(coreFields['involvedObject.fieldPath'], '');
    assert.equal(coreFields['source'], 'default-scheduler');
    assert.equal(
      fieldLabelerFor('', 'Event')!(v1)['source'],
      'kubelet',
      'source falls back to the reporting controller',
    );
    assert.equal(fieldLabelerFor('', 'Event')!(v1)['involvedObject.kind'], 'Pod');
    const v1Fields = fieldLabelerFor('events.k8s.io', 'Event')!(core);
    assert.equal(v1Fields['regarding.name'], 'web-1');
    assert.equal(v1Fields['reportingController'], 'default-scheduler');
  });

  it('covers nodes, namespaces, secrets, services, replicasets and jobs', () => {
    assert.deepEqual(fieldLabelerFor('', 'Node')!({ metadata: {}, spec: { unschedulable: true } }), {
      'spec.unschedulable': 'true',
    });
    assert.deepEqual(fieldLabelerFor('', 'Node')!({ metadata: {} }), { 'spec.unschedulable': 'false' });
    assert.deepEqual(fieldLabelerFor('', 'Namespace')!({ metadata: {}, status: { phase: 'Active' } }), {
      'status.phase': 'Active',
    });
    assert.deepEqual(fieldLabelerFor('', 'Secret')!({ metadata: {}, type: 'Opaque' }), { type: 'Opaque' });
    assert.deepEqual(
      fieldLabelerFor('', 'Service')!({ metadata: {}, spec: { clusterIP: 'None', type: 'ClusterIP' } }),
      {
        'spec.clusterIP': 'None',
        'spec.type': 'ClusterIP',
      },
    );
    assert.deepEqual(fieldLabelerFor('apps', 'ReplicaSet')!({ metadata: {}, status: { replicas: 3 } }), {
      'status.replicas': '3',
    });
    assert.deepEqual(fieldLabelerFor('batch', 'Job')!({ metadata: {} }), { 'status.successful': '0' });
    assert.equal(fieldLabelerFor('apps', 'Deployment'), undefined);
    assert.equal(fieldLabelerFor('', 'ConfigMap'), undefined);
  });
});

describe('convertFieldSelector', () => {
  it('accepts supported labels and rewrites aliases', () => {
    const sel = convertFieldSelector('', 'Pod', parseFieldSelector('spec.host=n1,status.phase!=Failed'));
    assert.equal(sel.toString(), 'spec.nodeName=n1,status.phase!=Failed');
    assert.equal(
      convertFieldSelector('apps', 'Deployment', parseFieldSelector('metadata.name=x')).toString(),
      'metadata.name=x',
    );
  });

  it('rejects unsupported labels with upstream messages', () => {
    assert.equal(
      badRequest(() => convertFieldSelector('', 'Pod', parseFieldSelector('spec.foo=x'))),
      'field label not supported: spec.foo',
    );
    assert.equal(
      badRequest(() => convertFieldSelector('networking.k8s.io', 'Ingress', parseFieldSelector('foo.bar=baz'))),
      '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    assert.equal(
      badRequest(() => convertFieldSelector('', 'Node', parseFieldSelector('metadata.namespace=x'))),
      'field label not supported: metadata.namespace',
    );
    assert.equal(
      badRequest(() => convertFieldSelector('batch', 'Job', parseFieldSelector('status.succeeded=1'))),
      'field label "status.succeeded" not supported for batchv1.Job',
    );
    assert.equal(
      badRequest(() => convertFieldSelector('events.k8s.io', 'Event', parseFieldSelector('involvedObject.name=x'))),
      'field label not supported: involvedObject.name',
    );
  });

  it('lists supported labels and builds the full field set', () => {
    assert.ok(supportedFieldLabels('', 'Pod').includes('spec.nodeName'));
    assert.ok(supportedFieldLabels('', 'Event').includes('involvedObject.uid'));
    assert.deepEqual(supportedFieldLabels('', 'ConfigMap'), ['metadata.name', 'metadata.namespace']);
    const fields = selectableFields('', 'Pod', pod, true);
    assert.equal(fields['metadata.name'], 'web-1');
    assert.equal(fields['metadata.namespace'], 'default');
    assert.equal(parseFieldSelector('spec.nodeName=node-a,metadata.namespace=default').matches(fields), true);
    assert.equal('metadata.namespace' in selectableFields('', 'Node', { metadata: { name: 'n' } }, false), false);
  });
});
