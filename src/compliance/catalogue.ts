/**
 * A control catalogue: the controls of one framework (CIS Kubernetes Benchmark, NSA/CISA Kubernetes
 * Hardening Guidance, MITRE ATT&CK for Containers, Pod Security Standards) and how Vigil's checks
 * cover them.
 *
 * A check covers a control in one of two ways, so that checks written in other areas light up their
 * controls as soon as they land:
 * 1. its `meta.frameworks` (or a finding's own `frameworks`) names the control id — the exact way;
 * 2. its id matches one of the control's `checks` globs (`rbac/*cluster-admin*`) — for checks that
 *    reference only a framework level (PSS `baseline`) or no framework yet.
 * A control no available check covers is `manual`, with the reason in `manual` when there is one.
 */
import type { FrameworkId } from '../core/frameworks.js';

export interface Control {
  /** The framework's own id: `1.2.1`, `T1611`, `Secrets`, `baseline/privileged-containers`. */
  readonly id: string;
  readonly title: string;
  /** The section it belongs to, for grouping in reports. */
  readonly section: string;
  /** Check-id globs that cover this control besides exact framework references. */
  readonly checks?: readonly string[];
  /** Why no check can decide this control from Kubernetes objects (shown with `manual`). */
  readonly manual?: string;
}

export interface FrameworkCatalogue {
  readonly id: FrameworkId;
  readonly name: string;
  /** Which edition of the framework the ids follow. */
  readonly version: string;
  readonly url: string;
  readonly controls: readonly Control[];
  /**
   * Ids checks may reference that are not controls of this catalogue: the NSA guide's chapter titles,
   * ATT&CK techniques outside the Containers matrix. They attribute a finding to no control here, so
   * the catalogue's check-id globs decide instead.
   */
  readonly otherIds?: readonly string[];
}
