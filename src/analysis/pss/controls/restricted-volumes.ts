import { childPointer } from '../pointer.js';
import type { ControlDefinition, ViolationField } from '../control.js';
import { plural, quoteList, sortedSet } from '../text.js';

/** Volume types restricted pods may use. `csi`, `ephemeral` and `image` apply at every version, as upstream. */
const ALLOWED = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];

/** The order upstream names a forbidden volume's type in: the first one set wins. */
const RESTRICTED = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

/** Volume types (restricted): only ephemeral and API-backed volume sources. Replaces hostPathVolumes at restricted. */
export const restrictedVolumes: ControlDefinition = {
  id: 'restrictedVolumes',
  level: 'restricted',
  title: 'Volume Types',
  versions: [
    {
      minVersion: 0,
      overrides: ['hostPathVolumes'],
      rule(pod) {
        const names: string[] = [];
        const types: string[] = [];
        const fields: ViolationField[] = [];
        for (const v of pod.volumes) {
          if (v.sources.some((source) => ALLOWED.includes(source))) continue;
          // No source at all (only possible without API defaulting) is "unknown".
          const type = RESTRICTED.find((source) => v.sources.includes(source)) ?? 'unknown';
          names.push(v.name);
          types.push(type);
          fields.push({
            pointer: type === 'unknown' ? v.pointer : childPointer(v.pointer, type),
            problem: `volume ${quoteList([v.name])} uses restricted volume type ${quoteList([type])}`,
          });
        }
        if (names.length === 0) return undefined;
        const distinct = sortedSet(types);
        return {
          reason: 'restricted volume types',
          detail: `${plural('volume', 'volumes', names.length)} ${quoteList(names)} ${plural('uses', 'use', names.length)} ${plural('restricted volume type', 'restricted volume types', distinct.length)} ${quoteList(distinct)}`,
          fields,
        };
      },
    },
  ],
};
