import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `hostPathVolumes`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-host-path-volumes',
  target: 'PodSpec',
  meta: {
    title: 'Pod mounts a hostPath volume',
    area: 'pod-security',
    defaultSeverity: 'critical',
    frameworks: { pss: ['baseline/hostpath-volumes'], cis: ['5.2.12'], mitre: ['T1611'], nsa: ['Pod security enforcement'] },
    description:
      'A hostPath volume mounts a directory or file of the node into the pod: the container runtime socket, `/etc`, `/var/lib/kubelet` or `/` give full control of the node.',
    remediation: 'Replace hostPath volumes with `emptyDir`, a PersistentVolumeClaim, a ConfigMap or Secret, or a CSI driver.',
  },
  messages: {
    forbidden: '{{problem}}: a hostPath volume gives the pod files of the node (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'hostPathVolumes', 'baseline');
  },
});
