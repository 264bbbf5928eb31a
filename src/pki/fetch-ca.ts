// How a joining agent learns the CA: download /cacerts without verifying TLS (it cannot yet), then accept the
// bytes only if their sha256 matches the hash pinned in its join token. After that it verifies normally.
import { request } from 'node:https';
import * as x509 from '@peculiar/x509';
import { parseJoinToken, verifyCaHash } from './tokens.js';

const MAX_CA_BYTES = 64 * 1024;
const TIMEOUT_MS = 10_000;

export async function fetchTrustedCa(serverUrl: string, token: string): Promise<string> {
  const { caHash } = parseJoinToken(token);
  if (!caHash) throw new Error('join token does not pin a CA hash (expected K10<hash>::server:<secret>)');
  const url = new URL('/cacerts', serverUrl);
  if (url.protocol !== 'https:') throw new Error(`server URL must be https: ${serverUrl}`);
  const caPem = await getUnverified(url);
  if (!verifyCaHash(caPem, caHash)) throw new Error(`CA certificate from ${url.origin} does not match the join token`);
  new x509.X509Certificate(caPem); // the hash matched, so this only fails if the server pinned garbage
  return caPem;
}

function getUnverified(url: URL): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false, timeout: TIMEOUT_MS }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url.href}: HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_CA_BYTES) {
          req.destroy(new Error(`GET ${url.href}: CA bundle larger than ${MAX_CA_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.href}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
