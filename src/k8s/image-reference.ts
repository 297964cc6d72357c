/**
 * A container image reference split the way container runtimes resolve it (the distribution
 * reference grammar): `[registry/]repository[:tag][@digest]`, with Docker Hub as the default registry.
 */
export interface ImageReference {
  /** As written. */
  readonly raw: string;
  /** `docker.io` when no registry is written. */
  readonly registry: string;
  /** True when the reference names its registry explicitly. */
  readonly explicitRegistry: boolean;
  /** Repository path without registry: `library/nginx`, `kube-state-metrics/kube-state-metrics`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:…` */
  readonly digest?: string;
}

const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Parse an image reference; returns undefined for empty or whitespace-bearing strings. */
export function parseImageReference(raw: string): ImageReference | undefined {
  const image = raw.trim();
  if (image === '' || /\s/.test(image)) return undefined;
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) digest = undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const firstSlash = rest.indexOf('/');
  const first = firstSlash === -1 ? '' : rest.slice(0, firstSlash);
  const explicitRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = explicitRegistry ? first : 'docker.io';
  let repository = explicitRegistry ? rest.slice(firstSlash + 1) : rest;
  if (!explicitRegistry && !repository.includes('/')) repository = `library/${repository}`;
  return {
    raw,
    registry,
    explicitRegistry,
    repository,
    ...(tag === undefined || tag === '' ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}
