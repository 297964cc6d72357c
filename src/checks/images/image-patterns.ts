/**
 * Matching images against registry and repository patterns, as allow-lists, block-lists and
 * exemptions are written: a registry host (`ghcr.io`, which also covers its subdomains such as
 * `eu.gcr.io` under `gcr.io`), a wildcard host (`*.dkr.ecr.eu-west-1.amazonaws.com`), a host with a
 * repository prefix (`ghcr.io/acme`: that host exactly), or a name prefix as written in manifests
 * (`internal-registry`).
 * Prefixes match at path-segment boundaries only: `ghcr.io/acme` does not cover `ghcr.io/acme-evil`.
 */
import type { ImageReference } from '../../k8s/image-reference.js';

function looksLikeHost(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost';
}

function hasPathPrefix(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** Names of Docker Hub; images written without a registry come from it. */
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

function hostMatches(registry: string, pattern: string): boolean {
  const host = registry.toLowerCase();
  const p = pattern.toLowerCase();
  if (DOCKER_HUB.has(p) && DOCKER_HUB.has(host)) return true;
  if (p.startsWith('*.')) return host.endsWith(p.slice(1));
  return host === p || host.endsWith(`.${p}`);
}

/** The image name as written, without tag or digest: `ghcr.io/acme/api`, `nginx`. */
export function writtenName(ref: ImageReference): string {
  let name = ref.raw.trim();
  const at = name.indexOf('@');
  if (at !== -1) name = name.slice(0, at);
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  return name;
}

/** True when an image matches a registry / repository pattern. */
export function matchesImagePattern(ref: ImageReference, rawPattern: string): boolean {
  const pattern = rawPattern
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '');
  if (pattern === '') return false;
  const slash = pattern.indexOf('/');
  const first = slash === -1 ? pattern : pattern.slice(0, slash);
  if (!looksLikeHost(first) && !first.startsWith('*.')) return hasPathPrefix(writtenName(ref), pattern);
  if (slash === -1) return hostMatches(ref.registry, pattern);
  // With a repository prefix the host must be exactly the one written (or match its wildcard).
  const path = pattern.slice(slash + 1);
  const host = ref.registry.toLowerCase();
  const wanted = first.toLowerCase();
  const sameHost = host === wanted || (DOCKER_HUB.has(host) && DOCKER_HUB.has(wanted));
  if (wanted.startsWith('*.') ? !host.endsWith(wanted.slice(1)) : !sameHost) return false;
  // Docker Hub official images live under library/: `docker.io/nginx` means `docker.io/library/nginx`.
  return (
    hasPathPrefix(ref.repository, path) || (DOCKER_HUB.has(host) && !path.includes('/') && hasPathPrefix(ref.repository, `library/${path}`))
  );
}
