import { describe } from 'vitest';

import { clusterRole, clusterRoleBinding, roleBinding, rule, serviceAccount } from '../../../analysis/rbac/test-support/rbac-builders.js';
import { runFindingCases } from '../test-support/finding-cases.js';
import check from './check.js';

const CERTS = 'certificates.k8s.io';
const approval = rule(['update'], ['certificatesigningrequests/approval'], [CERTS]);
const signer = rule(['approve'], ['signers'], [CERTS], { resourceNames: ['kubernetes.io/kube-apiserver-client'] });
const sa = serviceAccount('approver', 'security');

describe('rbac/csr-approval', () => {
  runFindingCases(check, [
    {
      name: 'both halves in one role',
      objects: [clusterRole('r', [approval, signer]), clusterRoleBinding('b', ['ClusterRole', 'r'], [sa])],
      expected: [
        {
          on: 'ClusterRoleBinding/b',
          pointer: '/subjects/0',
          severity: 'high',
          message: /can approve CertificateSigningRequests \(update certificatesigningrequests\/approval and approve on signers\)/,
        },
      ],
    },
    {
      name: 'both halves from two bindings',
      objects: [
        clusterRole('a', [approval]),
        clusterRole('s', [signer]),
        clusterRoleBinding('ba', ['ClusterRole', 'a'], [sa]),
        clusterRoleBinding('bs', ['ClusterRole', 's'], [sa]),
      ],
      expected: [
        { on: 'ClusterRoleBinding/ba', pointer: '/subjects/0', severity: 'high', message: /can approve CertificateSigningRequests/ },
        { on: 'ClusterRoleBinding/bs', pointer: '/subjects/0', severity: 'high', message: /can approve CertificateSigningRequests/ },
      ],
    },
    {
      name: 'one half is medium',
      objects: [clusterRole('a', [approval]), clusterRoleBinding('ba', ['ClusterRole', 'a'], [sa])],
      expected: [
        { on: 'ClusterRoleBinding/ba', pointer: '/subjects/0', severity: 'medium', message: /one half .* with approve on a signer/ },
      ],
    },
    {
      name: 'a RoleBinding cannot grant either half',
      objects: [clusterRole('r', [approval, signer]), roleBinding('security', 'b', ['ClusterRole', 'r'], [sa])],
      expected: [],
    },
    {
      name: 'creating CSRs is not approving them',
      objects: [
        clusterRole('r', [rule(['create', 'get', 'list'], ['certificatesigningrequests'], [CERTS])]),
        clusterRoleBinding('b', ['ClusterRole', 'r'], [sa]),
      ],
      expected: [],
    },
  ]);
});
