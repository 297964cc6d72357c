/**
 * The areas of a Kubernetes security-monitoring practice (see DESIGN.md). Each check belongs to one;
 * the area is the first segment of its id.
 */
export const AREAS = {
  'pod-security': 'Pod security',
  workload: 'Workload hardening',
  network: 'Network security',
  rbac: 'Access control',
  secrets: 'Secrets',
  images: 'Images',
  resources: 'Resources',
  placement: 'Placement',
  'control-plane': 'Control plane',
  audit: 'Audit',
  mesh: 'Service mesh',
} as const;

export type Area = keyof typeof AREAS;

export function isArea(value: unknown): value is Area {
  return typeof value === 'string' && Object.hasOwn(AREAS, value);
}
