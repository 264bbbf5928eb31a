// The nft command as the proxy uses it: whole transactions on stdin (`nft -f -`, applied atomically or
// not at all), a terse listing of our own table, and check mode. Only ever names table `ip tutti-proxy`.
import { TABLE, TABLE_REF } from '../nft/names.js';
import type { ExistingTable } from '../nft/tracker.js';
import type { Exec } from './exec.js';

export class NftError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'NftError';
  }
}

export class Nft {
  constructor(private readonly exec: Exec) {}

  /** Applies a transaction; throws NftError with nft's message when the kernel refuses any of it. */
  async apply(script: string): Promise<void> {
    if (script === '') return;
    const r = await this.exec('nft', ['-f', '-'], script);
    if (r.code !== 0) throw new NftError(`nft transaction failed: ${firstLines(r.stderr)}`, r.stderr);
  }

  /** Checks a transaction against the kernel without applying it (`nft -c`). */
  async check(script: string): Promise<void> {
    const r = await this.exec('nft', ['-c', '-f', '-'], script);
    if (r.code !== 0) throw new NftError(`nft check failed: ${firstLines(r.stderr)}`, r.stderr);
  }

  /** Names of our table's chains, sets and maps, or undefined when the table does not exist. */
  async listTable(): Promise<ExistingTable | undefined> {
    const r = await this.exec('nft', ['-j', '-t', 'list', 'table', ...TABLE_REF.split(' ')]);
    if (r.code !== 0) {
      if (/No such file or directory/.test(r.stderr)) return undefined;
      throw new NftError(`nft list failed: ${firstLines(r.stderr)}`, r.stderr);
    }
    const doc = JSON.parse(r.stdout) as { nftables: Record<string, { table?: string; name?: string }>[] };
    const existing: ExistingTable = { chains: [], sets: [], maps: [] };
    for (const item of doc.nftables) {
      for (const kind of ['chain', 'set', 'map'] as const) {
        const o = item[kind];
        if (o?.table === TABLE && o.name) existing[`${kind}s`].push(o.name);
      }
    }
    return existing;
  }

  /** The text of one chain or map of our table (`nft list chain|map`), for tests and the benchmark. */
  async list(kind: 'chain' | 'map' | 'set', name: string): Promise<string> {
    const r = await this.exec('nft', ['list', kind, ...TABLE_REF.split(' '), name]);
    if (r.code !== 0) throw new NftError(`nft list ${kind} ${name} failed: ${firstLines(r.stderr)}`, r.stderr);
    return r.stdout;
  }

  /** One element of a map or set, or undefined if it is not there: a cheap kernel check for one change. */
  async getElement(set: string, key: string): Promise<string | undefined> {
    const r = await this.exec('nft', ['get', 'element', ...TABLE_REF.split(' '), set, `{ ${key} }`]);
    if (r.code !== 0) return undefined;
    return r.stdout;
  }
}

function firstLines(s: string): string {
  return s.split('\n').filter(Boolean).slice(0, 6).join(' | ');
}
