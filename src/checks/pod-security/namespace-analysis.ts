import {
  analyzeNamespaces,
  DEFAULT_CONFIGURATION,
  readPodSecurityConfiguration,
  type NamespaceReport,
  type PodSecurityConfiguration,
} from '../../analysis/pss/index.js';
import type { Inventory } from '../../inventory/inventory.js';

/**
 * The PodSecurity admission configuration found among the scanned objects: a PodSecurityConfiguration,
 * or an AdmissionConfiguration that embeds one. Without one (or with an invalid one, which the API
 * server would refuse to start with) the controller's built-in defaults apply.
 */
export function configurationOf(inventory: Inventory): PodSecurityConfiguration {
  for (const kind of ['PodSecurityConfiguration', 'AdmissionConfiguration']) {
    for (const entry of inventory.ofKind(kind)) {
      const read = readPodSecurityConfiguration(entry.object);
      if (read.status === 'ok') return read.configuration;
    }
  }
  return DEFAULT_CONFIGURATION;
}

// The namespace checks share one analysis per Inventory state (and set of namespaces).
const cache = new WeakMap<Inventory, { version: number; reports: Map<string, NamespaceReport[]> }>();

/**
 * Every namespace's Pod Security report (or those of some namespaces), computed once per Inventory
 * state for all the namespace checks.
 */
export function namespaceReportsOf(inventory: Inventory, namespaces?: ReadonlySet<string>): NamespaceReport[] {
  let cached = cache.get(inventory);
  if (cached?.version !== inventory.version) {
    cached = { version: inventory.version, reports: new Map() };
    cache.set(inventory, cached);
  }
  const key = namespaces === undefined ? '' : `\u0000${[...namespaces].sort().join('\u0000')}`;
  let reports = cached.reports.get(key);
  if (reports === undefined) {
    reports = analyzeNamespaces(inventory, {
      configuration: configurationOf(inventory),
      ...(namespaces === undefined ? {} : { namespaces }),
    });
    cached.reports.set(key, reports);
  }
  return reports;
}
