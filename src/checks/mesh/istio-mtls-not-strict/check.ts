import { z } from 'zod';

import { apiGroupOf } from '../../../core/resource-ref.js';
import type { Inventory } from '../../../inventory/inventory.js';
import { isRecord, stringMap } from '../../../k8s/guards.js';
import type { KubeObject } from '../../../k8s/types.js';
import { defineCheck } from '../../define-check.js';
import { namespaceMesh } from '../membership.js';

const options = z
  .object({
    /** Istio's root namespace, where a PeerAuthentication without selector applies mesh-wide. */
    rootNamespace: z.string().min(1).default('istio-system'),
  })
  .strict();

type Mode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

function modeOf(object: KubeObject): Mode {
  const spec = isRecord(object.spec) ? object.spec : {};
  const mtls = isRecord(spec.mtls) ? spec.mtls : {};
  return mtls.mode === 'DISABLE' || mtls.mode === 'PERMISSIVE' || mtls.mode === 'STRICT' ? mtls.mode : 'UNSET';
}

function hasSelector(object: KubeObject): boolean {
  const spec = isRecord(object.spec) ? object.spec : {};
  return isRecord(spec.selector) && Object.keys(spec.selector).length > 0;
}

/** The namespace-wide (no selector) PeerAuthentication of a namespace, if any. */
function namespaceWide(inventory: Inventory, namespace: string): KubeObject | undefined {
  return inventory.ofKind('PeerAuthentication', { group: 'security.istio.io', namespace }).find((pa) => !hasSelector(pa.object))?.object;
}

export default defineCheck({
  id: 'mesh/istio-mtls-not-strict',
  target: 'Object',
  kinds: ['security.istio.io/PeerAuthentication', 'Namespace'],
  reads: ['security.istio.io/PeerAuthentication', 'Namespace'],
  meta: {
    title: 'Istio mutual TLS is not STRICT',
    area: 'mesh',
    defaultSeverity: 'medium',
    frameworks: { nsa: ['Service meshes', 'Encryption'] },
    description:
      'Istio accepts plain-text traffic unless mutual TLS is STRICT: PERMISSIVE (the default when no PeerAuthentication says otherwise) lets any pod — meshed or not, or an attacker inside the network — talk to the workload without a mesh identity, and DISABLE turns mTLS off.',
    remediation:
      'Apply a mesh-wide PeerAuthentication with `mtls.mode: STRICT` in the root namespace (istio-system), and remove PERMISSIVE or DISABLE overrides once every client is in the mesh.',
  },
  messages: {
    policy: 'PeerAuthentication "{{name}}" ({{scope}}) sets mTLS mode {{mode}}: {{effect}}. Set it to STRICT.',
    port: 'PeerAuthentication "{{name}}" ({{scope}}) sets mTLS mode {{mode}} for port {{port}}: {{effect}}. Set it to STRICT.',
    meshDefault:
      'PeerAuthentication "{{name}}" is the mesh-wide policy but leaves mTLS mode unset, so the mesh runs PERMISSIVE; set mtls.mode: STRICT.',
    namespaceDefault:
      'Namespace "{{name}}" is in the Istio mesh but no PeerAuthentication makes mTLS STRICT for it (mesh-wide or namespace-wide), so Istio accepts plain text there (PERMISSIVE by default).',
  },
  options,
  run({ object, entry, inventory }, ctx) {
    const root = ctx.options.rootNamespace;
    if (entry.ref.kind === 'Namespace') {
      const name = object.metadata.name;
      const mesh = namespaceMesh(stringMap(object.metadata.labels), stringMap(object.metadata.annotations));
      if (mesh !== 'istio' && mesh !== 'istio-ambient') {
        ctx.notApplicable();
        return;
      }
      // An explicit policy decides: it is judged (and reported) as a PeerAuthentication of its own.
      const own = namespaceWide(inventory, name);
      if (own !== undefined && modeOf(own) !== 'UNSET') return;
      const meshWide = namespaceWide(inventory, root);
      if (meshWide !== undefined && modeOf(meshWide) !== 'UNSET') return;
      ctx.report({ messageId: 'namespaceDefault', pointer: '/metadata/name', data: { name } });
      return;
    }
    if (apiGroupOf(entry.ref.apiVersion) !== 'security.istio.io') return;
    const name = object.metadata.name;
    const selector = hasSelector(object);
    const namespace = entry.ref.namespace ?? '';
    const scope = selector ? `workloads in ${namespace}` : namespace === root ? 'mesh-wide' : `namespace ${namespace}`;
    const mode = modeOf(object);
    const effect = (m: Mode): string =>
      m === 'DISABLE' ? 'traffic is not encrypted or authenticated' : 'plain-text traffic from outside the mesh is accepted';
    if (mode === 'DISABLE' || mode === 'PERMISSIVE') {
      ctx.report({
        messageId: 'policy',
        pointer: '/spec/mtls/mode',
        data: { name, scope, mode, effect: effect(mode) },
        severity: mode === 'DISABLE' ? 'high' : 'medium',
      });
    } else if (mode === 'UNSET' && !selector && namespace === root) {
      ctx.report({ messageId: 'meshDefault', pointer: '/spec', data: { name } });
    }
    const spec = isRecord(object.spec) ? object.spec : {};
    if (isRecord(spec.portLevelMtls)) {
      for (const [port, setting] of Object.entries(spec.portLevelMtls)) {
        const portMode = isRecord(setting) ? setting.mode : undefined;
        if (portMode !== 'DISABLE' && portMode !== 'PERMISSIVE') continue;
        ctx.report({
          messageId: 'port',
          pointer: `/spec/portLevelMtls/${port}/mode`,
          data: { name, scope, mode: portMode, port, effect: effect(portMode) },
          severity: portMode === 'DISABLE' ? 'high' : 'medium',
        });
      }
    }
  },
});
