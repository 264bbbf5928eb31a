import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FlagSpec,
  UsageError,
  boolFlag,
  noPositionals,
  numberFlag,
  parseArgs,
  parseFlags,
  stringFlag,
  wantsHelp,
} from './flags.js';

const SPEC: FlagSpec = { port: 'number', name: 'string', 'disable-x': 'boolean' };

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a UsageError');
}

describe('parseFlags', () => {
  it('reads values in both forms, booleans and positionals', () => {
    const args = parseFlags(['--port', '8443', '--name=web', '--disable-x', 'extra', '--', '--port', '1'], SPEC);
    assert.equal(numberFlag(args, 'port', 6443), 8443);
    assert.equal(stringFlag(args, 'name'), 'web');
    assert.equal(boolFlag(args, 'disable-x'), true);
    assert.deepEqual(args.positionals, ['extra', '--port', '1']);
  });

  it('falls back to defaults for absent flags', () => {
    const args = parseFlags([], SPEC);
    assert.equal(numberFlag(args, 'port', 6443), 6443);
    assert.equal(stringFlag(args, 'name', 'dflt'), 'dflt');
    assert.equal(stringFlag(args, 'name'), undefined);
    assert.equal(boolFlag(args, 'disable-x'), false);
  });

  it('keeps the last value of a repeated flag', () => {
    const args = parseFlags(['--name', 'a', '--name=b', '--port=1', '--port', '2'], SPEC);
    assert.equal(stringFlag(args, 'name'), 'b');
    assert.equal(numberFlag(args, 'port', 0), 2);
  });

  it('takes true/false for booleans and values that start with a single dash', () => {
    assert.equal(boolFlag(parseFlags(['--disable-x=false'], SPEC), 'disable-x'), false);
    assert.equal(boolFlag(parseFlags(['--disable-x=true'], SPEC), 'disable-x'), true);
    assert.equal(numberFlag(parseFlags(['--port', '-1'], SPEC), 'port', 0), -1);
    assert.equal(stringFlag(parseFlags(['--name='], SPEC), 'name'), '');
    assert.ok(parseFlags(['-h'], SPEC).flags.has('help'));
    assert.ok(parseFlags(['--help'], SPEC).flags.has('help'));
  });

  it('names the flag of each kind of bad input', () => {
    assert.equal(
      usageError(() => parseFlags(['--bogus'], SPEC)),
      'unknown flag --bogus',
    );
    assert.equal(
      usageError(() => parseFlags(['--bogus=1'], SPEC)),
      'unknown flag --bogus',
    );
    assert.equal(
      usageError(() => parseFlags(['-x'], SPEC)),
      'unknown flag -x',
    );
    assert.equal(
      usageError(() => parseFlags(['--name'], SPEC)),
      'flag --name needs a value',
    );
    assert.equal(
      usageError(() => parseFlags(['--name', '--port', '1'], SPEC)),
      'flag --name needs a value',
    );
    assert.equal(
      usageError(() => parseFlags(['--port', 'abc'], SPEC)),
      'flag --port must be a number, got "abc"',
    );
    assert.equal(
      usageError(() => parseFlags(['--port='], SPEC)),
      'flag --port must be a number, got ""',
    );
    assert.equal(
      usageError(() => parseFlags(['--disable-x=maybe'], SPEC)),
      'flag --disable-x is true or false, got "maybe"',
    );
    assert.equal(
      usageError(() => noPositionals(parseFlags(['stray'], SPEC))),
      'unexpected argument "stray"',
    );
  });
});

describe('wantsHelp', () => {
  it('finds --help or -h before --', () => {
    assert.equal(wantsHelp(['--port', '1', '--help']), true);
    assert.equal(wantsHelp(['-h', '--bogus']), true);
    assert.equal(wantsHelp(['--', '--help']), false);
    assert.equal(wantsHelp(['--port', '1']), false);
  });
});

describe('parseArgs (permissive)', () => {
  it('accepts any flag, boolean when listed or when no value follows', () => {
    const args = parseArgs(['--simulate', '3', '--cpu=2', '--help', '--verbose'], new Set(['help']));
    assert.equal(numberFlag(args, 'simulate', 0), 3);
    assert.equal(stringFlag(args, 'cpu'), '2');
    assert.equal(boolFlag(args, 'help'), true);
    assert.equal(boolFlag(args, 'verbose'), true);
  });

  it('reports a value flag given without one, and a non-number, as usage errors', () => {
    const args = parseArgs(['--server', '--pods', 'many']);
    assert.equal(
      usageError(() => stringFlag(args, 'server')),
      'flag --server needs a value',
    );
    assert.equal(
      usageError(() => numberFlag(args, 'pods', 1)),
      'flag --pods must be a number, got "many"',
    );
  });
});
