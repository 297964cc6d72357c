import { arrayOrEmpty, isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { credentialOptions, distinctMatches, findCredentials, nameSignal, type CredentialMatch } from '../credentials.js';

/** `--name=value`, `-name=value`: the name and value of one command-line argument. */
const FLAG_WITH_VALUE = /^--?([A-Za-z][\w.-]*)=(.*)$/s;
const FLAG_ALONE = /^--?([A-Za-z][\w.-]*)$/;

export default defineCheck({
  id: 'secrets/credential-in-env',
  target: 'Container',
  meta: {
    title: 'Credential hard-coded in a container’s environment or arguments',
    area: 'secrets',
    defaultSeverity: 'high',
    frameworks: { nsa: ['Secrets'], mitre: ['T1552.001', 'T1552.007'] },
    description:
      'A password, token or key written into an env var value or a command-line argument is stored in plain text in the workload object (readable by anyone who can read the workload or its manifests) and visible in `kubectl describe`, process listings and crash dumps.',
    remediation:
      'Move the value into a Secret and reference it with `valueFrom.secretKeyRef` — better, mount the Secret as a file — and rotate the exposed credential.',
  },
  messages: {
    env: 'Container "{{container}}" env var "{{name}}" holds {{what}}; move it into a Secret (valueFrom.secretKeyRef, or a mounted file) and rotate it.',
    arg: 'Container "{{container}}" passes {{what}} in {{field}}[{{index}}] ({{name}}); read it from a Secret-backed file or env var instead, and rotate it.',
  },
  options: credentialOptions,
  run({ container, pointer }, ctx) {
    const name = container.name ?? '<unnamed>';
    const report = (match: CredentialMatch, messageId: 'env' | 'arg', at: string, data: Record<string, string | number>): void => {
      ctx.report({
        messageId,
        pointer: at,
        data: { container: name, what: match.label, ...data },
        // A random-looking value under a key-like name is a lead, not a certainty.
        ...(match.kind === 'high-entropy' ? { severity: 'medium' as const } : {}),
      });
    };

    arrayOrEmpty(container.env).forEach((env, i) => {
      if (!isRecord(env) || typeof env.name !== 'string' || typeof env.value !== 'string') return;
      for (const match of distinctMatches(findCredentials(env.name, env.value, ctx.options))) {
        report(match, 'env', `${pointer}/env/${i}/value`, { name: env.name });
      }
    });

    for (const field of ['command', 'args'] as const) {
      const list = arrayOrEmpty(container[field]);
      list.forEach((arg, i) => {
        if (typeof arg !== 'string') return;
        let flag: string | undefined;
        let value = arg;
        const withValue = FLAG_WITH_VALUE.exec(arg);
        if (withValue !== null) {
          flag = withValue[1];
          value = withValue[2] ?? '';
        } else {
          // `--password hunter2`: a credential-named flag followed by its value.
          const alone = FLAG_ALONE.exec(arg);
          const next = list[i + 1];
          if (alone !== null && typeof next === 'string' && !next.startsWith('-') && nameSignal(alone[1] ?? '') === 'secret') {
            flag = alone[1];
            value = next;
          }
        }
        const matches = flag === undefined ? findCredentials('', value, ctx.options) : findCredentials(flag, value, ctx.options);
        for (const match of distinctMatches(matches)) {
          report(match, 'arg', `${pointer}/${field}/${i}`, { field, index: i, name: flag === undefined ? 'argument' : `--${flag}` });
        }
      });
    }
  },
});
