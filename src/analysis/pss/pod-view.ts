import { childPointer } from './pointer.js';
import { isRecord, stringMap, type JsonRecord } from '../../k8s/guards.js';

/**
 * A pod to judge: its metadata and spec (untrusted, as read from a file, a cluster or an admission
 * request) and where they sit inside the object they came from, so violations can name exact fields.
 * A `PodTemplate` from `podTemplateOf` is one.
 */
export interface PodInput {
  readonly metadata?: unknown;
  readonly spec: unknown;
  /** Pointer to the metadata inside the original object (default `/metadata`, as in a Pod). */
  readonly metadataPointer?: string;
  /** Pointer to the pod spec inside the original object (default `/spec`). */
  readonly specPointer?: string;
}

/** One container as the checks see it. */
export interface ContainerView {
  /** `name`, or `""` when missing (upstream prints the Go zero value). */
  readonly name: string;
  readonly list: 'initContainers' | 'containers' | 'ephemeralContainers';
  /** Pointer to the container inside the original object. */
  readonly pointer: string;
  readonly container: JsonRecord;
  /** `securityContext`, when it is an object. */
  readonly securityContext: JsonRecord | undefined;
}

/** One volume with the sources it sets (after defaulting). */
export interface VolumeView {
  readonly name: string;
  readonly pointer: string;
  readonly volume: JsonRecord;
  /** Source fields that are set (present and not null), in `VOLUME_SOURCES` order. */
  readonly sources: readonly string[];
  /** True when the volume named no source and API defaulting made it an `emptyDir`. */
  readonly defaulted: boolean;
}

/** A pod read once and shared by every check (and every level or version it is judged at). */
export interface PreparedPod {
  readonly metadata: JsonRecord;
  readonly spec: JsonRecord;
  readonly annotations: Readonly<Record<string, string>>;
  readonly metadataPointer: string;
  readonly specPointer: string;
  /** `spec.securityContext`, when it is an object. */
  readonly securityContext: JsonRecord | undefined;
  /** Init containers, then containers, then ephemeral containers: upstream's visiting order. */
  readonly containers: readonly ContainerView[];
  readonly volumes: readonly VolumeView[];
  /** `spec.os.name` is `windows`. */
  readonly isWindows: boolean;
  /** `spec.hostUsers` is explicitly `false` (the pod runs in a user namespace). */
  readonly inUserNamespace: boolean;
}

/**
 * Every source field of a core/v1 VolumeSource. The API server's defaulting (SetDefaults_Volume in
 * pkg/apis/core/v1/defaults.go) turns a volume that sets none of them into `emptyDir: {}`.
 */
export const VOLUME_SOURCES: readonly string[] = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

const SOURCE_ORDER: ReadonlyMap<string, number> = new Map(VOLUME_SOURCES.map((source, index) => [source, index]));

export interface PrepareOptions {
  /**
   * Apply the API server defaulting that changes a verdict (default true): manifests in files have not
   * been through the API server, but the admission controller judges objects after defaulting.
   */
  readonly defaulting?: boolean;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** A Go pointer field is set when it is present and not null. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function nameOf(value: JsonRecord): string {
  return typeof value.name === 'string' ? value.name : '';
}

/**
 * Read a pod once for judging. Entries that are not objects (which the API server would refuse to
 * decode) are skipped; nothing here throws, whatever the input holds.
 */
export function preparePod(input: PodInput, options: PrepareOptions = {}): PreparedPod {
  const metadata = isRecord(input.metadata) ? input.metadata : {};
  const spec = isRecord(input.spec) ? input.spec : {};
  const specPointer = input.specPointer ?? '/spec';
  const metadataPointer = input.metadataPointer ?? '/metadata';
  const defaulting = options.defaulting ?? true;

  const containers: ContainerView[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: unknown, index) => {
      if (!isRecord(item)) return;
      containers.push({
        name: nameOf(item),
        list,
        pointer: childPointer(specPointer, list, index),
        container: item,
        securityContext: isRecord(item.securityContext) ? item.securityContext : undefined,
      });
    });
  }

  const volumes: VolumeView[] = [];
  const items = spec.volumes;
  if (Array.isArray(items)) {
    items.forEach((item: unknown, index) => {
      if (!isRecord(item)) return;
      // Volumes have a name and one or two sources: walk their keys, not the 30 possible sources.
      const sources = Object.keys(item)
        .filter((key) => SOURCE_ORDER.has(key) && isSet(item[key]))
        .sort((a, b) => (SOURCE_ORDER.get(a) ?? 0) - (SOURCE_ORDER.get(b) ?? 0));
      const defaulted = defaulting && sources.length === 0;
      volumes.push({
        name: nameOf(item),
        pointer: childPointer(specPointer, 'volumes', index),
        volume: item,
        sources: defaulted ? ['emptyDir'] : sources,
        defaulted,
      });
    });
  }

  const os = spec.os;
  return {
    metadata,
    spec,
    annotations: stringMap(metadata.annotations),
    metadataPointer,
    specPointer,
    securityContext: isRecord(spec.securityContext) ? spec.securityContext : undefined,
    containers,
    volumes,
    isWindows: isRecord(os) && os.name === 'windows',
    inUserNamespace: spec.hostUsers === false,
  };
}
