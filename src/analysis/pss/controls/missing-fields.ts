import { childPointer } from '../pointer.js';
import type { ViolationField } from '../control.js';
import type { ContainerView, PreparedPod } from '../pod-view.js';
import { containersPhrase } from '../text.js';

/**
 * Fields for a value that pod or containers must set. When no visited container sets it, the one
 * fix is the pod-level field, so that is the field at fault; otherwise the containers that lack it.
 */
export function missingFields(
  pod: PreparedPod,
  lacking: readonly ContainerView[],
  path: readonly string[],
  problem: (who: string) => string,
): ViolationField[] {
  if (lacking.length === pod.containers.length) {
    return [
      {
        pointer: childPointer(pod.specPointer, ...path),
        problem: problem(`pod or ${containersPhrase(lacking.map((c) => c.name))}`),
        missing: true,
      },
    ];
  }
  return lacking.map((c) => ({
    pointer: childPointer(c.pointer, ...path),
    container: c.name,
    problem: problem(`pod or ${containersPhrase([c.name])}`),
    missing: true,
  }));
}
