import { Buffer } from 'node:buffer';

import { appendPointer } from '../../../core/json-pointer.js';
import { isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';
import { credentialOptions, distinctMatches, findCredentials } from '../credentials.js';

/** binaryData larger than this is not decoded (images, archives); token formats in it go unseen. */
const MAX_BINARY_BYTES = 1024 * 1024;

export default defineCheck({
  id: 'secrets/credential-in-configmap',
  target: 'Object',
  kinds: ['ConfigMap'],
  meta: {
    title: 'Credential hard-coded in a ConfigMap',
    area: 'secrets',
    defaultSeverity: 'high',
    frameworks: { nsa: ['Secrets'], mitre: ['T1552.001', 'T1552.007'] },
    description:
      'ConfigMaps are meant for non-confidential data: they are not encrypted at rest, RBAC grants read access to them far more widely than to Secrets, and their contents are shown in full by `kubectl describe`. A password, token or private key in one is readable by all of those.',
    remediation: 'Move the value into a Secret (mounted as a file or referenced from an env var) and rotate the exposed credential.',
  },
  messages: {
    key: 'ConfigMap "{{configMap}}" key "{{key}}" holds {{what}}; move it into a Secret and rotate it.',
    line: 'ConfigMap "{{configMap}}" key "{{key}}" holds {{what}} at line {{line}} of the value{{property}}; move it into a Secret and rotate it.',
  },
  options: credentialOptions,
  run({ object }, ctx) {
    const configMap = object.metadata.name;
    const scan = (field: 'data' | 'binaryData', key: string, value: string): void => {
      for (const match of distinctMatches(findCredentials(key, value, ctx.options))) {
        const pointer = appendPointer('', field, key);
        const severity = match.kind === 'high-entropy' ? { severity: 'medium' as const } : {};
        if (match.line === undefined) {
          ctx.report({ messageId: 'key', pointer, data: { configMap, key, what: match.label }, ...severity });
        } else {
          const property = match.property === undefined ? '' : ` ("${match.property}")`;
          ctx.report({ messageId: 'line', pointer, data: { configMap, key, what: match.label, line: match.line, property }, ...severity });
        }
      }
    };
    if (isRecord(object.data)) {
      for (const [key, value] of Object.entries(object.data)) if (typeof value === 'string') scan('data', key, value);
    }
    if (isRecord(object.binaryData)) {
      for (const [key, value] of Object.entries(object.binaryData)) {
        if (typeof value !== 'string' || value.length > (MAX_BINARY_BYTES * 4) / 3) continue;
        const text = Buffer.from(value, 'base64').toString('utf8');
        // Only text is worth reading; a replacement character means the bytes were not UTF-8.
        if (!text.includes('\uFFFD')) scan('binaryData', key, text);
      }
    }
  },
});
