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

// The namespace checks share one analysis per Inventory state.
const cache = new WeakMap<Inventory, { version: number; reports: NamespaceReport[] }>();

/** Every namespace's Pod Security report, computed once per Inventory state for all the namespace checks. */
export function namespaceReportsOf(inventory: Inventory): NamespaceReport[] {
  const cached = cache.get(inventory);
  if (cached?.version === inventory.version) return cached.reports;
  const reports = analyzeNamespaces(inventory, { configuration: configurationOf(inventory) });
  cache.set(inventory, { version: inventory.version, reports });
  return reports;
}
