// Pod volumes (core validation.go ValidateVolumes): unique DNS-1123 names, exactly one source, source fields.
import { type FieldError, field } from '../../core/status.js';
import { arr, invalidEach, num, obj, str } from './access.js';
import { isDNS1123Label } from '../../core/names.js';

const SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function validateMode(v: unknown, path: string): FieldError[] {
  const mode = num(v);
  if (mode === undefined || (mode >= 0 && mode <= 0o777)) return [];
  return [field.invalid(path, mode, 'must be a number between 0 and 0777 (octal), both inclusive')];
}

export function validateSource(kind: string, src: Record<string, unknown>, path: string): FieldError[] {
  const p = `${path}.${kind}`;
  switch (kind) {
    case 'configMap':
      return [
        ...(str(src.name) ? [] : [field.required(`${p}.name`, '')]),
        ...validateMode(src.defaultMode, `${p}.defaultMode`),
      ];
    case 'secret':
      return [
        ...(str(src.secretName) ? [] : [field.required(`${p}.secretName`, '')]),
        ...validateMode(src.defaultMode, `${p}.defaultMode`),
      ];
    case 'hostPath': {
      const errs = str(src.path) ? [] : [field.required(`${p}.path`, '')];
      const type = str(src.type);
      const types = [
        '',
        'DirectoryOrCreate',
        'Directory',
        'FileOrCreate',
        'File',
        'Socket',
        'CharDevice',
        'BlockDevice',
      ];
      if (type !== undefined && !types.includes(type)) errs.push(field.notSupported(`${p}.type`, type, types));
      return errs;
    }
    case 'persistentVolumeClaim':
      return str(src.claimName) ? [] : [field.required(`${p}.claimName`, '')];
    case 'nfs':
      return [
        ...(str(src.server) ? [] : [field.required(`${p}.server`, '')]),
        ...(str(src.path) ? [] : [field.required(`${p}.path`, '')]),
      ];
    case 'downwardAPI':
    case 'projected':
      return validateMode(src.defaultMode, `${p}.defaultMode`);
    case 'emptyDir': {
      const medium = str(src.medium);
      const media = ['', 'Memory', 'HugePages'];
      return medium !== undefined && !media.includes(medium) && !medium.startsWith('HugePages-')
        ? [field.notSupported(`${p}.medium`, medium, media)]
        : [];
    }
    default:
      return [];
  }
}

/** Validates spec.volumes and returns the set of valid names for mount checks. */
export function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const v = obj(raw) ?? {};
    const name = str(v.name) ?? '';
    if (!name) errs.push(field.required(`${p}.name`, ''));
    else {
      const msgs = isDNS1123Label(name);
      errs.push(...invalidEach(`${p}.name`, name, msgs));
      if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      names.add(name);
    }
    const present = SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (present.length === 0) errs.push(field.required(p, 'must specify a volume type'));
    for (const extra of present.slice(1))
      errs.push(field.forbidden(`${p}.${extra}`, 'may not specify more than 1 volume type'));
    if (present[0]) errs.push(...validateSource(present[0], obj(v[present[0]]) ?? {}, p));
  });
  return { errs, names };
}
