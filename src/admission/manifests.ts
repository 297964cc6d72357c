import { stringify } from 'yaml';

import { PSS_LEVELS } from '../analysis/pss/levels.js';
import { VIGIL_VERSION } from '../core/version.js';
import { INVALID_LABEL_ROUTE, MUTATE_PATH, VALIDATE_PATH } from './server.js';
import { DEFAULT_ADMISSION_SETTINGS, ENFORCE_LABEL, MUTATE_LABEL, SYSTEM_NAMESPACES, type AdmissionSettings } from './settings.js';
import { createServingCertificate } from './x509.js';

export type FailurePolicy = 'Fail' | 'Ignore';

export interface ManifestOptions {
  /** Namespace the webhook runs in (default `vigil`); always exempt from its own webhooks. */
  readonly namespace?: string;
  /** Name of the Deployment, Service, Secret and webhook configurations (default `vigil-admission`). */
  readonly name?: string;
  readonly image?: string;
  readonly replicas?: number;
  /** failurePolicy of the validating webhooks (default Fail; the mutating one is always Ignore). */
  readonly failurePolicy?: FailurePolicy;
  /** timeoutSeconds of every webhook (default 3). */
  readonly timeoutSeconds?: number;
  /** Use cert-manager (Issuer + Certificate, `cert-manager.io/inject-ca-from`) instead of a generated CA. */
  readonly certManager?: boolean;
  /** Validity of the generated certificates, in days (default 730). */
  readonly certDays?: number;
  /** The configuration file to ship in a ConfigMap (its text), and its parsed admission settings. */
  readonly config?: { readonly text: string; readonly settings: AdmissionSettings };
  /** More namespaces to leave out of every webhook. */
  readonly exemptNamespaces?: readonly string[];
  /** Emit matchConditions (Kubernetes 1.28+; default true). */
  readonly matchConditions?: boolean;
  /** Emit the MutatingWebhookConfiguration (default true; it only selects namespaces that opt in). */
  readonly mutating?: boolean;
}

export interface GeneratedManifests {
  /** Multi-document YAML with comments, ready for `kubectl apply -f -`. */
  readonly text: string;
  readonly objects: readonly Record<string, unknown>[];
  /** When the generated serving certificate expires (self-signed mode). */
  readonly certificateExpires?: Date;
}

/** Every namespaced kind an admission-capable check judges, except Secrets (the webhook would receive their values). */
const VALIDATE_RULES = [
  // ConfigMaps: secrets/credential-in-configmap (credentials belong in Secrets, which are never sent).
  { apiGroups: [''], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates', 'services', 'configmaps'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] },
  { apiGroups: ['argoproj.io'], resources: ['rollouts'], apiVersions: ['v1alpha1'] },
];

/** The kinds with a pod template: what mutation sets defaults in. */
const MUTATE_RULES = [
  { apiGroups: [''], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers', 'podtemplates'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['argoproj.io'], resources: ['rollouts'], apiVersions: ['v1alpha1'] },
];

function rules(list: typeof VALIDATE_RULES): Record<string, unknown>[] {
  // Namespaced only: namespaceSelector does not apply to cluster-scoped objects, which would reach every webhook.
  return list.map((r) => ({
    apiGroups: r.apiGroups,
    apiVersions: r.apiVersions ?? ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources: r.resources,
    scope: 'Namespaced',
  }));
}

function celList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(', ')}]`;
}

function document(comment: string, object: Record<string, unknown>): string {
  const lines = comment === '' ? '' : `${comment.replace(/^/gm, '# ')}\n`;
  // No YAML anchors for objects used twice (labels): plain YAML every tool reads.
  return `${lines}${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/**
 * The objects that run the webhook in a cluster: its Service, Deployment (restricted, two replicas,
 * a disruption budget, no API access), a NetworkPolicy, the TLS material, and the validating and
 * mutating webhook configurations with selectors that leave system namespaces and the webhook's own
 * namespace alone. Each choice is explained in comments in the output.
 */
export function admissionManifests(options: ManifestOptions = {}): GeneratedManifests {
  const namespace = options.namespace ?? 'vigil';
  const name = options.name ?? 'vigil-admission';
  const image = options.image ?? `ghcr.io/vigil-dev/vigil:${VIGIL_VERSION}`;
  const replicas = options.replicas ?? 2;
  const failurePolicy = options.failurePolicy ?? 'Fail';
  const timeoutSeconds = options.timeoutSeconds ?? 3;
  const settings = options.config?.settings ?? DEFAULT_ADMISSION_SETTINGS;
  const useMatchConditions = options.matchConditions ?? true;
  const tlsSecret = `${name}-tls`;
  const labels = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'vigil',
    'app.kubernetes.io/component': 'admission-webhook',
  };
  const selectorLabels = { 'app.kubernetes.io/name': name };
  const exempt = [
    ...new Set([
      ...(settings.exemptions.systemNamespaces ? SYSTEM_NAMESPACES : []),
      ...settings.exemptions.namespaces,
      ...(options.exemptNamespaces ?? []),
      namespace,
    ]),
  ].sort();
  const hosts = [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];

  const docs: { comment: string; object: Record<string, unknown> }[] = [];
  const add = (comment: string, object: Record<string, unknown>): void => {
    docs.push({ comment, object });
  };

  let caBundle: string | undefined;
  let certificateExpires: Date | undefined;
  const injectAnnotation = { 'cert-manager.io/inject-ca-from': `${namespace}/${tlsSecret}` };

  add(
    'The webhook meets the restricted Pod Security Standard; enforce it on its namespace. The namespace is\nleft out of every Vigil webhook, so the webhook can always be (re)started, even while it is down.',
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    },
  );
  add('The webhook reads nothing from the API server: no token is mounted and no RBAC is granted.', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace, labels },
    automountServiceAccountToken: false,
  });

  if (options.certManager === true) {
    const selfSigned = `${name}-selfsigned`;
    const caName = `${name}-ca`;
    add('cert-manager: a self-signed issuer bootstraps a CA just for this webhook ...', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: selfSigned, namespace, labels },
      spec: { selfSigned: {} },
    });
    add('... the CA certificate (its Secret stays in this namespace) ...', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: caName, namespace, labels },
      spec: {
        isCA: true,
        commonName: caName,
        secretName: caName,
        duration: '43800h',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: selfSigned, kind: 'Issuer', group: 'cert-manager.io' },
      },
    });
    add('... an issuer signing with that CA ...', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { name: caName, namespace, labels },
      spec: { ca: { secretName: caName } },
    });
    add(
      '... and the serving certificate, renewed well before it expires. The webhook reloads it from the\nmounted Secret without a restart; cainjector keeps the caBundle of the webhook configurations current.',
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: tlsSecret, namespace, labels },
        spec: {
          secretName: tlsSecret,
          dnsNames: hosts,
          duration: '2160h',
          renewBefore: '720h',
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          usages: ['server auth', 'digital signature'],
          issuerRef: { name: caName, kind: 'Issuer', group: 'cert-manager.io' },
        },
      },
    );
  } else {
    const pair = createServingCertificate({ hosts, ...(options.certDays === undefined ? {} : { days: options.certDays }) });
    caBundle = Buffer.from(pair.caCert).toString('base64');
    certificateExpires = pair.notAfter;
    add(
      `The serving certificate and its private key, signed by a CA generated for this output alone (its key was\ndiscarded after signing). It expires on ${pair.notAfter.toISOString().slice(0, 10)}: run \`vigil admission manifests\` again before then\nand apply the Secret and both webhook configurations together (see docs/admission.md, "Certificates").`,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: tlsSecret,
          namespace,
          labels,
          // A reviewed exception for `vigil scan` of this output: the key is here to be applied, never committed.
          annotations: { 'vigil.dev/ignore': 'secrets/plaintext-in-manifest: generated serving key; apply it, do not commit it' },
        },
        type: 'kubernetes.io/tls',
        data: {
          'tls.crt': Buffer.from(pair.cert).toString('base64'),
          'tls.key': Buffer.from(pair.key).toString('base64'),
          'ca.crt': caBundle,
        },
      },
    );
  }

  if (options.config !== undefined) {
    add('The configuration (.vigil.yaml keys and the admission: section), as given to `vigil admission manifests --config`.', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-config`, namespace, labels },
      data: { 'vigil.yaml': options.config.text },
    });
  }

  add('The API server calls the webhook through this Service (port 443, as the webhook configurations say).', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels,
      ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
    },
  });

  const args = [
    'admission',
    'serve',
    '--listen=0.0.0.0:8443',
    '--tls-cert=/etc/vigil/tls/tls.crt',
    '--tls-key=/etc/vigil/tls/tls.key',
    `--namespace=${namespace}`,
    // On SIGTERM: not ready at once, still answering for 5 s while the endpoints catch up.
    '--shutdown-delay=5',
    ...(options.config === undefined ? [] : ['--config=/etc/vigil/config/vigil.yaml']),
  ];
  const volumeMounts: Record<string, unknown>[] = [{ name: 'tls', mountPath: '/etc/vigil/tls', readOnly: true }];
  const volumes: Record<string, unknown>[] = [{ name: 'tls', secret: { secretName: tlsSecret } }];
  if (options.config !== undefined) {
    volumeMounts.push({ name: 'config', mountPath: '/etc/vigil/config', readOnly: true });
    volumes.push({ name: 'config', configMap: { name: `${name}-config` } });
  }
  add(
    `Two replicas on different nodes, never both down during a rollout (maxUnavailable 0) or a drain (the\ndisruption budget below): with failurePolicy ${failurePolicy}, ${failurePolicy === 'Fail' ? 'no pod can be created in a judged namespace while no replica answers' : 'requests are let through unjudged while no replica answers'}.`,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        selector: { matchLabels: selectorLabels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 30,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels } },
                  },
                ],
              },
            },
            containers: [
              {
                name: 'webhook',
                image,
                imagePullPolicy: 'IfNotPresent',
                args,
                ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }],
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 20 },
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    },
  );
  add('', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace, labels },
    spec: { minAvailable: 1, selector: { matchLabels: selectorLabels } },
  });
  add(
    'Only HTTPS in, nothing out: the webhook calls no one. The API server connects from addresses that differ\nper cluster (often the node network), so ingress is open on the webhook port only.',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace, labels },
      spec: {
        podSelector: { matchLabels: selectorLabels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: 8443 }] }],
        egress: [],
      },
    },
  );

  const notExempt = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: exempt };
  const matchConditions = useMatchConditions
    ? [
        // Defence in depth beside namespaceSelector (which the API server evaluates from its namespace cache).
        { name: 'exclude-exempt-namespaces', expression: `!(request.namespace in ${celList(exempt)})` },
        // Finalizers coming off an object being deleted must never wait on the webhook.
        { name: 'not-being-deleted', expression: '!has(object.metadata.deletionTimestamp)' },
      ]
    : undefined;
  const webhook = (
    webhookName: string,
    path: string,
    expressions: Record<string, unknown>[],
    extra: Record<string, unknown>,
  ): Record<string, unknown> => ({
    name: webhookName,
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { namespace, name, path, port: 443 }, ...(caBundle === undefined ? {} : { caBundle }) },
    sideEffects: 'None',
    timeoutSeconds,
    matchPolicy: 'Equivalent',
    namespaceSelector: { matchExpressions: [notExempt, ...expressions] },
    ...(matchConditions === undefined ? {} : { matchConditions }),
    ...extra,
  });

  const validating: Record<string, unknown>[] = [];
  const validateRules = rules(VALIDATE_RULES);
  if (settings.namespaceLabels === 'ignore') {
    validating.push(webhook('namespaces.validate.vigil.dev', VALIDATE_PATH, [], { failurePolicy, rules: validateRules }));
  } else {
    validating.push(
      webhook('namespaces.validate.vigil.dev', VALIDATE_PATH, [{ key: ENFORCE_LABEL, operator: 'DoesNotExist' }], {
        failurePolicy,
        rules: validateRules,
      }),
    );
    for (const level of PSS_LEVELS) {
      validating.push(
        webhook(`${level}.validate.vigil.dev`, `${VALIDATE_PATH}/${level}`, [{ key: ENFORCE_LABEL, operator: 'In', values: [level] }], {
          failurePolicy,
          rules: validateRules,
        }),
      );
    }
    validating.push(
      webhook(
        `${INVALID_LABEL_ROUTE}.validate.vigil.dev`,
        `${VALIDATE_PATH}/${INVALID_LABEL_ROUTE}`,
        [
          { key: ENFORCE_LABEL, operator: 'Exists' },
          { key: ENFORCE_LABEL, operator: 'NotIn', values: [...PSS_LEVELS] },
        ],
        { failurePolicy, rules: validateRules },
      ),
    );
  }
  add(
    [
      `Validation. failurePolicy ${failurePolicy}: ${
        failurePolicy === 'Fail'
          ? "a webhook that cannot be reached must not become a way around it, so requests it would judge are\nrefused while it is down. What keeps that safe: system namespaces and the webhook's own are never sent\n(namespaceSelector and matchConditions), two replicas with a disruption budget, and a short timeout."
          : 'requests are admitted unjudged while the webhook cannot be reached (availability over enforcement);\nkeep the built-in PodSecurity admission enforcing baseline as a floor.'
      }`,
      `timeoutSeconds ${timeoutSeconds}: a healthy webhook answers in milliseconds; a short timeout bounds how long an`,
      `unreachable one holds each request (the default is 10 s).`,
      `One webhook per value of the ${ENFORCE_LABEL} namespace label: the API server routes each request by the`,
      'label to its own path, so the webhook needs no access to the API to read namespace labels. Exactly one',
      'of them matches any namespace. An invalid label value fails closed (restricted).',
      `Not judged: Secrets (the webhook would receive their values), cluster-scoped objects, deletes and`,
      `subresources other than pods/ephemeralcontainers.`,
    ].join('\n'),
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name, labels, ...(options.certManager === true ? { annotations: injectAnnotation } : {}) },
      webhooks: validating,
    },
  );

  if (options.mutating ?? true) {
    const mutating: Record<string, unknown>[] = [];
    const mutateExtra = { failurePolicy: 'Ignore', reinvocationPolicy: 'IfNeeded', rules: rules(MUTATE_RULES) };
    if (settings.policy.mutate === true) {
      mutating.push(webhook('namespaces.mutate.vigil.dev', MUTATE_PATH, [], mutateExtra));
    } else {
      mutating.push(webhook('label.mutate.vigil.dev', MUTATE_PATH, [{ key: MUTATE_LABEL, operator: 'In', values: ['true'] }], mutateExtra));
      const named = Object.entries(settings.namespaces)
        .filter(([key, entry]) => entry.mutate === true && !/[*?[\]{}]/.test(key))
        .map(([key]) => key)
        .sort();
      if (named.length > 0) {
        mutating.push(
          webhook(
            'config.mutate.vigil.dev',
            MUTATE_PATH,
            [
              { key: 'kubernetes.io/metadata.name', operator: 'In', values: named },
              { key: MUTATE_LABEL, operator: 'NotIn', values: ['true'] },
            ],
            mutateExtra,
          ),
        );
      }
    }
    add(
      [
        `Mutation (opt-in): only namespaces labelled ${MUTATE_LABEL}=true${settings.policy.mutate === true ? ' — here every namespace, as the configuration says' : ' (or named with mutate: true in the configuration)'}`,
        'get missing safe defaults set. failurePolicy Ignore: the defaults are a convenience, and validation still',
        'judges the object whether or not they were set. reinvocationPolicy IfNeeded: containers injected by a later',
        'mutating webhook (a service mesh sidecar) get the defaults too.',
      ].join('\n'),
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name, labels, ...(options.certManager === true ? { annotations: injectAnnotation } : {}) },
        webhooks: mutating,
      },
    );
  }

  const header = [
    `Vigil admission webhook (vigil ${VIGIL_VERSION}), generated by \`vigil admission manifests --namespace ${namespace}\`.`,
    'Apply with: kubectl apply -f <this file>. See docs/admission.md.',
    ...(options.certManager === true
      ? ['Needs cert-manager (https://cert-manager.io) with its cainjector.']
      : ['This output contains the private key of the serving certificate: apply it, do not commit it.']),
  ]
    .map((l) => `# ${l}`)
    .join('\n');
  const text = `${header}\n${docs.map((d) => document(d.comment, d.object)).join('---\n')}`;
  return { text, objects: docs.map((d) => d.object), ...(certificateExpires === undefined ? {} : { certificateExpires }) };
}
