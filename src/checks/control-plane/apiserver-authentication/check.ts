import { defineCheck } from '../../define-check.js';
import { boolFlag, flagOf, flagValue, invocationFor, CONTROL_PLANE_KINDS } from '../component-flags.js';

export default defineCheck({
  id: 'control-plane/apiserver-authentication',
  target: 'Object',
  kinds: CONTROL_PLANE_KINDS,
  meta: {
    title: 'API server authentication settings are weak',
    area: 'control-plane',
    defaultSeverity: 'high',
    frameworks: { cis: ['1.2.2', '1.2.21', '1.2.22', '1.2.25', '1.2.30'], nsa: ['Authentication'], mitre: ['T1078', 'T1528'] },
    description:
      'Static token files hold long-lived bearer tokens in plain text that cannot be revoked without a restart; without a client CA, certificates cannot be used to authenticate; without service-account lookup, tokens of deleted service accounts keep working; extended token expiration turns hour-long projected tokens into year-long ones.',
    remediation:
      'Remove `--token-auth-file`, set `--client-ca-file` and `--service-account-key-file`, keep `--service-account-lookup=true`, and set `--service-account-extend-token-expiration=false` once workloads refresh their tokens.',
  },
  messages: {
    tokenFile:
      'kube-apiserver authenticates static tokens from --token-auth-file: plain-text, long-lived and unrevocable without a restart. Remove it.',
    noClientCa: 'kube-apiserver does not set --client-ca-file, so client certificates cannot be verified; set it.',
    noLookup: 'kube-apiserver sets --service-account-lookup=false: tokens of deleted service accounts stay valid. Set it to true.',
    noKeyFile: 'kube-apiserver does not set --service-account-key-file to the keys that verify service-account tokens; set it.',
    extendedTokens:
      'kube-apiserver {{how}}: projected service-account tokens are accepted for up to a year instead of until their own expiry. Set --service-account-extend-token-expiration=false.',
  },
  run(subject, ctx) {
    const apiserver = invocationFor('kube-apiserver', subject, ctx);
    if (apiserver === undefined) return;
    const tokenFile = flagOf(apiserver, 'token-auth-file');
    if (tokenFile?.value !== undefined && tokenFile.value.trim() !== '') {
      ctx.report({ messageId: 'tokenFile', pointer: tokenFile.pointer, frameworks: { cis: ['1.2.2'], nsa: ['Authentication'] } });
    }
    if (flagValue(apiserver, 'client-ca-file') === undefined) {
      ctx.report({ messageId: 'noClientCa', pointer: apiserver.missingPointer, frameworks: { cis: ['1.2.25'], nsa: ['Authentication'] } });
    }
    if (boolFlag(apiserver, 'service-account-lookup', true) === false) {
      ctx.report({
        messageId: 'noLookup',
        pointer: flagOf(apiserver, 'service-account-lookup')?.pointer ?? apiserver.missingPointer,
        frameworks: { cis: ['1.2.21'] },
      });
    }
    if (flagValue(apiserver, 'service-account-key-file') === undefined) {
      ctx.report({ messageId: 'noKeyFile', pointer: apiserver.missingPointer, severity: 'medium', frameworks: { cis: ['1.2.22'] } });
    }
    if (boolFlag(apiserver, 'service-account-extend-token-expiration', true) !== false) {
      const flag = flagOf(apiserver, 'service-account-extend-token-expiration');
      ctx.report({
        messageId: 'extendedTokens',
        pointer: flag?.pointer ?? apiserver.missingPointer,
        data: {
          how:
            flag === undefined
              ? 'leaves --service-account-extend-token-expiration at its default (true)'
              : `sets --service-account-extend-token-expiration=${flag.value ?? 'true'}`,
        },
        severity: 'medium',
        frameworks: { cis: ['1.2.30'] },
      });
    }
  },
});
