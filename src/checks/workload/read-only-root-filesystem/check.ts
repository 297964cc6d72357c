import { isRecord } from '../../../k8s/guards.js';
import { defineCheck } from '../../define-check.js';

export default defineCheck({
  id: 'workload/read-only-root-filesystem',
  target: 'Container',
  meta: {
    title: 'Container root filesystem is writable',
    area: 'workload',
    defaultSeverity: 'low',
    frameworks: { nsa: ['Immutable container file systems'] },
    description:
      'A writable root filesystem lets an intruder drop tools, modify binaries and configuration, and persist for the life of the container. Most applications write only to a few known directories, which can be emptyDir volumes.',
    remediation:
      'Set `securityContext.readOnlyRootFilesystem: true` and mount `emptyDir` volumes where the application writes (`/tmp`, caches).',
  },
  messages: {
    unset: 'Container "{{name}}" does not set securityContext.readOnlyRootFilesystem, so its root filesystem is writable; set it to true.',
    writable:
      'Container "{{name}}" sets securityContext.readOnlyRootFilesystem: false; set it to true and mount writable paths as volumes.',
  },
  run({ container, pointer, pod }, ctx) {
    // Windows containers cannot have a read-only root filesystem (the field is rejected for them).
    if (isRecord(pod.spec.os) && pod.spec.os.name === 'windows') {
      ctx.notApplicable();
      return;
    }
    const context: unknown = container.securityContext;
    const hasContext = isRecord(context);
    const value = hasContext ? context.readOnlyRootFilesystem : undefined;
    if (value === true) return;
    const name = container.name ?? '<unnamed>';
    if (value === false)
      ctx.report({ messageId: 'writable', pointer: `${pointer}/securityContext/readOnlyRootFilesystem`, data: { name } });
    else ctx.report({ messageId: 'unset', pointer: hasContext ? `${pointer}/securityContext` : pointer, data: { name } });
  },
});
