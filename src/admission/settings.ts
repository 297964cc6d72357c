import { z } from 'zod';

import { PSS_LEVELS, type PssLevel } from '../analysis/pss/levels.js';

/**
 * What the webhook does with a finding: reject the request (`deny`), let it through with a warning
 * kubectl prints (`warn`), record it only in the API server's audit log (`audit`), or ignore it (`off`).
 */
export const ADMISSION_ACTIONS = ['deny', 'warn', 'audit', 'off'] as const;
export type AdmissionAction = (typeof ADMISSION_ACTIONS)[number];

/** How `vigil.dev/enforce` namespace labels are honoured. */
export const LABEL_MODES = ['any', 'stricter', 'ignore'] as const;
export type LabelMode = (typeof LABEL_MODES)[number];

/** The namespace label that sets a namespace's enforce level (routed by the webhook configuration). */
export const ENFORCE_LABEL = 'vigil.dev/enforce';
/** The namespace label that opts a namespace into mutation (routed by the webhook configuration). */
export const MUTATE_LABEL = 'vigil.dev/mutate';

/** Namespaces the webhook never judges unless told otherwise: the control plane's own. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

const CHECK_PATTERN = /^(?:\*|[a-z0-9-]+\/(?:\*|[a-z0-9-]+))$/;
const checkPattern = z.string().regex(CHECK_PATTERN, 'expected a check id such as images/latest-tag, or a glob such as images/*');
const level = z.enum(PSS_LEVELS);
// YAML 1.1 (which Kubernetes tooling and Vigil read) turns a bare `off` into `false`: accept both.
const action = z.union([z.enum(ADMISSION_ACTIONS), z.literal(false).transform((): AdmissionAction => 'off')]);

const policySchema = z
  .object({
    enforce: level.optional(),
    warn: level.optional(),
    checks: z.record(checkPattern, action).optional(),
    others: action.optional(),
    mutate: z.boolean().optional(),
  })
  .strict();

// Service accounts as namespace/name (name may be `*`), as RBAC subjects are usually written.
const SERVICE_ACCOUNT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/(?:\*|[a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

/** The `admission:` section of the configuration file. */
export const admissionSectionSchema = z
  .object({
    policy: policySchema.optional(),
    namespaces: z.record(z.string().min(1), policySchema).optional(),
    namespaceLabels: z.enum(LABEL_MODES).optional(),
    exemptions: z
      .object({
        systemNamespaces: z.boolean().optional(),
        namespaces: z.array(z.string().min(1)).optional(),
        usernames: z.array(z.string().min(1)).optional(),
        groups: z.array(z.string().min(1)).optional(),
        serviceAccounts: z.array(z.string().regex(SERVICE_ACCOUNT, 'expected namespace/name (or namespace/*)')).optional(),
      })
      .strict()
      .optional(),
    mutation: z
      .object({
        seccompProfile: z.boolean().optional(),
        allowPrivilegeEscalation: z.boolean().optional(),
        dropAllCapabilities: z.boolean().optional(),
        runAsNonRoot: z.boolean().optional(),
        nonRootImages: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** One policy: the default one, or a namespace's overrides of it. Unset fields inherit. */
export interface PolicySettings {
  /** Pod Security checks at or below this level deny. */
  readonly enforce?: PssLevel;
  /** Pod Security checks at or below this level (and not denied) warn. */
  readonly warn?: PssLevel;
  /** Per check id or glob: what a finding of it does; wins over the levels. */
  readonly checks?: Readonly<Record<string, AdmissionAction>>;
  /** Checks outside Pod Security with no entry in `checks`. */
  readonly others?: AdmissionAction;
  /**
   * Mutation. In a namespace entry, `false` refuses mutation even when the webhook configuration
   * sends the namespace's requests; `true` (here or in the default policy) makes `vigil admission
   * manifests --config` route the namespace (or every namespace) to the mutating webhook.
   */
  readonly mutate?: boolean;
}

export interface MutationSettings {
  readonly seccompProfile: boolean;
  readonly allowPrivilegeEscalation: boolean;
  readonly dropAllCapabilities: boolean;
  readonly runAsNonRoot: boolean;
  /** Globs of images known to run as a non-root user (runAsNonRoot is set for them even without runAsUser). */
  readonly nonRootImages: readonly string[];
}

export interface ExemptionSettings {
  /** Exempt kube-system, kube-public and kube-node-lease (default true). */
  readonly systemNamespaces: boolean;
  readonly namespaces: readonly string[];
  readonly usernames: readonly string[];
  readonly groups: readonly string[];
  /** `namespace/name` or `namespace/*`. */
  readonly serviceAccounts: readonly string[];
}

/** The admission section with defaults applied. */
export interface AdmissionSettings {
  readonly policy: PolicySettings;
  readonly namespaces: Readonly<Record<string, PolicySettings>>;
  readonly namespaceLabels: LabelMode;
  readonly exemptions: ExemptionSettings;
  readonly mutation: MutationSettings;
}

/** No configuration: deny what Pod Security baseline forbids, warn on what restricted forbids, audit the rest. */
export const DEFAULT_ADMISSION_SETTINGS: AdmissionSettings = {
  policy: {},
  namespaces: {},
  namespaceLabels: 'any',
  exemptions: { systemNamespaces: true, namespaces: [], usernames: [], groups: [], serviceAccounts: [] },
  mutation: { seccompProfile: true, allowPrivilegeEscalation: true, dropAllCapabilities: true, runAsNonRoot: true, nonRootImages: [] },
};

/** Defaults of the default policy. */
export const DEFAULT_ENFORCE: PssLevel = 'baseline';
export const DEFAULT_WARN: PssLevel = 'restricted';
export const DEFAULT_OTHERS: AdmissionAction = 'audit';

type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** Drop keys whose value is undefined (zod's optional fields), so that spreads keep defaults. */
function withoutUndefined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/** Apply defaults to a validated `admission:` section. */
export function admissionSettingsOf(section: z.infer<typeof admissionSectionSchema> | undefined): AdmissionSettings {
  if (section === undefined) return DEFAULT_ADMISSION_SETTINGS;
  const d = DEFAULT_ADMISSION_SETTINGS;
  return {
    policy: withoutUndefined(section.policy ?? {}),
    namespaces: Object.fromEntries(Object.entries(section.namespaces ?? {}).map(([k, v]) => [k, withoutUndefined(v)])),
    namespaceLabels: section.namespaceLabels ?? d.namespaceLabels,
    exemptions: {
      systemNamespaces: section.exemptions?.systemNamespaces ?? true,
      namespaces: section.exemptions?.namespaces ?? [],
      usernames: section.exemptions?.usernames ?? [],
      groups: section.exemptions?.groups ?? [],
      serviceAccounts: section.exemptions?.serviceAccounts ?? [],
    },
    mutation: { ...d.mutation, ...withoutUndefined(section.mutation ?? {}) },
  };
}
