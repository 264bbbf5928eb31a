// RoleBinding, ClusterRoleBinding and CertificateSigningRequest rows (upstream's printRoleBinding,
// printClusterRoleBinding, printCertificateSigningRequest). Roles and ClusterRoles have no printer.
import type { KubeObject } from '../../core/types.js';
import type { TableSpec } from '../policy.js';
import { at, list, optNum, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince, humanDuration } from './duration.js';
import { doc } from './swagger-docs.js';

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts. */
function subjectCells(binding: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of list(binding['subjects'])) {
    const name = str(at(s, 'name'));
    const kind = str(at(s, 'kind'));
    if (kind === 'ServiceAccount') sas.push(`${str(at(s, 'namespace'))}/${name}`);
    else if (kind === 'User') users.push(name);
    else if (kind === 'Group') groups.push(name);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingTable(kind: 'roleBinding' | 'clusterRoleBinding'): TableSpec {
  const roleDoc =
    kind === 'roleBinding' ? 'rbac/v1beta1/RoleBinding.roleRef' : 'rbac/v1beta1/ClusterRoleBinding.roleRef';
  return {
    columns: [
      nameColumn(),
      column('Role', 'string', doc(roleDoc)),
      ageColumn(),
      column('Users', 'string', `Users in the ${kind}`, { priority: 1 }),
      column('Groups', 'string', `Groups in the ${kind}`, { priority: 1 }),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, { priority: 1 }),
    ],
    row: (b, now) => [
      b.metadata.name ?? '',
      `${str(at(b, 'roleRef', 'kind'))}/${str(at(b, 'roleRef', 'name'))}`,
      ageSince(b.metadata.creationTimestamp, now),
      ...subjectCells(b),
    ],
  };
}

export const roleBindingTable = bindingTable('roleBinding');
export const clusterRoleBindingTable = bindingTable('clusterRoleBinding');

/** extractCSRStatus: Denied, Approved or Pending, then ,Failed and ,Issued. */
function csrStatus(csr: KubeObject): string {
  const types = new Set(list(at(csr, 'status', 'conditions')).map((c) => str(at(c, 'type'))));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (str(at(csr, 'status', 'certificate'))) status += ',Issued';
  return status;
}

export const certificateSigningRequestTable: TableSpec = {
  columns: [
    nameColumn(),
    ageColumn(),
    column('SignerName', 'string', doc('certificates/v1beta1/CertificateSigningRequestSpec.signerName')),
    column('Requestor', 'string', doc('certificates/v1beta1/CertificateSigningRequestSpec.request')),
    column('RequestedDuration', 'string', doc('certificates/v1beta1/CertificateSigningRequestSpec.expirationSeconds')),
    column('Condition', 'string', doc('certificates/v1beta1/CertificateSigningRequestStatus.conditions')),
  ],
  row(csr, now) {
    const seconds = optNum(at(csr, 'spec', 'expirationSeconds'));
    return [
      csr.metadata.name ?? '',
      ageSince(csr.metadata.creationTimestamp, now),
      str(at(csr, 'spec', 'signerName')) || '<none>',
      str(at(csr, 'spec', 'username')),
      seconds === undefined ? '<none>' : humanDuration(seconds * 1000),
      csrStatus(csr),
    ];
  },
};
