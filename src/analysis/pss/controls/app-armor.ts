import { childPointer } from '../pointer.js';
import { isRecord, type JsonRecord } from '../../../k8s/guards.js';
import type { ControlDefinition, ViolationField } from '../control.js';
import { compareBytes, containersPhrase, goQuote, plural, quoteList, settersPhrase, sortedSet } from '../text.js';

/** Prefix of the beta AppArmor annotations (deprecated since 1.30, still judged). */
export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function allowedType(type: string): boolean {
  return type === 'RuntimeDefault' || type === 'Localhost';
}

function allowedAnnotation(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

/** The profile's type when the profile is set but its type is not allowed (a missing type counts as ""). */
function badType(profile: unknown): string | undefined {
  if (!isRecord(profile)) return undefined;
  const type = typeof profile.type === 'string' ? profile.type : '';
  return allowedType(type) ? undefined : type;
}

function profileOf(securityContext: JsonRecord | undefined): unknown {
  return securityContext?.appArmorProfile;
}

/**
 * The default AppArmor profile must not be overridden or disabled: fields `appArmorProfile.type` must
 * be RuntimeDefault or Localhost, and the beta annotations `runtime/default`, `localhost/*` or empty.
 */
export const appArmorProfile: ControlDefinition = {
  id: 'appArmorProfile',
  level: 'baseline',
  title: 'AppArmor',
  versions: [
    {
      minVersion: 0,
      rule(pod) {
        const fields: ViolationField[] = [];
        const badValues: string[] = [];
        const podType = badType(profileOf(pod.securityContext));
        if (podType !== undefined) {
          badValues.push(podType);
          fields.push({
            pointer: childPointer(pod.specPointer, 'securityContext', 'appArmorProfile', 'type'),
            problem: `pod must not set AppArmor profile type to ${quoteList([podType])}`,
          });
        }
        const badContainers: string[] = [];
        for (const c of pod.containers) {
          const type = badType(profileOf(c.securityContext));
          if (type === undefined) continue;
          badContainers.push(c.name);
          badValues.push(type);
          fields.push({
            pointer: childPointer(c.pointer, 'securityContext', 'appArmorProfile', 'type'),
            container: c.name,
            problem: `${containersPhrase([c.name])} must not set AppArmor profile type to ${quoteList([type])}`,
          });
        }
        const annotations: string[] = [];
        for (const [key, value] of Object.entries(pod.annotations)) {
          if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX) || allowedAnnotation(value)) continue;
          const entry = `${key}=${goQuote(value)}`;
          annotations.push(entry);
          fields.push({
            pointer: childPointer(pod.metadataPointer, 'annotations', key),
            problem: `annotation must not set AppArmor profile type to ${quoteList([entry])}`,
          });
        }
        let setters = settersPhrase(podType !== undefined, badContainers);
        if (annotations.length > 0) {
          setters = [setters, plural('annotation', 'annotations', annotations.length)].filter((s) => s !== '').join(' and ');
        }
        if (setters === '') return undefined;
        const values = [...sortedSet(badValues), ...annotations.sort(compareBytes)];
        return {
          reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
          detail: `${setters} must not set AppArmor profile type to ${quoteList(values)}`,
          fields,
        };
      },
    },
  ],
};
