/**
 * Pod Security Standards, exact to the upstream PodSecurity admission controller at every policy
 * version: the pure engine other areas (checks, CLI, admission) call on one pod or workload.
 */
export * from './control.js';
export * from './evaluate.js';
export * from './levels.js';
export * from './policy-version.js';
export {
  preparePod,
  VOLUME_SOURCES,
  type ContainerView,
  type PodInput,
  type PreparedPod,
  type PrepareOptions,
  type VolumeView,
} from './pod-view.js';
export { activeControls, controlById, CONTROLS, NEWEST_MINOR } from './registry.js';
export * from './namespace-policy.js';
export * from './admission-config.js';
export * from './namespaces.js';
export * from './workloads.js';
export * from './admission.js';
