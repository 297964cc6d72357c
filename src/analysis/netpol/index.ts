/**
 * NetworkPolicy (networking.k8s.io/v1) analysis: the network model of an Inventory, exact reachability
 * with explanations, and the whole matrix on equivalence classes with incremental updates.
 * Pure: no I/O, no printing, no opinions (checks and the CLI build on it).
 */
export { ConnectionSet, PROTOCOLS, isProtocol, type ConnectionSetJson, type Protocol } from './connection-set.js';
export { ConnectionSetTable } from './connection-set-table.js';
export { resolveEndpoint, type EndpointResolution } from './endpoint.js';
export {
  allowedConnections,
  directionConnections,
  endpointName,
  explainDirection,
  outOfScopeReason,
  peerMatches,
  policiesSelecting,
  policySelectsPod,
  reach,
  rulePeerMatches,
  rulePortsFor,
  type DirectionAnswer,
  type DirectionReason,
  type Endpoint,
  type PolicyVerdict,
  type PolicyVerdictKind,
  type ReachAnswer,
} from './evaluate.js';
export { exposureOf, type Exposure, type ExposureEntry, type ExposureSource, type RuleMatch, type SideExplanation } from './exposure.js';
export { cidrsOfRange, formatIp, formatRange, parseCidr, parseIp, type Cidr, type IpAddress, type IpFamily, type IpRange } from './ip.js';
export { ReachabilityMatrix, type ExternalClass, type MatrixStats, type UpdateStats } from './matrix.js';
export {
  buildNetworkModel,
  NAMESPACE_NAME_LABEL,
  networkModelOf,
  type ModelNamespace,
  type ModelOptions,
  type ModelPod,
  type ModelPort,
  type NetworkModel,
} from './model.js';
export {
  compilePolicy,
  selectorOf,
  type CompiledPolicy,
  type Direction,
  type IpBlockPeer,
  type NetpolProblem,
  type Peer,
  type PortEntry,
  type Rule,
  type Selector,
  type SelectorPeer,
} from './policy.js';
