// Helper process for durability.test.ts: writes forever from 32 concurrent clients and prints
// "<key> <revision>" for each write once its txn resolved (i.e. it is acknowledged as durable).
// The test kill -9s it at some point. stdout writes to a pipe are synchronous on Linux, so a printed
// line always means the ack happened before the kill.
import { openSqliteStore } from './index.js';

const [path, tag] = process.argv.slice(2);
if (!path || !tag) throw new Error('usage: durability-child <db path> <tag>');
const store = await openSqliteStore({ path });
const value = 'x'.repeat(1024);

async function client(id: number): Promise<never> {
  for (let i = 0; ; i++) {
    const key = `/dur/${tag}/${id}/${i}`;
    const r = await store.txn([{ key, target: 'version', result: '=', value: 0 }], [{ type: 'put', key, value }]);
    if (!r.succeeded) throw new Error(`key ${key} already existed`);
    process.stdout.write(`${key} ${r.revision}\n`);
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 32 }, (_, id) => client(id)));
