import { defineCheck } from '../../define-check.js';
import { pssVersionOptions, reportControl } from '../control-check.js';

/** Pod Security Standards, baseline level: upstream control `appArmorProfile`, judged by the engine. */
export default defineCheck({
  id: 'pod-security/baseline-apparmor',
  target: 'PodSpec',
  meta: {
    title: 'AppArmor profile is overridden or disabled',
    area: 'pod-security',
    defaultSeverity: 'high',
    frameworks: { pss: ['baseline/apparmor'], mitre: ['T1562.001'], nsa: ['Pod security enforcement'] },
    description:
      'Setting the AppArmor profile to `Unconfined` (by field or by the beta annotation) removes the mandatory access control that limits what a compromised container can do on the node.',
    remediation:
      'Use `appArmorProfile.type: RuntimeDefault` or `Localhost` (or leave it unset), and remove `unconfined` AppArmor annotations.',
  },
  messages: {
    forbidden: '{{problem}}: an unconfined container loses the AppArmor protection of the node (Pod Security {{policy}}, "{{reason}}").',
  },
  options: pssVersionOptions,
  run(subject, ctx) {
    reportControl(subject, ctx, 'appArmorProfile', 'baseline');
  },
});
