import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, restricted level: upstream control `restrictedVolumes`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/restricted-volume-types',
  target: 'PodSpec',
  meta: {
    title: 'Pod uses a volume type outside the restricted set',
    area: 'pod-security',
    defaultSeverity: 'medium',
    frameworks: { pss: ['restricted/volume-types'], nsa: ['Pod security enforcement'] },
    description:
      'Restricted pods may use only ephemeral and API-backed volumes (configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret); other types such as hostPath, nfs or gitRepo bypass storage policy or touch the node.',
    remediation:
      'Replace other volume types by a PersistentVolumeClaim (for network storage such as NFS or cloud disks), a CSI volume or one of the allowed types.',
  },
  messages: {
    forbidden: '{{problem}}: only ephemeral and API-backed volume types are allowed (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'restrictedVolumes', 'restricted');
  },
});
