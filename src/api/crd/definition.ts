// CustomResourceDefinition policy as upstream's apiextensions-apiserver holds it: defaults
// (SetDefaults_CustomResourceDefinitionSpec) and validation (ValidateCustomResourceDefinition), including the
// structural-schema check of each version's openAPIV3Schema.
import { isDNS1035Label, isDNS1123Subdomain } from '../../core/names.js';
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { validateObjectMeta } from '../validation/objectmeta.js';
import { schemaCompileError } from './schema.js';
import { CLEANUP_FINALIZER, type CustomResourceDefinition, type Schema } from './types.js';

type Spec = NonNullable<CustomResourceDefinition['spec']>;

function specOf(o: KubeObject): Spec {
  return ((o as unknown as CustomResourceDefinition).spec ?? {}) as Spec;
}

/** Upstream defaults: singular and listKind from the kind, conversion strategy None. */
export function defaultCustomResourceDefinition(o: KubeObject): void {
  const spec = specOf(o);
  const names = spec.names;
  if (names?.kind) {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  for (const v of spec.versions ?? []) {
    for (const c of v.additionalPrinterColumns ?? []) c.priority ??= 0;
  }
}

const SCOPES = ['Cluster', 'Namespaced'];
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function each(path: string, value: unknown, msgs: string[]): FieldError[] {
  return msgs.map((m) => field.invalid(path, value, m));
}

export function validateCustomResourceDefinition(o: KubeObject, old?: KubeObject): FieldError[] {
  // Upstream checks CRD metadata with apimachinery's rules, where its own cleanup finalizer is a valid name.
  const errs = validateObjectMeta(o, { namespaced: false, name: isDNS1123Subdomain }).filter(
    (e) => !(e.field === 'metadata.finalizers' && e.message.startsWith(`Invalid value: "${CLEANUP_FINALIZER}"`)),
  );
  const spec = specOf(o);
  const group = spec.group ?? '';
  const names = spec.names ?? ({} as Spec['names']);
  const name = o.metadata.name ?? '';
  if (name && names.plural && group && name !== `${names.plural}.${group}`) {
    errs.push(field.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!group) errs.push(field.required('spec.group', ''));
  else {
    errs.push(...each('spec.group', group, isDNS1123Subdomain(group)));
    if (group.split('.').length < 2)
      errs.push(field.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(field.required('spec.scope', ''));
  else if (!SCOPES.includes(spec.scope)) errs.push(field.notSupported('spec.scope', spec.scope, SCOPES));
  errs.push(...validateNames(names));
  const versions = spec.versions ?? [];
  if (versions.length === 0)
    errs.push(field.required('spec.versions', 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  let storage = 0;
  for (const [i, v] of versions.entries()) {
    const p = `spec.versions[${i}]`;
    if (!v.name) errs.push(field.required(`${p}.name`, ''));
    else {
      errs.push(...each(`${p}.name`, v.name, isDNS1035Label(v.name)));
      if (seen.has(v.name)) errs.push(field.duplicate(`${p}.name`, v.name));
      seen.add(v.name);
    }
    if (v.storage) storage++;
    const schema = v.schema?.openAPIV3Schema as Schema | undefined;
    if (!schema) errs.push(field.required(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else {
      const structural = validateStructural(schema, `${p}.schema.openAPIV3Schema`, true);
      errs.push(...structural);
      const compileError = structural.length === 0 ? schemaCompileError(schema) : undefined;
      if (compileError) errs.push(field.invalid(`${p}.schema.openAPIV3Schema`, '', compileError));
    }
    const scale = v.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) errs.push(field.required(`${p}.subresources.scale.specReplicasPath`, ''));
      else if (!scale.specReplicasPath.startsWith('.spec.'))
        errs.push(
          field.invalid(
            `${p}.subresources.scale.specReplicasPath`,
            scale.specReplicasPath,
            'should be a json path under .spec',
          ),
        );
      if (!scale.statusReplicasPath) errs.push(field.required(`${p}.subresources.scale.statusReplicasPath`, ''));
      else if (!scale.statusReplicasPath.startsWith('.status.'))
        errs.push(
          field.invalid(
            `${p}.subresources.scale.statusReplicasPath`,
            scale.statusReplicasPath,
            'should be a json path under .status',
          ),
        );
    }
    for (const [j, f] of (v.selectableFields ?? []).entries()) {
      const fp = `${p}.selectableFields[${j}].jsonPath`;
      if (!f.jsonPath) errs.push(field.required(fp, ''));
      else if (f.jsonPath.startsWith('.metadata')) errs.push(field.invalid(fp, f.jsonPath, 'must not select metadata'));
    }
    for (const [j, c] of (v.additionalPrinterColumns ?? []).entries()) {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) errs.push(field.required(`${cp}.name`, ''));
      if (!COLUMN_TYPES.includes(c.type)) errs.push(field.notSupported(`${cp}.type`, c.type, COLUMN_TYPES));
      if (!c.jsonPath) errs.push(field.required(`${cp}.jsonPath`, ''));
    }
  }
  if (versions.length > 0 && storage !== 1) {
    errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  }
  if (versions.length > 0 && !versions.some((v) => v.served)) {
    errs.push(field.invalid('spec.versions', versions, 'must have at least one version marked as served'));
  }
  const strategy = spec.conversion?.strategy;
  if (strategy && strategy !== 'None' && strategy !== 'Webhook')
    errs.push(field.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (strategy === 'Webhook')
    errs.push(field.forbidden('spec.conversion.strategy', 'Webhook conversion is not supported by this server'));
  if (old) {
    const oldSpec = specOf(old);
    if (oldSpec.group !== spec.group) errs.push(field.invalid('spec.group', spec.group, 'field is immutable'));
    if (oldSpec.names?.plural !== names.plural)
      errs.push(field.invalid('spec.names.plural', names.plural, 'field is immutable'));
  }
  return errs;
}

function validateNames(names: Spec['names']): FieldError[] {
  const errs: FieldError[] = [];
  const p = 'spec.names';
  if (!names.plural) errs.push(field.required(`${p}.plural`, ''));
  else errs.push(...each(`${p}.plural`, names.plural, isDNS1035Label(names.plural)));
  if (names.singular) errs.push(...each(`${p}.singular`, names.singular, isDNS1035Label(names.singular)));
  if (!names.kind) errs.push(field.required(`${p}.kind`, ''));
  else if (isDNS1035Label(names.kind.toLowerCase()).length > 0)
    errs.push(
      field.invalid(
        `${p}.kind`,
        names.kind,
        'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
      ),
    );
  if (!names.listKind) errs.push(field.required(`${p}.listKind`, ''));
  else if (isDNS1035Label(names.listKind.toLowerCase()).length > 0)
    errs.push(
      field.invalid(
        `${p}.listKind`,
        names.listKind,
        'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?',
      ),
    );
  else if (names.kind && names.listKind === names.kind)
    errs.push(field.invalid(`${p}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  for (const [i, s] of (names.shortNames ?? []).entries())
    errs.push(...each(`${p}.shortNames[${i}]`, s, isDNS1035Label(s)));
  for (const [i, c] of (names.categories ?? []).entries())
    errs.push(...each(`${p}.categories[${i}]`, c, isDNS1035Label(c)));
  return errs;
}

/**
 * The structural-schema rules: every specified node has a type (unless int-or-string or preserving unknown
 * fields), the root is an object, metadata at the root restricts only name and generateName, and no CEL rules
 * (this server has no CEL implementation).
 */
export function validateStructural(s: Schema, path: string, root: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!s.type) {
    if (!intOrString && !preserve)
      errs.push(field.required(`${path}.type`, 'must not be empty for specified object fields'));
  } else if (!SCHEMA_TYPES.includes(s.type)) {
    errs.push(field.notSupported(`${path}.type`, s.type, SCHEMA_TYPES));
  }
  if (root && s.type && s.type !== 'object')
    errs.push(field.invalid(`${path}.type`, s.type, 'must be object at the root'));
  if (s['x-kubernetes-validations'] !== undefined) {
    errs.push(
      field.forbidden(`${path}.x-kubernetes-validations`, 'CEL validation rules are not supported by this server'),
    );
  }
  if (s.$ref !== undefined) errs.push(field.forbidden(`${path}.$ref`, '$ref is not supported'));
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false)
    errs.push(
      field.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'),
    );
  if (s.type === 'array' && !s.items) errs.push(field.required(`${path}.items`, 'must be specified'));
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object')
    errs.push(field.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    const cp = `${path}.properties[${k}]`;
    if (root && k === 'metadata') {
      const allowed = Object.keys((child as Schema).properties ?? {}).every(
        (n) => n === 'name' || n === 'generateName',
      );
      if (!allowed)
        errs.push(
          field.forbidden(
            cp,
            'must not specify anything other than name and generateName, but metadata is implicitly specified',
          ),
        );
      continue;
    }
    errs.push(...validateStructural(child as Schema, cp, false));
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items))
    errs.push(...validateStructural(s.items as Schema, `${path}.items`, false));
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    errs.push(...validateStructural(s.additionalProperties as Schema, `${path}.additionalProperties`, false));
  return errs;
}
