// Decoding of request documents (JSON and YAML) with bounds, so that nothing a client sends can exhaust
// the stack or the heap: a nesting depth limit checked before any recursive walk (and, for YAML, before
// the parser's own recursion), alias expansion bounded, and every failure a 400 Status. Objects of
// built-in kinds nest about 20 levels; the limit leaves room for deep free-form data.
import { parse as parseYaml } from 'yaml';
import { errors } from '../core/status.js';

export const MAX_DEPTH = 256;

/** The nesting depth of a parsed JSON value (a scalar is 0), found without recursion. */
export function jsonDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const depth = d + 1;
    if (depth > max) {
      max = depth;
      if (max > stopAt) return max;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth]);
    }
  }
  return max;
}

function tooDeep(what: string): never {
  throw errors.badRequest(`${what} exceeds the maximum nesting depth of ${MAX_DEPTH}`);
}

/** Throws a 400 when the value nests deeper than MAX_DEPTH. */
export function checkDepth(value: unknown, what = 'the request body'): void {
  if (jsonDepth(value, MAX_DEPTH) > MAX_DEPTH) tooDeep(what);
}

/**
 * An upper bound of a YAML text's nesting, without parsing it: flow brackets outside quotes and comments,
 * plus block nesting, which needs indentation or a `- ` per level on the line.
 */
export function yamlDepthBound(text: string): number {
  let max = 0;
  let flow = 0; // open flow collections carried over from earlier lines
  let quote: string | undefined; // a quoted scalar may span lines
  for (const line of text.split('\n')) {
    let i = 0;
    let block = 0;
    if (flow === 0 && !quote) {
      while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
      block = i;
      while (line.startsWith('- ', i) || line.startsWith('-\t', i)) {
        block += 2;
        i += 2;
        while (i < line.length && line[i] === ' ') i++;
      }
    }
    let flowMax = flow;
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      else if (c === '[' || c === '{') flowMax = Math.max(flowMax, ++flow);
      else if (c === ']' || c === '}') flow = Math.max(0, flow - 1);
    }
    max = Math.max(max, Math.ceil(block / 2) + flowMax);
  }
  return max;
}

/** JSON text to a value; 400 on malformed or too deeply nested input. */
export function decodeJson(text: string, what = 'the request body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
  checkDepth(value, what);
  return value;
}

/** YAML text (one document) to a value; 400 on malformed, too deep or alias-bomb input. */
export function decodeYaml(text: string, what = 'the request body'): unknown {
  if (yamlDepthBound(text) > MAX_DEPTH) tooDeep(what);
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    const msg = e instanceof RangeError ? `nesting too deep` : (e as Error).message.split('\n')[0];
    throw errors.badRequest(`error converting YAML to JSON: ${msg}`);
  }
  checkDepth(value, what);
  return value;
}
