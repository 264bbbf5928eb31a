// The "outside world" resolver of a network e2e test, run by the test inside a namespace it made (never
// the internet): answers the names in the JSON file argv[2] ({ "name.": [answers] }) on argv[3]:53.
import { readFileSync } from 'node:fs';
import type { Answer } from 'dns-packet';
import { startTestUpstream } from '../../network/dns/testing/upstream.js';

const records = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, Answer[]>;
const up = await startTestUpstream(process.argv[3] ?? '127.0.0.53', records, Number(process.argv[4] ?? 53));
console.log(JSON.stringify({ ready: true, address: up.address, port: up.port }));
process.once('SIGTERM', () => void up.stop().then(() => process.exit(0)));
