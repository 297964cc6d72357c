import type { InputProblem } from '../core/errors.js';
import { pointerOf } from '../core/json-pointer.js';
import { apiGroupOf } from '../core/resource-ref.js';
import { isRecord } from '../k8s/guards.js';
import type { KubeObject } from '../k8s/types.js';
import { prefixedPositions, type PositionIndex } from './positions.js';

/** Where an object was read from, and how to find the line of any field inside it. */
export interface ObjectSource {
  readonly file: string;
  readonly documentIndex: number;
  /** Pointer of the object inside its document: `` or `/items/3` for an item of a List. */
  readonly pointerPrefix: string;
  /** 1-based line where the object starts; absent when the text was generated (kustomize output). */
  readonly line?: number;
  /** Field positions relative to the object; absent when lines would not point into the user's file. */
  readonly positions?: PositionIndex;
}

/** An object read from input, with its origin. */
export interface SourcedObject {
  readonly object: KubeObject;
  readonly source?: ObjectSource;
}

/**
 * Configuration files of Kubernetes components have apiVersion and kind but no metadata.name (an
 * audit Policy, an EncryptionConfiguration, a kubeadm ClusterConfiguration). They are read all the
 * same, named after their file, because later checks judge them.
 */
function isComponentConfig(apiVersion: string, kind: string): boolean {
  const group = apiGroupOf(apiVersion);
  return (
    group.endsWith('config.k8s.io') ||
    group === 'audit.k8s.io' ||
    group === 'kubeadm.k8s.io' ||
    group.endsWith('.admission.k8s.io') ||
    // istioctl reads IstioOperator files as install configuration, usually without a name.
    group === 'install.istio.io' ||
    (group === '' && kind === 'Config')
  );
}

const LIST_SUFFIX = 'List';

interface DocumentInput {
  readonly file: string;
  readonly index: number;
  readonly value: unknown;
  readonly line: number | undefined;
  readonly positions: PositionIndex | undefined;
  /** Positions are costly to build for this document (JSON): only look them up for findings. */
  readonly lazyPositions?: boolean;
}

/**
 * Turn one parsed document into Kubernetes objects: a single object, or the items of a `List` /
 * `PodList`-style list (items of a typed list inherit its kind and apiVersion, as the API returns them).
 * Anything that is not an object is a problem with a location and a hint.
 */
export function objectsOfDocument(doc: DocumentInput, problems: InputProblem[]): SourcedObject[] {
  const out: SourcedObject[] = [];
  const locate = (pointer: string): { line?: number; column?: number } => {
    const at = doc.positions?.locate(pointer);
    return at === undefined ? (doc.line === undefined ? {} : { line: doc.line }) : { line: at.line, column: at.column };
  };
  const problem = (code: InputProblem['code'], level: InputProblem['level'], pointer: string, message: string, hint: string): void => {
    problems.push({ code, level, location: { file: doc.file, documentIndex: doc.index, ...locate(pointer) }, message, hint });
  };

  const visit = (value: unknown, pointer: string, inherited?: { apiVersion: string; kind: string }): void => {
    if (!isRecord(value)) {
      const what = Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
      problem(
        'not-an-object',
        'error',
        pointer,
        `${pointer === '' ? 'document' : `list item ${pointer}`} is ${what}, not a Kubernetes object`,
        'Each YAML document must be one object with apiVersion, kind and metadata.',
      );
      return;
    }
    const apiVersion = typeof value.apiVersion === 'string' && value.apiVersion !== '' ? value.apiVersion : inherited?.apiVersion;
    const kind = typeof value.kind === 'string' && value.kind !== '' ? value.kind : inherited?.kind;
    if (apiVersion === undefined || kind === undefined) {
      const missing = [apiVersion === undefined ? 'apiVersion' : '', kind === undefined ? 'kind' : ''].filter(Boolean).join(' and ');
      problem(
        'not-kubernetes',
        'warning',
        pointer,
        `skipped: no ${missing}, so this is not a Kubernetes object`,
        'If it is meant to be one, add apiVersion and kind; otherwise leave it out of the scan paths (Helm values and other config files are not manifests).',
      );
      return;
    }
    if (kind.endsWith(LIST_SUFFIX) && Array.isArray(value.items)) {
      const itemKind = kind === LIST_SUFFIX ? undefined : kind.slice(0, -LIST_SUFFIX.length);
      value.items.forEach((item: unknown, i) => {
        visit(item, `${pointer}${pointerOf('items', i)}`, itemKind === undefined ? undefined : { apiVersion, kind: itemKind });
      });
      return;
    }
    const metadata = isRecord(value.metadata) ? value.metadata : undefined;
    let name = metadata?.name;
    if (typeof name !== 'string' || name === '') {
      const generateName = metadata?.generateName;
      if (typeof generateName === 'string' && generateName !== '') {
        name = generateName;
      } else if (isComponentConfig(apiVersion, kind)) {
        name = doc.file.split(/[\\/]/).pop() ?? doc.file;
      } else {
        problem(
          'missing-field',
          'error',
          pointer,
          `${kind} has no metadata.name`,
          'Every Kubernetes object needs metadata.name (or metadata.generateName); add it so the object can be identified.',
        );
        return;
      }
    }
    // Copy only when something was filled in; most objects are used as read.
    const complete = value.apiVersion === apiVersion && value.kind === kind && metadata?.name === name;
    const object = (complete ? value : { ...value, apiVersion, kind, metadata: { ...metadata, name } }) as KubeObject;
    const at = doc.lazyPositions === true ? {} : locate(pointer);
    out.push({
      object,
      source: {
        file: doc.file,
        documentIndex: doc.index,
        pointerPrefix: pointer,
        ...(at.line === undefined ? {} : { line: at.line }),
        ...(doc.positions === undefined ? {} : { positions: prefixedPositions(doc.positions, pointer) }),
      },
    });
  };

  visit(doc.value, '');
  return out;
}
