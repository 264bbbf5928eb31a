// The nft command as the proxy uses it: whole transactions on stdin (`nft -f -`, applied atomically or
// not at all), a terse listing of our own table, and check mode. Only ever names table `ip tutti-proxy`.
import { FAMILY, TABLE, TABLE_REF } from '../nft/names.js';
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

  /**
   * Names of our table's chains, or undefined when the table does not exist. Chains only: listing sets
   * makes nft fetch every element (seconds at 100,000), so the caller knows its sets from its last sync.
   */
  async listChains(): Promise<string[] | undefined> {
    const r = await this.exec('nft', ['-j', 'list', 'chains', FAMILY]);
    if (r.code !== 0) throw new NftError(`nft list chains failed: ${firstLines(r.stderr)}`, r.stderr);
    const doc = JSON.parse(r.stdout) as { nftables: { chain?: { table?: string; name?: string } }[] };
    const chains = doc.nftables.flatMap((i) => (i.chain?.table === TABLE && i.chain.name ? [i.chain.name] : []));
    if (chains.length > 0) return chains;
    // A table without chains (or none at all): a set-only listing of our table is cheap then.
    const t = await this.exec('nft', ['-t', 'list', 'table', FAMILY, TABLE]);
    return t.code === 0 ? [] : undefined;
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
