import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRfc3339InZone, parseCronSchedule } from './cron.js';

const iso = (ms: number | undefined, zone = 'UTC') => (ms === undefined ? '' : formatRfc3339InZone(ms, zone));

// robfig/cron/v3 spec_test.go TestNext, with the seconds field dropped (ParseStandard has none).
test('next activation: wrapping minutes, hours, days, months and years; leap days; unsatisfiable', () => {
  const cases: [string, string, string][] = [
    ['2012-07-09T14:45:00Z', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T14:59:00Z', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T14:59:59Z', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T15:45:00Z', '20-35/15 * * * *', '2012-07-09T16:20:00Z'],
    ['2012-07-09T23:46:00Z', '*/15 * * * *', '2012-07-10T00:00:00Z'],
    ['2012-07-09T23:45:00Z', '20-35/15 * * * *', '2012-07-10T00:20:00Z'],
    ['2012-07-09T23:35:51Z', '20-35/15 1/2 * * *', '2012-07-10T01:20:00Z'],
    ['2012-07-09T23:35:51Z', '20-35/15 10-12 * * *', '2012-07-10T10:20:00Z'],
    ['2012-07-09T23:35:51Z', '20-35/15 1/2 */2 * *', '2012-07-11T01:20:00Z'],
    ['2012-07-09T23:35:51Z', '20-35/15 * 9-20 * *', '2012-07-10T00:20:00Z'],
    ['2012-07-09T23:35:51Z', '20-35/15 * 9-20 Jul *', '2012-07-10T00:20:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 9 Apr-Oct ?', '2012-08-09T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 */5 Apr,Aug,Oct Mon', '2012-08-01T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 */5 Oct Mon', '2012-10-01T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 * Feb Mon', '2013-02-04T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 * Feb Mon/2', '2013-02-01T00:00:00Z'],
    ['2012-12-31T23:59:45Z', '* * * * *', '2013-01-01T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 29 Feb ?', '2016-02-29T00:00:00Z'],
    ['2012-07-09T23:35:00Z', '0 0 30 Feb ?', ''],
    ['2012-07-09T23:35:00Z', '0 0 31 Apr ?', ''],
  ];
  for (const [from, spec, want] of cases) {
    assert.equal(iso(parseCronSchedule(spec).next(Date.parse(from))), want, `${spec} after ${from}`);
  }
});

test('next activation across daylight saving changes in a TZ= zone (skipped hours skipped, repeated run twice)', () => {
  const ny = 'America/New_York';
  const cases: [string, string, string][] = [
    ['2012-03-11T00:00:00-05:00', '30 2 11 Mar ?', '2013-03-11T02:30:00-04:00'],
    ['2012-03-11T00:00:00-05:00', '0 * * * ?', '2012-03-11T01:00:00-05:00'],
    ['2012-03-11T01:00:00-05:00', '0 * * * ?', '2012-03-11T03:00:00-04:00'],
    ['2012-03-11T03:00:00-04:00', '0 * * * ?', '2012-03-11T04:00:00-04:00'],
    ['2012-03-11T00:00:00-05:00', '0 1 * * ?', '2012-03-11T01:00:00-05:00'],
    ['2012-03-11T01:00:00-05:00', '0 1 * * ?', '2012-03-12T01:00:00-04:00'],
    ['2012-03-11T00:00:00-05:00', '0 2 * * ?', '2012-03-12T02:00:00-04:00'],
    ['2012-11-04T00:00:00-04:00', '30 2 04 Nov ?', '2012-11-04T02:30:00-05:00'],
    ['2012-11-04T01:45:00-04:00', '30 1 04 Nov ?', '2012-11-04T01:30:00-05:00'],
    ['2012-11-04T00:00:00-04:00', '0 * * * ?', '2012-11-04T01:00:00-04:00'],
    ['2012-11-04T01:00:00-04:00', '0 * * * ?', '2012-11-04T01:00:00-05:00'],
    ['2012-11-04T01:00:00-05:00', '0 * * * ?', '2012-11-04T02:00:00-05:00'],
    ['2012-11-04T00:00:00-04:00', '0 1 * * ?', '2012-11-04T01:00:00-04:00'],
    ['2012-11-04T01:00:00-04:00', '0 1 * * ?', '2012-11-04T01:00:00-05:00'],
    ['2012-11-04T01:00:00-05:00', '0 1 * * ?', '2012-11-05T01:00:00-05:00'],
    ['2012-11-04T00:00:00-04:00', '0 2 * * ?', '2012-11-04T02:00:00-05:00'],
    ['2012-11-04T02:00:00-05:00', '0 2 * * ?', '2012-11-05T02:00:00-05:00'],
    ['2012-11-04T00:00:00-04:00', '0 3 * * ?', '2012-11-04T03:00:00-05:00'],
  ];
  for (const [from, spec, want] of cases) {
    const s = parseCronSchedule(`TZ=${ny} ${spec}`);
    assert.equal(s.timeZone, ny);
    assert.equal(iso(s.next(Date.parse(from)), ny), want, `${spec} after ${from}`);
  }
  // The same fields with the zone as the controller's default instead of a prefix.
  const viaDefault = parseCronSchedule('0 2 * * ?', ny);
  assert.equal(iso(viaDefault.next(Date.parse('2012-03-11T00:00:00-05:00')), ny), '2012-03-12T02:00:00-04:00');
});

test('day-of-month and day-of-week: either matches unless one is a star', () => {
  // 2024-05-01 is a Wednesday.
  const from = Date.parse('2024-05-01T00:00:00Z');
  assert.equal(iso(parseCronSchedule('0 0 15 * 1').next(from)), '2024-05-06T00:00:00Z', 'the first Monday wins');
  assert.equal(iso(parseCronSchedule('0 0 * * 1').next(from)), '2024-05-06T00:00:00Z');
  assert.equal(iso(parseCronSchedule('0 0 15 * *').next(from)), '2024-05-15T00:00:00Z');
  assert.equal(iso(parseCronSchedule('0 0 15 * */1').next(from)), '2024-05-15T00:00:00Z', '*/1 is still a star');
  assert.equal(
    iso(parseCronSchedule('0 0 15 * */2').next(from)),
    '2024-05-02T00:00:00Z',
    'a stepped day-of-week is no star',
  );
  assert.equal(iso(parseCronSchedule('0 0 * * SUN').next(from)), '2024-05-05T00:00:00Z', 'names are case-insensitive');
});

test('descriptors and @every', () => {
  const from = Date.parse('2024-05-01T10:20:30.500Z');
  assert.equal(iso(parseCronSchedule('@hourly').next(from)), '2024-05-01T11:00:00Z');
  assert.equal(iso(parseCronSchedule('@daily').next(from)), '2024-05-02T00:00:00Z');
  assert.equal(iso(parseCronSchedule('@midnight').next(from)), '2024-05-02T00:00:00Z');
  assert.equal(iso(parseCronSchedule('@weekly').next(from)), '2024-05-05T00:00:00Z');
  assert.equal(iso(parseCronSchedule('@monthly').next(from)), '2024-06-01T00:00:00Z');
  assert.equal(iso(parseCronSchedule('@yearly').next(from)), '2025-01-01T00:00:00Z');
  assert.equal(iso(parseCronSchedule('@annually').next(from)), '2025-01-01T00:00:00Z');
  assert.equal(parseCronSchedule('@every 1h30m').next(from), Date.parse('2024-05-01T11:50:30Z'));
  assert.equal(parseCronSchedule('@every 10ms').next(from), Date.parse('2024-05-01T10:20:31Z'), 'at least a second');
});

test('parse errors carry robfig text', () => {
  const err = (spec: string) => {
    try {
      parseCronSchedule(spec);
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(err(''), 'empty spec string');
  assert.equal(err('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
  assert.equal(err('60 * * * *'), 'end of range (60) above maximum (59): 60');
  assert.equal(err('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(err('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
  assert.equal(err('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(err('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
  assert.equal(err('*/1/2 * * * *'), 'too many slashes: */1/2');
  assert.equal(err('a * * * *'), 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax');
  assert.equal(err('* * * * 7'), 'end of range (7) above maximum (6): 7');
  assert.equal(err('@fortnightly'), 'unrecognized descriptor: @fortnightly');
  assert.equal(err('@every x'), 'failed to parse duration @every x: time: invalid duration "x"');
  assert.equal(err('TZ=Mars/Olympus * * * * *'), 'provided bad location Mars/Olympus: unknown time zone Mars/Olympus');
});

test('RFC 3339 in a zone: the offset, or Z when it is zero', () => {
  const t = Date.parse('2024-01-15T12:00:00Z');
  assert.equal(formatRfc3339InZone(t, 'UTC'), '2024-01-15T12:00:00Z');
  assert.equal(formatRfc3339InZone(t, 'Europe/Berlin'), '2024-01-15T13:00:00+01:00');
  assert.equal(formatRfc3339InZone(t, 'Europe/London'), '2024-01-15T12:00:00Z');
  assert.equal(formatRfc3339InZone(t, 'America/New_York'), '2024-01-15T07:00:00-05:00');
  assert.equal(formatRfc3339InZone(t, 'Asia/Kolkata'), '2024-01-15T17:30:00+05:30');
});
