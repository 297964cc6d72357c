import { Buffer } from 'node:buffer';

import { isRecord, stringOrUndefined } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { containsPrivateKey, isPlaceholder } from '../credentials.js';

/** Types whose content the control plane writes; a manifest of one carries no value. */
const CONTROLLER_FILLED = new Set(['kubernetes.io/service-account-token']);

export default defineCheck({
  id: 'secrets/plaintext-in-manifest',
  target: 'Object',
  kinds: ['Secret'],
  meta: {
    title: 'Secret values written in plain text in a manifest',
    area: 'secrets',
    defaultSeverity: 'medium',
    frameworks: { cis: ['5.4.2'], nsa: ['Secrets'], mitre: ['T1552.001'] },
    description:
      'A Secret manifest with `data` or `stringData` values holds the credentials themselves: base64 is an encoding, not encryption. Whoever can read the repository, its forks, CI logs or the rendered chart can read them, and Git keeps them after they are deleted.',
    remediation:
      'Keep Secret values out of manifests: commit a SealedSecret or a SOPS-encrypted file, or an ExternalSecret that fetches from a secret store; then rotate what was committed.',
  },
  messages: {
    plaintext:
      'Secret "{{name}}" carries {{count}} value(s) in plain text ({{keys}}) in {{file}}; base64 is not encryption. Commit a SealedSecret, a SOPS-encrypted file or an ExternalSecret instead, and rotate the values.',
  },
  run({ object, entry }, ctx) {
    // Objects read from a cluster are not manifests in a file.
    const file = entry.source?.file;
    const type = stringOrUndefined(object.type);
    if (file === undefined || (type !== undefined && CONTROLLER_FILLED.has(type)) || isRecord(object.sops)) {
      ctx.notApplicable();
      return;
    }
    const keys: string[] = [];
    const found = { privateKey: false, pointer: '' };
    const consider = (field: 'data' | 'stringData', key: string, text: string): void => {
      if (isPlaceholder(text)) return;
      keys.push(key);
      if (found.pointer === '') found.pointer = `/${field}`;
      if (containsPrivateKey(text)) found.privateKey = true;
    };
    if (isRecord(object.data)) {
      for (const [key, value] of Object.entries(object.data)) {
        if (typeof value === 'string') consider('data', key, Buffer.from(value, 'base64').toString('utf8'));
      }
    }
    if (isRecord(object.stringData)) {
      for (const [key, value] of Object.entries(object.stringData)) {
        if (typeof value === 'string') consider('stringData', key, value);
      }
    }
    if (keys.length === 0) return;
    const shown = keys.length > 5 ? `${keys.slice(0, 5).join(', ')}, …` : keys.join(', ');
    ctx.report({
      messageId: 'plaintext',
      pointer: found.pointer,
      data: { name: object.metadata.name, count: keys.length, keys: shown, file: file === '-' ? 'standard input' : file },
      // A committed private key (TLS, SSH) is the worst case: it cannot be "rotated" by changing a password.
      ...(found.privateKey ? { severity: 'high' as const } : {}),
    });
  },
});
