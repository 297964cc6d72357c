/**
 * References from a check to the control frameworks auditors ask for. Ids are the frameworks' own:
 * CIS Kubernetes Benchmark (`5.2.2`), NSA/CISA Kubernetes Hardening Guidance (section names),
 * MITRE ATT&CK technique ids (`T1611`), Pod Security Standards levels (`baseline`, `restricted`).
 */
export interface FrameworkRefs {
  readonly cis?: readonly string[];
  readonly nsa?: readonly string[];
  readonly mitre?: readonly string[];
  readonly pss?: readonly string[];
}

export const FRAMEWORKS = {
  cis: 'CIS Kubernetes Benchmark',
  nsa: 'NSA/CISA Kubernetes Hardening Guidance',
  mitre: 'MITRE ATT&CK for Containers',
  pss: 'Pod Security Standards',
} as const;

export type FrameworkId = keyof typeof FRAMEWORKS;

/** `cis:5.2.2, pss:baseline` */
export function formatFrameworkRefs(refs: FrameworkRefs): string {
  const parts: string[] = [];
  for (const id of Object.keys(FRAMEWORKS) as FrameworkId[]) {
    for (const control of refs[id] ?? []) parts.push(`${id}:${control}`);
  }
  return parts.join(', ');
}
