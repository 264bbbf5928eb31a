import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { validatorFor } from './index.js';
import { certificateRequestError } from './pkcs10.js';
import { fields } from './testdata.js';

const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const RBAC = 'rbac.authorization.k8s.io';

// PKCS#10 requests made with openssl (an EC P-256 key for CN=jane, an RSA-2048 key for CN=bob), base64 of the PEM.
/** A self-signed EC certificate (openssl req -x509), base64 of its PEM as in status.certificate. */
const CERT =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkRENDQVJtZ0F3SUJBZ0lVVVpzYXc3QlpVblQ4VlFYK3A2UzlWM3c0ZjQ4d0NnWUlLb1pJemowRUF3SXcKRHpFTk1Bc0dBMVVFQXd3RWRHVnpkREFlRncweU5qRXlNREl4T0RNeE5ETmFGdzB6TmpFeE1qa3hPRE14TkROYQpNQTh4RFRBTEJnTlZCQU1NQkhSbGMzUXdXVEFUQmdjcWhrak9QUUlCQmdncWhrak9QUU1CQndOQ0FBUjJlRGwyCmFYWGw1dWY3WnFrYld3WXVVVTVSVVdVNjdiT2puN3p1bHNYaVkwbjMyN3BQV3M2VTNaRk44VGpLclN0bVJnc2kKU0g1dDNqb3Q5c2JmaHJKL28xTXdVVEFkQmdOVkhRNEVGZ1FVa1dIa1ZCSGF4VVhNckdNYzZRYUFQZjVZVm5FdwpId1lEVlIwakJCZ3dGb0FVa1dIa1ZCSGF4VVhNckdNYzZRYUFQZjVZVm5Fd0R3WURWUjBUQVFIL0JBVXdBd0VCCi96QUtCZ2dxaGtqT1BRUURBZ05KQURCR0FpRUFva1NRUUgzbEk0ZTBGQ2ljaVRGdG9MRkpVVlRpdU1xaVIrdk0KRERHV3VOTUNJUURkTUp3QTZ1WEcvYllZN3lpOUcvVVhwaUViWUJFSHFFNitDLzE2Z3JmUnZnPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=';
const EC_CSR =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWE1IOENBUUF3SFRFTk1Bc0dBMVVFQXd3RWFtRnVaVEVNTUFvR0ExVUVDZ3dEWkdWMk1Ga3dFd1lIS29aSQp6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUVnMUV6cG1GcTJmUThwSXJGa05KUU42SkptWnA0R2JLbmVxbUhCWjhLCk0yYzF1dDlLd2xBcCtld2s3SVVldHVtUTkraDZXbUt5dDVnYnBsdXo5Rk1jUnFBQU1Bb0dDQ3FHU000OUJBTUMKQTBnQU1FVUNJQ3FQS3ZSRVplZm1HT29pQVZpRCtsT0JxWkxTYkNQQWwxQTNBMjA4MnRkckFpRUFxc2Z0bFRONQpobUZUN1FVQWhSNzUrTzFQdTRLazNXRkRUaE1ZQS9NRzYxTT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==';
const RSA_CSR =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQ1V6Q0NBVHNDQVFBd0RqRU1NQW9HQTFVRUF3d0RZbTlpTUlJQklqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQwpBUThBTUlJQkNnS0NBUUVBcThxcS9sRkZKcE5OK2ZpS0lIZnRqdDZtNW5NTXhYZ0tQS2Q5dDlUQ2ljUEU5aFBVCkpsWUt5bzJxa2I1Q0hhcXhtR0hpRzhabkNOM3B4a29sZlowSDBxSnZwL0JEVXQyYW9aaUt3a1krcVY3b3BCeDkKU0RJSlAwZnFLTDJSNmt6MTNBNmoyMjJ0WnBwVVE1K1dsUlZKZitoamQwek9pOHpLdEV4NXFzREdRb3duaTFxdAo3OXpIQVBKVjU4Q1Z0ck1MTWlnOGpXL0xDR2tBbDRCZ0hlNERMSmNIdkx2U04zL0xBMmcrUi9qV1BnSUhiUmFJCjBWWk12QStuVU1XZzZzNmc1TDFvSXdHcEZOSDE4dk81RnJvUUZKZmIyeVY4eC93ZDE3M01DemhJS0NEWDVUVzgKK2dmN0ZQcnF4dEU2ZUt2MU4rNC9sSGxMVjBUS09zai9jNC9ET1FJREFRQUJvQUF3RFFZSktvWklodmNOQVFFTApCUUFEZ2dFQkFENDdDeEtxcSsvQVJsV2tKRFF5bnFsMVRuT1ZDMkhzd3JZL3F4bXpxWXRhbDAySjE5T0JYd3V4CnUyYVBDRm84OG5BWm9mZjdDbHNiVXRTeDRVUmRtYWY0MXh6K01HQUVOajVJcXNHb0pLN3A0cGo3enR2ZkdackYKSkpGUEZLU0xPREkrVzA1RHh0L1pjWTZzdTdLMTBjdHRJeEs1eHRudmdHNktWQXRIb1B4eXoyUWtNQmVwZFBRdwpWY3VqRUk3L1ZlQWc4SlJMVlNvQnRvTjdRcThvMGtodU9nMFVyd2YrMXdkUWRQQ3RtenNGdVlzZ3NkRC9iVEt4CkhmVnljRUhYUkpRcENQYjI4ekljaHVVZ2xHNU1reGhrdzdpWjUvOFZvcHBKM2tUaE0wckR3THNKa3NycGVHbjcKY0VCVjErTkM1TEtoQllUeVYxdlVML3FmVE9LYUdBVT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==';

describe('Role and ClusterRole', () => {
  const role = validatorFor(RBAC, 'Role')!;
  const clusterRole = validatorFor(RBAC, 'ClusterRole')!;

  it('accepts resource rules, and non-resource URLs in cluster roles', () => {
    const rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }];
    assert.deepEqual(role({ metadata: { name: 'reader', namespace: 'default' }, rules }), []);
    assert.deepEqual(
      clusterRole({ metadata: { name: 'system:logs' }, rules: [{ nonResourceURLs: ['/logs/*'], verbs: ['get'] }] }),
      [],
    );
  });

  it('rejects rules without verbs, groups or resources, and non-resource URLs in namespaced roles', () => {
    const errs = role({
      metadata: { name: 'bad', namespace: 'default' },
      rules: [{ apiGroups: [''] }, { nonResourceURLs: ['/healthz'], resources: ['pods'], verbs: ['get'] }],
    });
    assert.deepEqual(messages(errs), [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
      'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
      'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs',
    ]);
    assert.deepEqual(messages(clusterRole({ metadata: { name: 'a/b' }, aggregationRule: {} })), [
      'metadata.name: Invalid value: "a/b": may not contain \'/\'',
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
  });
});

describe('RoleBinding and ClusterRoleBinding', () => {
  const rb = validatorFor(RBAC, 'RoleBinding')!;
  const crb = validatorFor(RBAC, 'ClusterRoleBinding')!;
  const binding = (roleRef: Record<string, unknown>, subjects: unknown[], namespace?: string): KubeObject => ({
    metadata: { name: 'b', ...(namespace ? { namespace } : {}) },
    roleRef,
    subjects,
  });
  const user = { kind: 'User', apiGroup: RBAC, name: 'jane' };
  const sa = { kind: 'ServiceAccount', name: 'default', namespace: 'default' };

  it('accepts bindings to roles and cluster roles', () => {
    assert.deepEqual(rb(binding({ apiGroup: RBAC, kind: 'Role', name: 'reader' }, [user, sa], 'default')), []);
    assert.deepEqual(crb(binding({ apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, [user, sa])), []);
  });

  it('checks the roleRef and each subject', () => {
    const errs = crb(
      binding({ apiGroup: 'example.com', kind: 'Role', name: '' }, [
        { kind: 'ServiceAccount', name: 'x', apiGroup: RBAC },
        { kind: 'Robot', name: 'r2' },
        { kind: 'Group', name: 'ops' },
      ]),
    );
    assert.deepEqual(messages(errs), [
      'roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'roleRef.name: Required value',
      'subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      'subjects[2].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
    ]);
  });

  it('never changes roleRef', () => {
    const before = binding({ apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, [user], 'default');
    const after = binding({ apiGroup: RBAC, kind: 'ClusterRole', name: 'edit' }, [user, sa], 'default');
    assert.deepEqual(rb(binding({ apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, [sa], 'default'), before), []);
    assert.deepEqual(messages(rb(after, before)), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
  });
});

describe('CertificateSigningRequest', () => {
  const v = validatorFor('certificates.k8s.io', 'CertificateSigningRequest')!;
  const csr = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'jane' },
    spec: { request: EC_CSR, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec },
    status,
  });

  it('verifies the PKCS#10 self-signature (EC and RSA)', () => {
    assert.equal(certificateRequestError(Buffer.from(EC_CSR, 'base64')), undefined);
    assert.equal(certificateRequestError(Buffer.from(RSA_CSR, 'base64')), undefined);
    const pem = Buffer.from(EC_CSR, 'base64').toString();
    const tampered = pem.replace('amFuZT', 'Ym9iYm');
    assert.equal(certificateRequestError(Buffer.from(tampered)), 'x509: ECDSA verification failure');
    const cert = pem.replaceAll('CERTIFICATE REQUEST', 'CERTIFICATE');
    assert.equal(certificateRequestError(Buffer.from(cert)), 'PEM block type must be CERTIFICATE REQUEST');
    assert.equal(certificateRequestError(Buffer.from('not pem')), 'PEM block type must be CERTIFICATE REQUEST');
  });

  it('accepts a request with usages, a signer and a duration', () => {
    assert.deepEqual(v(csr({ expirationSeconds: 86400 })), []);
    assert.deepEqual(
      v(csr({ request: RSA_CSR, signerName: 'example.com/my-signer', usages: ['digital signature', 'server auth'] })),
      [],
    );
  });

  it('rejects bad requests, usages, signers and short durations', () => {
    const errs = v(
      csr({
        request: 'bm90IHBlbQ==',
        usages: ['client auth', 'flying', 'client auth'],
        signerName: 'kubernetes',
        expirationSeconds: 60,
      }),
    );
    assert.deepEqual(fields(errs), [
      'spec.request FieldValueInvalid',
      'spec.usages[1] FieldValueNotSupported',
      'spec.usages[2] FieldValueDuplicate',
      'spec.signerName FieldValueInvalid',
      'spec.expirationSeconds FieldValueInvalid',
    ]);
    assert.equal(errs[0]!.message, 'Invalid value: "bm90IHBlbQ==": PEM block type must be CERTIFICATE REQUEST');
    assert.equal(
      errs[3]!.message,
      'Invalid value: "kubernetes": must be a fully qualified domain and path of the form \'example.com/signer-name\'',
    );
    assert.equal(errs[4]!.message, 'Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)');
    assert.deepEqual(messages(v(csr({ signerName: 'kubernetes.io/legacy-unknown' }))), [
      'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
    ]);
    assert.deepEqual(messages(v(csr({ usages: [] }))), ['spec.usages: Required value']);
  });

  it('checks conditions: Approved/Denied/Failed only True, mutually exclusive, no duplicates', () => {
    const conditions = [
      { type: 'Approved', status: 'False' },
      { type: 'Denied', status: 'True' },
      { type: 'Denied', status: 'True' },
    ];
    assert.deepEqual(messages(v(csr({}, { conditions }))), [
      'status.conditions[0].status: Unsupported value: "False": supported values: "True"',
      'status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
      'status.conditions[2].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
      'status.conditions[2].type: Duplicate value: "Denied"',
    ]);
  });

  it('main-resource updates may not add or remove approvals nor set the certificate', () => {
    const approved = csr({}, { conditions: [{ type: 'Approved', status: 'True' }] });
    assert.deepEqual(messages(v(approved, csr({}))), [
      'status.conditions: Forbidden: updates may not add a condition of type "Approved"',
    ]);
    assert.deepEqual(messages(v(csr({}), approved)), [
      'status.conditions: Forbidden: updates may not remove a condition of type "Approved"',
    ]);
    assert.deepEqual(messages(v(csr({}, { certificate: CERT }), csr({}))), [
      'status.certificate: Forbidden: updates may not set certificate content',
    ]);
  });

  it('a certificate is CERTIFICATE PEM blocks (upstream validateCertificate)', () => {
    assert.deepEqual(messages(v(csr({}, { certificate: CERT }))), []);
    const pem = (text: string) => Buffer.from(text).toString('base64');
    assert.deepEqual(messages(v(csr({}, { certificate: pem('cert') }))), [
      'status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block',
    ]);
    const request = Buffer.from(EC_CSR, 'base64').toString();
    assert.deepEqual(messages(v(csr({}, { certificate: Buffer.from(request).toString('base64') }))), [
      'status.certificate: Invalid value: "<certificate data>": only CERTIFICATE PEM blocks are allowed, found "CERTIFICATE REQUEST"',
    ]);
    const broken = pem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    assert.deepEqual(messages(v(csr({}, { certificate: broken }))), [
      'status.certificate: Invalid value: "<certificate data>": x509: malformed certificate',
    ]);
  });
});
