import { RbacIndex } from '../../../analysis/rbac/rbac-index.js';
import { defineCheck } from '../../define-check.js';
import { RBAC_INDEX_READS } from '../../reads.js';
import { grantData, joinWords, subjectPointer } from '../grant-messages.js';
import { judgedSubjects, subjectOptions } from '../judged-subjects.js';
import { riskyBindingSubjects, RISKS, type SubjectRisk } from '../risks.js';

const isApproval = (risk: SubjectRisk['matches'][number]): boolean => risk.request.resource === 'certificatesigningrequests';

function subjectKey(risk: SubjectRisk): string {
  return `${risk.ref.kind}\u0000${risk.ref.namespace ?? ''}\u0000${risk.ref.name}`;
}

export default defineCheck({
  id: 'rbac/csr-approval',
  target: 'Cluster',
  reads: RBAC_INDEX_READS,
  meta: {
    title: 'Subject can approve certificate signing requests',
    area: 'rbac',
    defaultSeverity: 'high',
    frameworks: { cis: ['5.1.11'], nsa: ['Authentication and authorization'], mitre: ['T1649'] },
    description:
      'Approving a CertificateSigningRequest needs update on certificatesigningrequests/approval and approve on the signer. With both, a subject can have the cluster sign a client certificate for any user or group (system:masters included) and log in as it.',
    remediation:
      'Keep CSR approval with the controllers that do it (kube-controller-manager’s approvers); remove the approval subresource and signers approve from other roles.',
  },
  messages: {
    approve:
      '{{subject}} can approve CertificateSigningRequests ({{what}}) through {{binding}} ({{via}}): it can have the cluster sign a client certificate for any identity.',
    half: '{{subject}} holds {{what}} through {{binding}} ({{via}}), one half of approving CertificateSigningRequests; with {{other}} it could have certificates signed for any identity.',
  },
  options: subjectOptions,
  run({ inventory }, ctx) {
    const index = RbacIndex.of(inventory);
    const risks = riskyBindingSubjects(index, RISKS.csrApproval, judgedSubjects(ctx.options));
    // Approval needs both halves, possibly from different bindings: decide per subject.
    const halves = new Map<string, { approval: boolean; signer: boolean }>();
    for (const risk of risks) {
      const held = halves.get(subjectKey(risk)) ?? { approval: false, signer: false };
      for (const match of risk.matches) {
        if (isApproval(match)) held.approval = true;
        else held.signer = true;
      }
      halves.set(subjectKey(risk), held);
    }
    for (const risk of risks) {
      const held = halves.get(subjectKey(risk));
      const what = joinWords(
        [...new Set(risk.matches.map((m) => (isApproval(m) ? 'update certificatesigningrequests/approval' : 'approve on signers')))]
          .sort()
          .reverse(),
      );
      const data = { ...grantData(risk, risk.matches, true), what };
      if (held?.approval === true && held.signer) {
        ctx.report({ messageId: 'approve', resource: risk.binding.entry, pointer: subjectPointer(risk), data });
      } else {
        const other = held?.approval === true ? 'approve on a signer' : 'update on certificatesigningrequests/approval';
        ctx.report({
          messageId: 'half',
          severity: 'medium',
          resource: risk.binding.entry,
          pointer: subjectPointer(risk),
          data: { ...data, other },
        });
      }
    }
  },
});
