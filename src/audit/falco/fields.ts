import type { JsonRecord } from '../../k8s/guards.js';
import { asString, path, pointer, stringsOrWrongType, stringsSkippingMissing, walk, WRONG_TYPE, type WrongType } from './json-walk.js';

/**
 * What a field gives for one event: a string, a list of strings (list fields), nothing (the field is
 * not available: every comparison on it is false), or WRONG_TYPE (the plugin fails the extraction:
 * the rule does not match, and the failure is counted).
 */
export type Extracted = string | readonly string[] | undefined | WrongType;

/** The event as the Falco field extractors see it. */
export interface FalcoEventView {
  /** The audit event as parsed (secret values already redacted). */
  readonly raw: JsonRecord;
  /** `stageTimestamp` in nanoseconds since the epoch (the event time Falco gives the event). */
  readonly rawtime: string;
  /** Cluster name (`--cluster`), for `ka.cluster.name`. */
  readonly cluster: string | undefined;
}

/** How a field takes an argument: none, an optional index (`[0]`), or a required key (`[command]`). */
export type ArgKind = 'none' | 'index' | 'key';

/** The request or response body a field reads, which decides the audit level a rule needs. */
export type BodyRead = 'metadata' | 'request' | 'response';

export interface FieldSpec {
  readonly name: string;
  readonly list: boolean;
  readonly arg: ArgKind;
  readonly description: string;
  readonly reads: BodyRead;
  /** `key` is the argument of key fields; `index` the argument of index fields. */
  readonly extract: (view: FalcoEventView, key: string | undefined, index: number | undefined) => Extracted;
}

type RawExtract = (raw: JsonRecord, key: string | undefined, index: number | undefined) => Extracted;

// The k8saudit plugin answers nothing for JSON without an auditID (ExtractFromJSON).
function ka(name: string, list: boolean, description: string, reads: BodyRead, fn: RawExtract, arg: ArgKind = 'none'): FieldSpec {
  return {
    name,
    list,
    arg,
    description,
    reads,
    extract: (view, key, index) => (view.raw.auditID === undefined ? undefined : fn(view.raw, key, index)),
  };
}

/** The plugin's `extractFromKeys`: the value at a path; for list fields, the strings of an array. */
function fromKeys(keys: readonly string[], list = false): RawExtract {
  return (raw) => {
    const v = path(raw, keys);
    if (v === undefined) return undefined;
    if (!list) return asString(v);
    if (!Array.isArray(v)) return WRONG_TYPE;
    return (v as unknown[]).map(asString);
  };
}

/** A walked path whose missing values are skipped (`arrayAsStringsSkipNil`). */
function walked(keys: readonly string[]): RawExtract {
  return (raw, _key, index) => {
    const found = walk(raw, index, keys);
    return found === undefined ? undefined : stringsSkippingMissing(found);
  };
}

/** The plugin's `extractRulesField`: values of `requestObject.rules[*].<key>` arrays, flattened. */
function ruleField(key: string): RawExtract {
  return (raw, _k, index) => {
    const found = walk(raw, index, ['requestObject', 'rules', key]);
    if (found === undefined) return undefined;
    const out: string[] = [];
    for (const v of found) if (Array.isArray(v)) out.push(...stringsSkippingMissing(v as unknown[]));
    return out;
  };
}

/** `image` without tag or digest, cut as the plugin cuts it: before the first `:`, then before `@`. */
export function repositoryOf(image: string): string {
  return (image.split(':')[0] as string).split('@')[0] as string;
}

function images(group: string, index: number | undefined, raw: JsonRecord): string[] | WrongType | undefined {
  const found = walk(raw, index, ['requestObject', 'spec', group, 'image']);
  return found === undefined ? undefined : stringsOrWrongType(found);
}

function hostPorts(group: string): RawExtract {
  return (raw, _key, index) => {
    const found = walk(raw, index, ['requestObject', 'spec', group, 'ports']);
    if (found === undefined) return undefined;
    const out: string[] = [];
    for (const ports of found) {
      if (ports === undefined) continue;
      if (!Array.isArray(ports)) return WRONG_TYPE;
      for (const port of ports as unknown[]) {
        const host = path(port, ['hostPort']);
        // Without hostPort, containerPort: with hostNetwork it is the port opened on the node.
        const chosen = host ?? path(port, ['containerPort']);
        if (chosen !== undefined) out.push(asString(chosen));
      }
    }
    return out;
  };
}

/**
 * The uid/gid a container starts with: its own securityContext value, else the pod's, else 0.
 * (The plugin source read at the pinned revision looks for `spec.runAsUser` and
 * `containers[].runAsUser`, which Kubernetes does not define, so it always answers 0; Vigil reads
 * the securityContext fields the description promises.)
 */
function effective(group: string, key: 'runAsUser' | 'runAsGroup'): RawExtract {
  return (raw, _k, index) => {
    const podValue = path(raw, ['requestObject', 'spec', 'securityContext', key]);
    const fallback = podValue === undefined ? '0' : asString(podValue);
    const found = walk(raw, index, ['requestObject', 'spec', group]);
    if (found === undefined) return undefined;
    return found.map((c) => {
      const own = path(c, ['securityContext', key]);
      return own === undefined ? fallback : asString(own);
    });
  };
}

/** The fields every container list of a pod has (`containers`, `initContainers`, `ephemeralContainers`). */
function containerFields(group: 'containers' | 'initContainers' | 'ephemeralContainers', who: string): FieldSpec[] {
  const base = `ka.req.pod.${group}`;
  const sc = (name: string, keys: string[], what: string): FieldSpec =>
    ka(
      `${base}.${name}`,
      true,
      `${what} of ${who}`,
      'request',
      walked(['requestObject', 'spec', group, 'securityContext', ...keys]),
      'index',
    );
  return [
    ka(`${base}.image`, true, `images of ${who}`, 'request', (raw, _k, index) => images(group, index, raw), 'index'),
    ka(
      `${base}.image.repository`,
      true,
      `image repositories (no tag or digest) of ${who}`,
      'request',
      (raw, _k, index) => {
        const list = images(group, index, raw);
        return list === undefined || list === WRONG_TYPE ? list : list.map(repositoryOf);
      },
      'index',
    ),
    ka(`${base}.name`, true, `names of ${who}`, 'request', walked(['requestObject', 'spec', group, 'name']), 'index'),
    ka(
      `${base}.command`,
      true,
      `commands of ${who} (one JSON array each)`,
      'request',
      walked(['requestObject', 'spec', group, 'command']),
      'index',
    ),
    ka(`${base}.args`, true, `args of ${who} (one JSON array each)`, 'request', walked(['requestObject', 'spec', group, 'args']), 'index'),
    sc('privileged', ['privileged'], 'securityContext.privileged'),
    sc('allow_privilege_escalation', ['allowPrivilegeEscalation'], 'securityContext.allowPrivilegeEscalation'),
    sc('read_only_fs', ['readOnlyRootFilesystem'], 'securityContext.readOnlyRootFilesystem'),
    sc('run_as_user', ['runAsUser'], 'securityContext.runAsUser'),
    sc('run_as_group', ['runAsGroup'], 'securityContext.runAsGroup'),
    sc('proc_mount', ['procMount'], 'securityContext.procMount'),
    sc('add_capabilities', ['capabilities', 'add'], 'securityContext.capabilities.add (one JSON array each)'),
    ka(`${base}.eff_run_as_user`, true, `uid ${who} start with (own, else pod, else 0)`, 'request', effective(group, 'runAsUser'), 'index'),
    ka(
      `${base}.eff_run_as_group`,
      true,
      `gid ${who} start with (own, else pod, else 0)`,
      'request',
      effective(group, 'runAsGroup'),
      'index',
    ),
    ka(`${base}.host_port`, true, `hostPort (else containerPort) of ${who}`, 'request', hostPorts(group), 'index'),
  ];
}

/** The query parameter `key` of the request URI, parsed as Go's url.ParseQuery (first value; a bad escape or `;` fails). */
function uriParam(raw: JsonRecord, key: string | undefined): Extracted {
  const uri = raw.requestURI;
  if (uri === undefined) return undefined;
  const text = asString(uri);
  const q = text.indexOf('?');
  if (q === -1) return undefined;
  const hash = text.indexOf('#', q);
  const query = text.slice(q + 1, hash === -1 ? undefined : hash);
  let first: string | undefined;
  for (const part of query.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) return WRONG_TYPE;
    const eq = part.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq === -1 ? part : part.slice(0, eq)).replaceAll('+', ' '));
      value = eq === -1 ? '' : decodeURIComponent(part.slice(eq + 1).replaceAll('+', ' '));
    } catch {
      return WRONG_TYPE;
    }
    if (name === key && first === undefined) first = value;
  }
  return first;
}

function subjectNames(kind: string, withNamespace = false): RawExtract {
  return (raw) => {
    const subjects = path(raw, ['requestObject', 'subjects']);
    if (subjects === undefined) return undefined;
    if (!Array.isArray(subjects)) return WRONG_TYPE;
    const out: string[] = [];
    for (const s of subjects as unknown[]) {
      if (path(s, ['kind']) !== kind) continue;
      const name = path(s, ['name']);
      if (name === undefined) continue;
      if (!withNamespace) out.push(asString(name));
      else {
        const ns = path(s, ['namespace']);
        out.push(`${ns === undefined ? '' : asString(ns)}:${asString(name)}`);
      }
    }
    return out;
  };
}

const annotation = (key: string): RawExtract => fromKeys(['annotations', key]);

const K8SAUDIT_FIELDS: FieldSpec[] = [
  ka('ka.auditid', false, 'the unique id of the audit event', 'metadata', fromKeys(['auditID'])),
  ka(
    'ka.stage',
    false,
    'stage of the request (RequestReceived, ResponseStarted, ResponseComplete, Panic)',
    'metadata',
    fromKeys(['stage']),
  ),
  ka(
    'ka.auth.decision',
    false,
    'the authorization decision (annotation authorization.k8s.io/decision)',
    'metadata',
    annotation('authorization.k8s.io/decision'),
  ),
  ka(
    'ka.auth.reason',
    false,
    'the authorization reason (annotation authorization.k8s.io/reason)',
    'metadata',
    annotation('authorization.k8s.io/reason'),
  ),
  ka(
    'ka.validations.admission.policy.failure',
    false,
    'ValidatingAdmissionPolicy failure (annotation validation.policy.admission.k8s.io/validation_failure)',
    'metadata',
    annotation('validation.policy.admission.k8s.io/validation_failure'),
  ),
  ka(
    'ka.security.pod.violations',
    false,
    'Pod Security violations (annotation pod-security.kubernetes.io/audit-violations)',
    'metadata',
    annotation('pod-security.kubernetes.io/audit-violations'),
  ),
  ka('ka.user.name', false, 'the user name performing the request', 'metadata', fromKeys(['user', 'username'])),
  ka('ka.user.groups', true, 'the groups of the user performing the request', 'metadata', fromKeys(['user', 'groups'], true)),
  ka('ka.impuser.name', false, 'the impersonated user name', 'metadata', fromKeys(['impersonatedUser', 'username'])),
  ka('ka.verb', false, 'the action being performed', 'metadata', fromKeys(['verb'])),
  ka('ka.uri', false, 'the request URI as sent from client to server', 'metadata', fromKeys(['requestURI'])),
  ka('ka.uri.param', false, 'the value of a query parameter of the URI (ka.uri.param[command])', 'metadata', uriParam, 'key'),
  ka('ka.target.name', false, 'the target object name', 'metadata', fromKeys(['objectRef', 'name'])),
  ka('ka.target.namespace', false, 'the target object namespace', 'metadata', fromKeys(['objectRef', 'namespace'])),
  ka('ka.target.resource', false, 'the target object resource', 'metadata', fromKeys(['objectRef', 'resource'])),
  ka('ka.target.subresource', false, 'the target object subresource', 'metadata', fromKeys(['objectRef', 'subresource'])),
  ka('ka.target.pod.name', false, 'the target pod name (objectRef.name when the resource is pods)', 'metadata', (raw) =>
    path(raw, ['objectRef', 'resource']) === 'pods' ? fromKeys(['objectRef', 'name'])(raw, undefined, undefined) : undefined,
  ),
  ka(
    'ka.req.binding.subjects',
    true,
    'subjects of a (Cluster)RoleBinding (one JSON object each)',
    'request',
    fromKeys(['requestObject', 'subjects'], true),
  ),
  ka('ka.req.binding.subjects.user_names', true, 'User subjects of a binding', 'request', subjectNames('User')),
  ka(
    'ka.req.binding.subjects.serviceaccount_names',
    true,
    'ServiceAccount subjects of a binding',
    'request',
    subjectNames('ServiceAccount'),
  ),
  ka(
    'ka.req.binding.subjects.serviceaccount_ns_names',
    true,
    'ServiceAccount subjects of a binding as namespace:name',
    'request',
    subjectNames('ServiceAccount', true),
  ),
  ka('ka.req.binding.subjects.group_names', true, 'Group subjects of a binding', 'request', subjectNames('Group')),
  ka(
    'ka.req.binding.role',
    false,
    'the role a binding refers to (roleRef.name)',
    'request',
    fromKeys(['requestObject', 'roleRef', 'name']),
  ),
  // Deprecated upstream: the plugin answers "true" whatever the argument.
  ka('ka.req.binding.subject.has_name', false, 'deprecated; always "true"', 'request', () => 'true', 'key'),
  ka('ka.req.configmap.name', false, 'the ConfigMap name (objectRef.name)', 'metadata', fromKeys(['objectRef', 'name'])),
  ka('ka.req.configmap.obj', false, 'the ConfigMap data as JSON', 'request', fromKeys(['requestObject', 'data'])),
  ...containerFields('containers', 'the containers'),
  ...containerFields('initContainers', 'the init containers'),
  ...containerFields('ephemeralContainers', 'the ephemeral containers'),
  ka('ka.req.container.image', false, 'deprecated: image of the first container', 'request', (raw) => {
    const list = images('containers', 0, raw);
    return list === undefined || list === WRONG_TYPE ? list : list[0];
  }),
  ka('ka.req.container.image.repository', false, 'deprecated: image repository of the first container', 'request', (raw) => {
    const list = images('containers', 0, raw);
    return list === undefined || list === WRONG_TYPE ? list : repositoryOf(list[0] as string);
  }),
  ka('ka.req.container.privileged', false, 'deprecated: "true" when any container is privileged', 'request', (raw) => {
    const found = walk(raw, undefined, ['requestObject', 'spec', 'containers', 'securityContext', 'privileged']);
    if (found === undefined) return undefined;
    return found.includes(true) ? 'true' : 'false';
  }),
  ka('ka.req.pod.host_ipc', false, 'spec.hostIPC of a pod', 'request', fromKeys(['requestObject', 'spec', 'hostIPC'])),
  ka('ka.req.pod.host_network', false, 'spec.hostNetwork of a pod', 'request', fromKeys(['requestObject', 'spec', 'hostNetwork'])),
  ka(
    'ka.req.container.host_network',
    false,
    'deprecated alias of ka.req.pod.host_network',
    'request',
    fromKeys(['requestObject', 'spec', 'hostNetwork']),
  ),
  ka('ka.req.pod.host_pid', false, 'spec.hostPID of a pod', 'request', fromKeys(['requestObject', 'spec', 'hostPID'])),
  ka(
    'ka.req.pod.run_as_user',
    false,
    'spec.securityContext.runAsUser of a pod',
    'request',
    fromKeys(['requestObject', 'spec', 'securityContext', 'runAsUser']),
  ),
  ka(
    'ka.req.pod.run_as_group',
    false,
    'spec.securityContext.runAsGroup of a pod',
    'request',
    fromKeys(['requestObject', 'spec', 'securityContext', 'runAsGroup']),
  ),
  ka(
    'ka.req.pod.fs_group',
    false,
    'spec.securityContext.fsGroup of a pod',
    'request',
    fromKeys(['requestObject', 'spec', 'securityContext', 'fsGroup']),
  ),
  ka(
    'ka.req.pod.supplemental_groups',
    true,
    'spec.securityContext.supplementalGroups of a pod',
    'request',
    fromKeys(['requestObject', 'spec', 'securityContext', 'supplementalGroups'], true),
  ),
  ka('ka.req.role.rules', true, 'rules of a (Cluster)Role (one JSON object each)', 'request', fromKeys(['requestObject', 'rules'], true)),
  ka('ka.req.role.rules.apiGroups', true, 'apiGroups of the rules of a role', 'request', ruleField('apiGroups'), 'index'),
  ka('ka.req.role.rules.nonResourceURLs', true, 'nonResourceURLs of the rules of a role', 'request', ruleField('nonResourceURLs'), 'index'),
  ka('ka.req.role.rules.verbs', true, 'verbs of the rules of a role', 'request', ruleField('verbs'), 'index'),
  ka('ka.req.role.rules.resources', true, 'resources of the rules of a role', 'request', ruleField('resources'), 'index'),
  ka('ka.req.service.type', false, 'spec.type of a Service', 'request', fromKeys(['requestObject', 'spec', 'type'])),
  // The walk ends on the ports array itself, so the list holds one value: the whole array as JSON.
  ka(
    'ka.req.service.ports',
    true,
    'spec.ports of a Service, as one JSON array',
    'request',
    walked(['requestObject', 'spec', 'ports']),
    'index',
  ),
  ka(
    'ka.req.pod.volumes.hostpath',
    true,
    'hostPath paths of a pod volumes',
    'request',
    walked(['requestObject', 'spec', 'volumes', 'hostPath', 'path']),
    'index',
  ),
  ka(
    'ka.req.volume.hostpath',
    false,
    'deprecated: "true" when the first volume uses this host path (a trailing * matches a prefix)',
    'request',
    (raw, key) => {
      // The plugin passes the argument index to the walk, and a key argument's index is 0: only the
      // first volume is looked at. Reproduced as upstream behaves.
      const found = walk(raw, 0, ['requestObject', 'spec', 'volumes', 'hostPath', 'path']);
      if (found === undefined) return undefined;
      const arg = key ?? '';
      const prefix = arg.endsWith('*');
      const stem = arg.slice(0, -1);
      for (const v of stringsSkippingMissing(found)) if ((prefix && v.startsWith(stem)) || arg === v) return 'true';
      return 'false';
    },
    'key',
  ),
  ka(
    'ka.req.pod.volumes.flexvolume_driver',
    true,
    'flexVolume drivers of a pod volumes',
    'request',
    walked(['requestObject', 'spec', 'volumes', 'flexVolume', 'driver']),
    'index',
  ),
  ka(
    'ka.req.pod.volumes.volume_type',
    true,
    'volume types (the keys of each volume other than name)',
    'request',
    (raw, _k, index) => {
      const found = walk(raw, index, ['requestObject', 'spec', 'volumes', '']);
      if (found === undefined) return undefined;
      const out: string[] = [];
      for (const v of found)
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const k of Object.keys(v)) if (k !== 'name') out.push(k);
      return out;
    },
    'index',
  ),
  ka('ka.resp.name', false, 'the response object name', 'response', fromKeys(['responseObject', 'metadata', 'name'])),
  ka('ka.response.code', false, 'the response code', 'metadata', fromKeys(['responseStatus', 'code'])),
  ka(
    'ka.response.reason',
    false,
    'the response reason (usually present only for failures)',
    'metadata',
    fromKeys(['responseStatus', 'reason']),
  ),
  ka('ka.useragent', false, 'the user agent of the client', 'metadata', fromKeys(['userAgent'])),
  // The plugin source read at the pinned revision looks under requestObject.rules (a copy-paste slip,
  // which makes the field always empty); Vigil gives the event's sourceIPs, as documented upstream.
  ka(
    'ka.sourceips',
    true,
    'the IP addresses of the client',
    'metadata',
    (raw, _k, index) => {
      const ips = fromKeys(['sourceIPs'], true)(raw, undefined, undefined);
      if (index === undefined || ips === undefined || ips === WRONG_TYPE || typeof ips === 'string') return ips;
      return index < ips.length ? [ips[index] as string] : undefined;
    },
    'index',
  ),
];

function jsonFields(prefix: 'json' | 'jevt'): FieldSpec[] {
  return [
    {
      name: `${prefix}.value`,
      list: false,
      arg: 'key',
      description: 'the value at a JSON pointer (RFC 6901): jevt.value[/objectRef/resource]',
      reads: 'metadata',
      extract: (view, key) => {
        const v = pointer(view.raw, key ?? '');
        return v === undefined ? undefined : asString(v);
      },
    },
    {
      name: `${prefix}.obj`,
      list: false,
      arg: 'none',
      description: 'the whole event as indented JSON',
      reads: 'metadata',
      extract: (view) => JSON.stringify(view.raw, null, 2),
    },
    {
      name: `${prefix}.rawtime`,
      list: false,
      arg: 'none',
      description: 'the event time in nanoseconds since the epoch (stageTimestamp)',
      reads: 'metadata',
      extract: (view) => view.rawtime,
    },
  ];
}

function clockTime(rawtime: string): string {
  const ns = BigInt(rawtime);
  const seconds = Number(ns / 1_000_000_000n);
  const nanos = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(seconds * 1000).toISOString().slice(11, 19)}.${nanos}`;
}

const EVENT_FIELDS: FieldSpec[] = [
  { name: 'evt.rawtime', list: false, arg: 'none', description: 'event time in nanoseconds', reads: 'metadata', extract: (v) => v.rawtime },
  {
    name: 'evt.time',
    list: false,
    arg: 'none',
    description: 'event time as hh:mm:ss.nnnnnnnnn (UTC)',
    reads: 'metadata',
    extract: (v) => clockTime(v.rawtime),
  },
  {
    name: 'evt.source',
    list: false,
    arg: 'none',
    description: 'the event source (k8s_audit)',
    reads: 'metadata',
    extract: () => 'k8s_audit',
  },
  {
    name: 'ka.cluster.name',
    list: false,
    arg: 'none',
    description: 'the cluster name (--cluster)',
    reads: 'metadata',
    extract: (v) => (v.raw.auditID === undefined ? undefined : v.cluster),
  },
];

/** Every field a k8s_audit rule can use, by name: the k8saudit plugin's, the json plugin's, a few evt.* ones. */
export const FALCO_FIELDS: ReadonlyMap<string, FieldSpec> = new Map(
  [...K8SAUDIT_FIELDS, ...jsonFields('jevt'), ...jsonFields('json'), ...EVENT_FIELDS].map((f) => [f.name, f]),
);

/** Field names longest first, for output templates (`%ka.target.name/%ka.target.resource`). */
export const FIELD_NAMES_LONGEST_FIRST: readonly string[] = [...FALCO_FIELDS.keys()].sort((a, b) => b.length - a.length);
