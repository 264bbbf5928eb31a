// Tokenizer for the label selector language, mirroring upstream's labels.Lexer: identifiers run
// until whitespace or one of `=!(),><`; `in`/`notin` are keywords; symbols match greedily (`!=`, `==`).

export type TokenKind =
  | 'error'
  | 'end'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

export interface Token {
  kind: TokenKind;
  literal: string;
}

const KEYWORDS: Record<string, TokenKind> = {
  ')': 'closedPar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notIn',
  '(': 'openPar',
};

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => '=!(),><'.includes(ch);

export function lexLabelSelector(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos]!)) pos++;
    if (pos >= input.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    if (isSpecialSymbol(input[pos]!)) {
      let buffer = '';
      let last: Token | undefined;
      while (pos < input.length && isSpecialSymbol(input[pos]!)) {
        buffer += input[pos];
        const kind = KEYWORDS[buffer];
        if (kind !== undefined) {
          last = { kind, literal: buffer };
        } else if (last !== undefined) {
          break;
        }
        pos++;
      }
      tokens.push(last ?? { kind: 'error', literal: `error expected: keyword found '${buffer}'` });
      continue;
    }
    const start = pos;
    while (pos < input.length && !isWhitespace(input[pos]!) && !isSpecialSymbol(input[pos]!)) pos++;
    const word = input.slice(start, pos);
    const kind = KEYWORDS[word];
    tokens.push({ kind: kind === 'in' || kind === 'notIn' ? kind : 'identifier', literal: word });
  }
}
