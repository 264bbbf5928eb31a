// Syntax checks for label keys and values, with upstream's wording
// (k8s.io/apimachinery/pkg/util/validation: IsQualifiedName, IsValidLabelValue). Upstream runs every
// check and reports all failures, so an empty name yields two messages, as here.

const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);

const qualifiedNameErr =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, examples: string[]): string {
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += ' or ';
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

function subdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        ['example.com'],
      ),
    );
  }
  return errs;
}

/** Errors for a label key such as `app` or `example.com/tier`; [] when valid. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of subdomainErrors(prefix)) errs.push(`prefix part ${e}`);
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameErr, qualifiedNameFmt, ['MyName', 'my.name', '123-abc'])} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX)
    errs.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(`name part ${regexError(qualifiedNameErr, qualifiedNameFmt, ['MyName', 'my.name', '123-abc'])}`);
  }
  return errs;
}

/** Errors for a label value (may be empty); [] when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errs.push(`must be no more than ${LABEL_VALUE_MAX} characters`);
  if (!labelValueRe.test(value)) {
    errs.push(
      regexError(`a valid label must be an empty string or ${qualifiedNameErr.slice('must '.length)}`, labelValueFmt, [
        'MyValue',
        'my_value',
        '12345',
      ]),
    );
  }
  return errs;
}
