import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';

export default defineCheck({
  id: 'secrets/secret-as-env',
  target: 'Container',
  meta: {
    title: 'Secret consumed as environment variables',
    area: 'secrets',
    defaultSeverity: 'low',
    frameworks: { cis: ['5.4.1'], nsa: ['Secrets'], mitre: ['T1552.007'] },
    description:
      'Environment variables leak: applications print them in crash reports and debug pages, child processes inherit them, and they appear in /proc/<pid>/environ. A Secret mounted as a file can be read only by what opens it, and is updated in place when the Secret is rotated.',
    remediation:
      'Mount the Secret as a volume (`volumes[].secret`) and have the application read the file; many images accept `<NAME>_FILE`.',
  },
  messages: {
    secretKeyRef:
      'Container "{{container}}" reads key "{{key}}" of Secret "{{secret}}" into env var "{{name}}"; mount the Secret as a file instead.',
    envFrom: 'Container "{{container}}" loads every key of Secret "{{secret}}" into its environment; mount the Secret as a file instead.',
  },
  run({ container, pointer }, ctx) {
    const name = container.name ?? '<unnamed>';
    arrayOrEmpty(container.env).forEach((env, i) => {
      if (!isRecord(env) || !isRecord(env.valueFrom) || !isRecord(env.valueFrom.secretKeyRef)) return;
      const ref = env.valueFrom.secretKeyRef;
      ctx.report({
        messageId: 'secretKeyRef',
        pointer: `${pointer}/env/${i}/valueFrom/secretKeyRef`,
        data: {
          container: name,
          name: typeof env.name === 'string' ? env.name : '<unnamed>',
          secret: typeof ref.name === 'string' ? ref.name : '<unnamed>',
          key: typeof ref.key === 'string' ? ref.key : '<unnamed>',
        },
      });
    });
    arrayOrEmpty(container.envFrom).forEach((source, i) => {
      if (!isRecord(source) || !isRecord(source.secretRef)) return;
      ctx.report({
        messageId: 'envFrom',
        pointer: `${pointer}/envFrom/${i}/secretRef`,
        data: { container: name, secret: typeof source.secretRef.name === 'string' ? source.secretRef.name : '<unnamed>' },
      });
    });
  },
});
