// Test helper: a Prometheus exposition parsed with src/metrics' parser, and its structure checked.
import assert from 'node:assert/strict';
import { parsePrometheusText, type Sample } from '../metrics/index.js';

/** Parses the text and checks its structure: one # TYPE per family, every sample in a declared family. */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (!m) continue;
    assert.ok(!types.has(m[1]!), `# TYPE ${m[1]} declared twice`);
    types.set(m[1]!, m[2]!);
  }
  const samples = parsePrometheusText(text);
  for (const s of samples) {
    const family = types.has(s.name) ? s.name : s.name.replace(/_(bucket|sum|count|total|created)$/, '');
    assert.ok(types.has(family), `sample ${s.name} has no # TYPE`);
  }
  return { samples, types };
}
