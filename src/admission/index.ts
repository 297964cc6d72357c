/**
 * The admission webhook: AdmissionReview v1 handling with per-namespace policy (deny, warn, audit),
 * opt-in mutation to safe defaults, the HTTPS server, and the manifests that install it.
 */
export { admissionChecks, NEEDS_CLUSTER_CONTEXT, notInAdmission, pssLevelOf } from './admission-checks.js';
export { DEFAULT_ADMISSION_CONFIG, parseAdmissionConfig, type AdmissionConfig } from './config.js';
export { Exemptions } from './exemptions.js';
export { AdmissionHandler, type AdmissionHandlerOptions, type Decision, type DecisionOutcome, type Webhook } from './handler.js';
export { admissionManifests, type FailurePolicy, type GeneratedManifests, type ManifestOptions } from './manifests.js';
export { AdmissionMetrics } from './metrics.js';
export { safeDefaults, type PatchOperation, type SafeDefaults } from './mutate.js';
export { NO_LABEL, PolicyResolver, type LabelRoute, type ResolvedPolicy } from './policy.js';
export * from './review.js';
export {
  CertificateReloader,
  DEFAULT_MAX_BODY_BYTES,
  INVALID_LABEL_ROUTE,
  MUTATE_PATH,
  startAdmissionServer,
  VALIDATE_PATH,
  type AdmissionServer,
  type AdmissionServerOptions,
} from './server.js';
export * from './settings.js';
export { changesWhatIsJudged, IGNORED_POD_SUBRESOURCES, subjectOf } from './subject.js';
export { certificateExpiry, createServingCertificate, type ServingCertificate } from './x509.js';
