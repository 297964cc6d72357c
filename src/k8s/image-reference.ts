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

/**
 * A digest as the OCI image spec defines it (descriptor.md, "Digests"): `algorithm:encoded`, with the
 * registered algorithms held to their exact encodings (lowercase hex of the right length). A string that
 * only looks like a digest (`sha256:abc`, upper-case hex) pins nothing.
 */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const REGISTERED_DIGESTS: Readonly<Record<string, RegExp>> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
  blake3: /^[a-f0-9]{64}$/,
};

/** True when `digest` is a valid OCI content digest. */
export function isValidDigest(digest: string): boolean {
  if (!DIGEST.test(digest)) return false;
  const colon = digest.indexOf(':');
  const encoding = REGISTERED_DIGESTS[digest.slice(0, colon)];
  return encoding === undefined || encoding.test(digest.slice(colon + 1));
}

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
    if (!isValidDigest(digest)) digest = undefined;
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
