// Recursive-descent parser for label selector strings (`a=b,c in (d,e),!f`), following upstream's
// labels.Parser so that the accepted language and the error messages are the same.
import { errors } from '../status.js';
import { aggregateMessage } from './field-error.js';
import { type LabelOperator, type LabelRequirement, LabelSelector, requirementErrors } from './label-selector.js';
import { lexLabelSelector, type Token, type TokenKind } from './label-lexer.js';

type Context = 'keyAndOperator' | 'values';

class ParseError extends Error {}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

const OPERATOR_OF: Partial<Record<TokenKind, LabelOperator>> = {
  in: 'in',
  notIn: 'notin',
  equals: '=',
  doubleEquals: '==',
  notEquals: '!=',
  greaterThan: 'gt',
  lessThan: 'lt',
};

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(context: Context): Token {
    const t = this.tokens[this.position] ?? { kind: 'end', literal: '' };
    // In value position the keywords are ordinary words: `in in (in)` is a valid selector.
    if (context === 'values' && (t.kind === 'in' || t.kind === 'notIn'))
      return { kind: 'identifier', literal: t.literal };
    return t;
  }

  private next(context: Context): Token {
    const t = this.peek(context);
    if (this.position < this.tokens.length) this.position++;
    return t;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek('values');
      if (t.kind === 'end') return reqs;
      if (t.kind !== 'identifier' && t.kind !== 'doesNotExist') {
        throw new ParseError(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const sep = this.next('values');
      if (sep.kind === 'end') return reqs;
      if (sep.kind !== 'comma') throw new ParseError(`found '${sep.literal}', expected: ',' or 'end of string'`);
      const after = this.peek('values');
      if (after.kind !== 'identifier' && after.kind !== 'doesNotExist') {
        throw new ParseError(`found '${after.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let unary: LabelOperator | undefined;
    let t = this.next('values');
    if (t.kind === 'doesNotExist') {
      unary = '!';
      t = this.next('values');
    }
    if (t.kind !== 'identifier') throw new ParseError(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    const keyErrs = requirementErrors(key, 'exists', []);
    if (keyErrs.length > 0) throw new ParseError(aggregateMessage(keyErrs));
    const following = this.peek('values').kind;
    if (following === 'end' || following === 'comma') unary ??= 'exists';
    if (unary !== undefined) return this.checked(key, unary, []);

    const opToken = this.next('keyAndOperator');
    const operator = OPERATOR_OF[opToken.kind];
    if (operator === undefined) {
      throw new ParseError(`found '${opToken.literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
    const values = operator === 'in' || operator === 'notin' ? this.parseValueSet() : this.parseExactValue();
    return this.checked(key, operator, [...new Set(values)].sort());
  }

  private checked(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
    const errs = requirementErrors(key, operator, values);
    if (errs.length > 0) throw new ParseError(aggregateMessage(errs));
    return { key, operator, values };
  }

  private parseValueSet(): string[] {
    const open = this.next('values');
    if (open.kind !== 'openPar') throw new ParseError(`found '${open.literal}' expected: '('`);
    const t = this.peek('values');
    if (t.kind === 'closedPar') {
      this.next('values');
      return [''];
    }
    if (t.kind !== 'identifier' && t.kind !== 'comma') {
      throw new ParseError(`found '${t.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifierList();
    if (this.next('values').kind !== 'closedPar') throw new ParseError(`found '${t.literal}', expected: ')'`);
    return values;
  }

  // Empty members are allowed and mean the empty value: `(,a)`, `(a,)`, `(a,,b)`.
  private parseIdentifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.next('values');
      if (t.kind === 'identifier') {
        values.push(t.literal);
        const after = this.peek('values');
        if (after.kind === 'comma') continue;
        if (after.kind === 'closedPar') return values;
        throw new ParseError(`found '${after.literal}', expected: ',' or ')'`);
      }
      if (t.kind === 'comma') {
        if (values.length === 0) values.push('');
        const after = this.peek('values');
        if (after.kind === 'closedPar') {
          values.push('');
          return values;
        }
        if (after.kind === 'comma') {
          this.next('values');
          values.push('');
        }
        continue;
      }
      throw new ParseError(`found '${t.literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const t = this.peek('values');
    if (t.kind === 'end' || t.kind === 'comma') return [''];
    this.next('values');
    if (t.kind === 'identifier') return [t.literal];
    throw new ParseError(`found '${t.literal}', expected: identifier`);
  }
}

/**
 * Parses a `labelSelector` query string. Bad input throws a 400 StatusError with upstream's message,
 * e.g. `unable to parse requirement: found '', expected: identifier`.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return LabelSelector.of(new Parser(lexLabelSelector(s)).parse());
  } catch (e) {
    if (e instanceof ParseError) throw errors.badRequest(e.message);
    throw e;
  }
}
