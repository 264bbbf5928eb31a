// Label and field selectors: parsing, matching and printing with Kubernetes semantics.
export {
  escapeFieldValue,
  type FieldOperator,
  type FieldRequirement,
  FieldSelector,
  fieldSelectorFromMap,
  parseFieldSelector,
  unescapeFieldValue,
} from './field-selector.js';
export { parseLabelSelector } from './label-parser.js';
export {
  everything,
  formatLabelSelector,
  formatLabels,
  type LabelOperator,
  type LabelRequirement,
  type Labels,
  LabelSelector,
  type LabelSelectorExpression,
  type LabelSelectorObject,
  labelSelectorFromMap,
  labelSelectorFromObject,
  newRequirement,
  nothing,
  requirementErrors,
  selectorOrNothing,
} from './label-selector.js';
