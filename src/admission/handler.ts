import { activeChecks, CATALOG } from '../checks/catalog.js';
import type { Check } from '../checks/define-check.js';
import { ExceptionMatcher } from '../checks/exceptions.js';
import { evaluate, type ActiveCheck, type CheckError } from '../checks/run-checks.js';
import type { Finding } from '../core/finding.js';
import { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../k8s/types.js';
import { admissionChecks, kindFilter } from './admission-checks.js';
import { DEFAULT_ADMISSION_CONFIG, type AdmissionConfig } from './config.js';
import { Exemptions } from './exemptions.js';
import { annotationList, denialMessage, findingLine, truncate, warningsOf } from './messages.js';
import { ephemeralContainerNames, safeDefaults, type ContainerScope } from './mutate.js';
import { PolicyResolver, type LabelRoute, type ResolvedPolicy } from './policy.js';
import {
  errorReview,
  parseAdmissionReview,
  reviewOf,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewResponse,
} from './review.js';
import type { AdmissionAction } from './settings.js';
import { subjectOf } from './subject.js';

/** The two webhooks: `/validate` (deny, warn, audit) and `/mutate` (safe defaults). */
export type Webhook = 'validate' | 'mutate';

/** How a request ended, for metrics and the decision log. */
export type DecisionOutcome = 'allowed' | 'warned' | 'denied' | 'mutated' | 'skipped' | 'exempt' | 'invalid' | 'error';

/** One finding as the decision log and metrics see it (no values, only where). */
export interface DecidedFinding {
  readonly checkId: string;
  readonly action: AdmissionAction | 'suppressed';
  readonly path: string;
}

/** The answer to one request, with what happened for logging and metrics. */
export interface Decision {
  readonly webhook: Webhook;
  /** 200 for every request that was an AdmissionReview; 4xx for bodies that were not. */
  readonly httpStatus: number;
  readonly review: AdmissionReviewResponse;
  readonly outcome: DecisionOutcome;
  readonly dryRun: boolean;
  readonly request?: {
    readonly uid: string;
    readonly operation: string;
    readonly kind: string;
    readonly subResource: string;
    readonly namespace: string;
    readonly name: string;
    readonly user: string;
  };
  readonly findings: readonly DecidedFinding[];
  /** Why a request was skipped, exempt, invalid or failed. */
  readonly reason?: string;
  /** Fields the mutation set. */
  readonly patched?: readonly string[];
}

export interface AdmissionHandlerOptions {
  readonly config?: AdmissionConfig;
  /** The namespace the webhook runs in: always exempt, so it can restart itself. */
  readonly ownNamespace?: string;
  /** Today's date (YYYY-MM-DD, UTC) for exception expiry; default the clock. */
  readonly today?: () => string;
  /** The checks to choose from (default: the whole catalog). */
  readonly catalog?: ReadonlyMap<string, Check>;
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Answers AdmissionReview requests: the HTTP-free core of the webhook, used in-process by tests, the
 * HTTPS server and `vigil admission review`. Every input gets a well-formed AdmissionReview back;
 * nothing here throws to the caller.
 */
export class AdmissionHandler {
  readonly checks: readonly ActiveCheck[];
  readonly exemptions: Exemptions;
  readonly policies: PolicyResolver;
  private readonly config: AdmissionConfig;
  private readonly judges: (apiVersion: string, kind: string) => boolean;
  private readonly today: () => string;
  private exceptions: { day: string; matcher: ExceptionMatcher } | undefined;

  constructor(options: AdmissionHandlerOptions = {}) {
    this.config = options.config ?? DEFAULT_ADMISSION_CONFIG;
    const catalog = options.catalog ?? CATALOG;
    this.checks = admissionChecks(activeChecks(this.config.vigil, {}, catalog));
    this.judges = kindFilter(this.checks);
    this.exemptions = new Exemptions(this.config.admission.exemptions, options.ownNamespace);
    this.policies = new PolicyResolver(this.config.admission, this.checks, catalog, this.config.vigil.file);
    this.today = options.today ?? todayUtc;
  }

  /** `.vigil.yaml` exceptions (annotation exceptions are off: the deployer controls annotations), renewed daily for expiry. */
  private exceptionMatcher(): ExceptionMatcher | undefined {
    if (this.config.vigil.exceptions.length === 0) return undefined;
    const day = this.today();
    if (this.exceptions?.day !== day) {
      this.exceptions = { day, matcher: new ExceptionMatcher(this.config.vigil, { annotations: false, today: day }) };
    }
    return this.exceptions.matcher;
  }

  /** Handle a raw request body. `contentType` is the request's header, when known. */
  handleBody(webhook: Webhook, label: LabelRoute, body: Buffer | string, contentType?: string): Decision {
    if (contentType !== undefined && !/^application\/json\s*(;|$)/i.test(contentType.trim())) {
      return invalid(
        webhook,
        415,
        errorReview('', 415, 'UnsupportedMediaType', `expected Content-Type application/json, got "${truncate(contentType, 80)}"`),
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    } catch {
      return invalid(webhook, 400, errorReview('', 400, 'BadRequest', 'the request body is not valid JSON'));
    }
    return this.handleValue(webhook, label, value);
  }

  /** Handle a parsed request body. */
  handleValue(webhook: Webhook, label: LabelRoute, value: unknown): Decision {
    const parsed = parseAdmissionReview(value);
    if (!parsed.ok) return invalid(webhook, 400, errorReview(parsed.uid, 400, 'BadRequest', parsed.message));
    const request = parsed.request;
    try {
      return webhook === 'validate' ? this.validate(request, label) : this.mutate(request);
    } catch (err: unknown) {
      // A bug (or an input deep enough to exhaust the stack). Validation fails closed, as its
      // failurePolicy does; mutation lets the object through unchanged and says so.
      const reason = `internal error: ${describeError(err)}`;
      const response: AdmissionResponse =
        webhook === 'validate'
          ? {
              uid: request.uid,
              allowed: false,
              status: {
                status: 'Failure',
                code: 500,
                reason: 'InternalError',
                message: 'Vigil could not judge this request (an internal error)',
              },
            }
          : {
              uid: request.uid,
              allowed: true,
              warnings: ['Vigil could not compute safe defaults (an internal error); the object is unchanged'],
            };
      return { ...base(webhook, request), httpStatus: 200, review: reviewOf(response), outcome: 'error', findings: [], reason };
    }
  }

  private validate(request: AdmissionRequest, label: LabelRoute): Decision {
    const subject = subjectOf(request, this.judges);
    if (subject.kind === 'bad') return { ...rejectBad(request, subject.message), ...base('validate', request) };
    if (subject.kind === 'skip') return allowed('validate', request, 'skipped', subject.reason);
    const exempt = this.exemptions.exemptionOf(request);
    if (exempt !== undefined) return allowed('validate', request, 'exempt', exempt, { exempt });
    const policy = this.policies.resolve(request.namespace, label);
    const result = this.evaluate(subject.object, request.namespace);
    return decideValidation(request, subject.display, policy, result.findings, result.errors);
  }

  private evaluate(object: KubeObject, namespace: string): { findings: Finding[]; errors: CheckError[] } {
    const inventory = new Inventory({ defaultNamespace: namespace === '' ? 'default' : namespace });
    inventory.add({ object });
    const exceptions = this.exceptionMatcher();
    const result = evaluate(inventory, this.checks, exceptions === undefined ? {} : { exceptions });
    return { findings: result.findings, errors: result.errors };
  }

  private mutate(request: AdmissionRequest): Decision {
    const subject = subjectOf(request, this.judges);
    if (subject.kind === 'bad') return { ...rejectBad(request, subject.message), ...base('mutate', request) };
    if (subject.kind === 'skip') return allowed('mutate', request, 'skipped', subject.reason);
    const isPod = subject.object.kind === 'Pod' && subject.object.apiVersion === 'v1';
    let scope: ContainerScope = { kind: 'all' };
    if (request.operation === 'UPDATE' && isPod) {
      // A pod's containers cannot change in place: only ephemeral containers being added may get defaults.
      if (request.subResource !== 'ephemeralcontainers')
        return allowed('mutate', request, 'skipped', 'pod containers cannot change in place');
      scope = { kind: 'new-ephemeral', existing: ephemeralContainerNames(subject.oldObject) };
    }
    const exempt = this.exemptions.exemptionOf(request);
    if (exempt !== undefined) return allowed('mutate', request, 'exempt', exempt, { exempt });
    const policy = this.policies.resolve(request.namespace, { kind: 'none' });
    if (policy.mutate === false)
      return allowed('mutate', request, 'skipped', 'the namespace entry of the configuration sets mutate: false');
    const defaults = safeDefaults(subject.object, this.config.admission.mutation, scope);
    const annotations: Record<string, string> = {};
    if (defaults.skipped.length > 0) annotations['mutation-skipped'] = truncate(defaults.skipped.join('; '), 1024);
    if (defaults.patch.length === 0) {
      return allowed('mutate', request, 'allowed', 'nothing to set', annotations);
    }
    const changes = defaults.applied.map((a) => `${a.path}=${a.value}`);
    annotations['mutated'] = truncate(changes.join(', '), 1024);
    const response: AdmissionResponse = {
      uid: request.uid,
      allowed: true,
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(defaults.patch)).toString('base64'),
      auditAnnotations: annotations,
      warnings: warningsOf(changeWarnings(subject.display, changes)),
    };
    return {
      ...base('mutate', request),
      httpStatus: 200,
      review: reviewOf(response),
      outcome: 'mutated',
      findings: [],
      patched: defaults.applied.map((a) => a.path),
    };
  }
}

/** `Vigil set safe defaults on Pod shop/web: a=b, c=d`, split into warnings that fit. */
function changeWarnings(display: string, changes: readonly string[]): string[] {
  const head = `Vigil set safe defaults on ${display}: `;
  const out: string[] = [];
  let current = head;
  for (const change of changes) {
    const next = current === head ? `${current}${change}` : `${current}, ${change}`;
    if (next.length > 250 && current !== head) {
      out.push(current);
      current = `${head}${change}`;
    } else current = next;
  }
  out.push(current);
  return out;
}

function base(webhook: Webhook, request: AdmissionRequest): Pick<Decision, 'webhook' | 'dryRun' | 'request'> {
  return {
    webhook,
    dryRun: request.dryRun,
    request: {
      uid: request.uid,
      operation: request.operation,
      kind: request.kind.kind,
      subResource: request.subResource,
      namespace: request.namespace,
      name: request.name,
      user: request.userInfo.username,
    },
  };
}

function invalid(webhook: Webhook, status: number, review: AdmissionReviewResponse): Decision {
  return {
    webhook,
    httpStatus: status,
    review,
    outcome: 'invalid',
    dryRun: false,
    findings: [],
    reason: review.response.status?.message ?? '',
  };
}

function rejectBad(
  request: AdmissionRequest,
  message: string,
): Pick<Decision, 'httpStatus' | 'review' | 'outcome' | 'findings' | 'reason'> {
  return {
    httpStatus: 200,
    review: errorReview(request.uid, 400, 'BadRequest', message),
    outcome: 'invalid',
    findings: [],
    reason: message,
  };
}

function allowed(
  webhook: Webhook,
  request: AdmissionRequest,
  outcome: 'allowed' | 'skipped' | 'exempt',
  reason: string,
  auditAnnotations: Readonly<Record<string, string>> = {},
): Decision {
  const response: AdmissionResponse = {
    uid: request.uid,
    allowed: true,
    ...(Object.keys(auditAnnotations).length === 0 ? {} : { auditAnnotations }),
  };
  return { ...base(webhook, request), httpStatus: 200, review: reviewOf(response), outcome, findings: [], reason };
}

/**
 * The validating decision: deny when a finding's action is `deny` (or a check the namespace
 * enforces failed on the object), warn for `warn` findings, and record everything in audit
 * annotations. A finding waived by a `.vigil.yaml` exception is only recorded as suppressed.
 */
function decideValidation(
  request: AdmissionRequest,
  display: string,
  policy: ResolvedPolicy,
  findings: readonly Finding[],
  errors: readonly CheckError[],
): Decision {
  const by: Record<AdmissionAction | 'suppressed', Finding[]> = { deny: [], warn: [], audit: [], off: [], suppressed: [] };
  const decided: DecidedFinding[] = [];
  for (const finding of findings) {
    const action = finding.suppression === undefined ? policy.actionOf(finding.checkId) : 'suppressed';
    by[action].push(finding);
    if (action !== 'off') decided.push({ checkId: finding.checkId, action, path: finding.location.path });
  }
  const failedDeny: string[] = [];
  const failedWarn: string[] = [];
  for (const error of errors) {
    const action = policy.actionOf(error.checkId);
    const text = `[${error.checkId}] the check failed on this object (a bug in Vigil, please report it)`;
    if (action === 'deny') failedDeny.push(`${text}; refused because this namespace enforces it`);
    else if (action === 'warn') failedWarn.push(text);
  }
  const annotations: Record<string, string> = {};
  if (by.deny.length + by.warn.length + by.audit.length + by.suppressed.length + errors.length > 0 || policy.notices.length > 0) {
    annotations['policy'] = policy.description + (policy.configEntry === undefined ? '' : `, namespace entry "${policy.configEntry}"`);
  }
  if (by.deny.length > 0) annotations['denied'] = annotationList(by.deny);
  if (by.warn.length > 0) annotations['warned'] = annotationList(by.warn);
  if (by.audit.length > 0) annotations['audited'] = annotationList(by.audit);
  if (by.suppressed.length > 0) annotations['suppressed'] = annotationList(by.suppressed);
  if (errors.length > 0) annotations['check-errors'] = truncate([...new Set(errors.map((e) => e.checkId))].join(', '), 1024);

  const warnings = warningsOf([...policy.notices, ...failedWarn, ...by.warn.map(findingLine)]);
  const denied = by.deny.length > 0 || failedDeny.length > 0;
  const response: AdmissionResponse = {
    uid: request.uid,
    allowed: !denied,
    ...(denied
      ? {
          status: {
            status: 'Failure',
            code: 403,
            reason: 'Forbidden',
            message: denialMessage(display, policy.description, by.deny, failedDeny),
          },
        }
      : {}),
    ...(Object.keys(annotations).length === 0 ? {} : { auditAnnotations: annotations }),
    ...(warnings.length === 0 ? {} : { warnings }),
  };
  return {
    ...base('validate', request),
    httpStatus: 200,
    review: reviewOf(response),
    outcome: denied ? 'denied' : warnings.length > 0 ? 'warned' : 'allowed',
    findings: decided,
  };
}
