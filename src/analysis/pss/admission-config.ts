import { apiGroupOf } from '../../core/resource-ref.js';
import { isRecord } from '../../k8s/guards.js';
import { isPssLevel } from './levels.js';
import { PRIVILEGED_DEFAULTS, PSS_MODES, type ModePolicies, type PssMode } from './namespace-policy.js';
import { LATEST, parsePolicyVersion } from './policy-version.js';

/**
 * The PodSecurity admission plugin's configuration (group pod-security.admission.config.k8s.io, versions
 * v1, v1beta1, v1alpha1; the same shape in each): defaults for unlabelled namespaces and exemptions.
 */
export interface PodSecurityConfiguration {
  readonly defaults: ModePolicies;
  readonly exemptions: {
    /** Exact authenticated user names whose requests are not evaluated. */
    readonly usernames: readonly string[];
    /** Exact `spec.runtimeClassName` values whose pods are not evaluated. */
    readonly runtimeClasses: readonly string[];
    /** Exact namespace names whose pods are not evaluated. */
    readonly namespaces: readonly string[];
  };
}

/** No configuration: privileged:latest everywhere, no exemptions. */
export const DEFAULT_CONFIGURATION: PodSecurityConfiguration = {
  defaults: PRIVILEGED_DEFAULTS,
  exemptions: { usernames: [], runtimeClasses: [], namespaces: [] },
};

/** A configuration problem, at a field path such as `exemptions.namespaces[2]`. */
export interface ConfigurationError {
  readonly path: string;
  readonly message: string;
}

export type ConfigurationRead =
  | { readonly status: 'ok'; readonly configuration: PodSecurityConfiguration; readonly path: string }
  /** An AdmissionConfiguration that names the PodSecurity configuration by file instead of embedding it. */
  | { readonly status: 'file'; readonly file: string; readonly path: string }
  | { readonly status: 'invalid'; readonly errors: readonly ConfigurationError[] }
  | { readonly status: 'absent' };

const CONFIG_GROUP = 'pod-security.admission.config.k8s.io';
const CONFIG_VERSIONS = new Set(['v1', 'v1beta1', 'v1alpha1']);
const ADMISSION_GROUPS = new Set(['apiserver.config.k8s.io', 'apiserver.k8s.io']);

// RFC 1123 names, as apimachinery validates them (IsDNS1123Subdomain, IsDNS1123Label).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isNamespaceName(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

function isSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** True for a PodSecurityConfiguration object (any served version). */
export function isPodSecurityConfiguration(value: unknown): boolean {
  return (
    isRecord(value) &&
    value.kind === 'PodSecurityConfiguration' &&
    typeof value.apiVersion === 'string' &&
    apiGroupOf(value.apiVersion) === CONFIG_GROUP &&
    CONFIG_VERSIONS.has(value.apiVersion.slice(CONFIG_GROUP.length + 1))
  );
}

function isAdmissionConfiguration(value: unknown): value is Readonly<Record<string, unknown>> {
  return (
    isRecord(value) &&
    value.kind === 'AdmissionConfiguration' &&
    typeof value.apiVersion === 'string' &&
    ADMISSION_GROUPS.has(apiGroupOf(value.apiVersion))
  );
}

function validate(value: Readonly<Record<string, unknown>>, base: string): ConfigurationRead {
  const errors: ConfigurationError[] = [];
  const at = (path: string): string => (base === '' ? path : `${base}.${path}`);
  const defaults: Record<PssMode, ModePolicies[PssMode]> = { ...PRIVILEGED_DEFAULTS };
  const rawDefaults = value.defaults;
  if (rawDefaults !== undefined && rawDefaults !== null && !isRecord(rawDefaults))
    errors.push({ path: at('defaults'), message: 'must be a map' });
  const d = isRecord(rawDefaults) ? rawDefaults : {};
  for (const mode of PSS_MODES) {
    const level = d[mode];
    const version = d[`${mode}-version`];
    let parsedLevel = defaults[mode].level;
    let parsedVersion = LATEST;
    // An empty value means the default (privileged / latest), as upstream's SetDefaults does.
    if (level !== undefined && level !== null && level !== '') {
      if (isPssLevel(level)) parsedLevel = level;
      else
        errors.push({
          path: at(`defaults.${mode}`),
          message: `must be one of privileged, baseline, restricted, got ${JSON.stringify(level)}`,
        });
    }
    if (version !== undefined && version !== null && version !== '') {
      const parsed = typeof version === 'string' ? parsePolicyVersion(version) : undefined;
      if (parsed === undefined)
        errors.push({ path: at(`defaults.${mode}-version`), message: `must be "latest" or "v1.x", got ${JSON.stringify(version)}` });
      else parsedVersion = parsed;
    }
    defaults[mode] = { level: parsedLevel, version: parsedVersion };
  }
  const rawExemptions = value.exemptions;
  if (rawExemptions !== undefined && rawExemptions !== null && !isRecord(rawExemptions))
    errors.push({ path: at('exemptions'), message: 'must be a map' });
  const e = isRecord(rawExemptions) ? rawExemptions : {};
  const list = (key: 'usernames' | 'runtimeClasses' | 'namespaces', valid: (s: string) => boolean, what: string): string[] => {
    const raw = e[key];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      errors.push({ path: at(`exemptions.${key}`), message: 'must be a list' });
      return [];
    }
    const seen = new Set<string>();
    const out: string[] = [];
    raw.forEach((item: unknown, index) => {
      const path = at(`exemptions.${key}[${index}]`);
      if (typeof item !== 'string') errors.push({ path, message: 'must be a string' });
      else if (!valid(item)) errors.push({ path, message: what });
      else if (seen.has(item)) errors.push({ path, message: `duplicate value ${JSON.stringify(item)}` });
      else {
        seen.add(item);
        out.push(item);
      }
    });
    return out;
  };
  const exemptions = {
    usernames: list('usernames', (s) => s !== '', 'must not be empty'),
    runtimeClasses: list('runtimeClasses', isSubdomain, 'must be a valid runtime class name (an RFC 1123 subdomain)'),
    namespaces: list('namespaces', isNamespaceName, 'must be a valid namespace name (an RFC 1123 label)'),
  };
  if (errors.length > 0) return { status: 'invalid', errors };
  return { status: 'ok', configuration: { defaults, exemptions }, path: base };
}

/**
 * Read a PodSecurityConfiguration: on its own, or embedded in the API server's AdmissionConfiguration
 * under the plugin named `PodSecurity`. Invalid configurations are refused as a whole, as the API
 * server refuses to start with one.
 */
export function readPodSecurityConfiguration(value: unknown): ConfigurationRead {
  if (isPodSecurityConfiguration(value) && isRecord(value)) return validate(value, '');
  if (!isAdmissionConfiguration(value)) return { status: 'absent' };
  const plugins = value.plugins;
  if (!Array.isArray(plugins)) return { status: 'absent' };
  for (const [index, plugin] of (plugins as unknown[]).entries()) {
    if (!isRecord(plugin) || plugin.name !== 'PodSecurity') continue;
    const base = `plugins[${index}]`;
    if (isRecord(plugin.configuration)) {
      if (!isPodSecurityConfiguration(plugin.configuration)) {
        return {
          status: 'invalid',
          errors: [{ path: `${base}.configuration`, message: `expected kind PodSecurityConfiguration in ${CONFIG_GROUP}/v1` }],
        };
      }
      return validate(plugin.configuration, `${base}.configuration`);
    }
    if (typeof plugin.path === 'string' && plugin.path !== '') return { status: 'file', file: plugin.path, path: `${base}.path` };
    return { status: 'invalid', errors: [{ path: base, message: 'the PodSecurity plugin has neither configuration nor path' }] };
  }
  return { status: 'absent' };
}

/** Why a pod is not evaluated: the exemption that applies, in the controller's order. */
export type Exemption = 'namespace' | 'user' | 'runtimeClass';

export interface ExemptionSubject {
  readonly namespace: string;
  /** Identities that may create the pods (the requesting user, or a controller's). */
  readonly usernames?: readonly string[];
  readonly runtimeClassName?: string;
}

/** The exemption that applies, or undefined. Exact string equality everywhere, as upstream. */
export function exemptionOf(configuration: PodSecurityConfiguration, subject: ExemptionSubject): Exemption | undefined {
  const { exemptions } = configuration;
  if (exemptions.namespaces.includes(subject.namespace)) return 'namespace';
  if ((subject.usernames ?? []).some((user) => exemptions.usernames.includes(user))) return 'user';
  if (subject.runtimeClassName !== undefined && exemptions.runtimeClasses.includes(subject.runtimeClassName)) return 'runtimeClass';
  return undefined;
}

/**
 * Who creates the pods of a workload kind: the kube-controller-manager's controller, as its service
 * account (`--use-service-account-credentials`, the kubeadm default) or as the controller manager
 * itself. Exempting either exempts every pod that controller creates. Bare Pods have no known creator.
 */
export function podCreatorsOf(apiVersion: string, kind: string): readonly string[] {
  const controller = CONTROLLERS[`${apiGroupOf(apiVersion)}/${kind}`];
  return controller === undefined ? [] : [`system:serviceaccount:kube-system:${controller}`, 'system:kube-controller-manager'];
}

const CONTROLLERS: Readonly<Record<string, string>> = {
  'apps/Deployment': 'replicaset-controller',
  'extensions/Deployment': 'replicaset-controller',
  'apps/ReplicaSet': 'replicaset-controller',
  'extensions/ReplicaSet': 'replicaset-controller',
  // Argo Rollouts creates ReplicaSets; their pods come from the ReplicaSet controller.
  'argoproj.io/Rollout': 'replicaset-controller',
  'apps/StatefulSet': 'statefulset-controller',
  'apps/DaemonSet': 'daemon-set-controller',
  'extensions/DaemonSet': 'daemon-set-controller',
  'batch/Job': 'job-controller',
  'batch/CronJob': 'job-controller',
  '/ReplicationController': 'replication-controller',
};
