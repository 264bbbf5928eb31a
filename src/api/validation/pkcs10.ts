// PKCS#10 certificate requests, checked as upstream's validateCSR does (certificates.ParseCSR and
// CheckSignature): one PEM block "CERTIFICATE REQUEST" whose self-signature verifies. Returns Go's error text.
import { createPublicKey, verify, X509Certificate } from 'node:crypto';

interface Tlv {
  tag: number;
  /** Offsets into the buffer: the whole element and its contents. */
  start: number;
  contentStart: number;
  end: number;
}

class Malformed extends Error {}

function readTlv(buf: Buffer, at: number, limit = buf.length): Tlv {
  if (at + 2 > limit) throw new Malformed();
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let off = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || off + n > limit) throw new Malformed();
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + i]!;
    off += n;
  }
  if (off + len > limit) throw new Malformed();
  return { tag, start: at, contentStart: off, end: off + len };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const t = readTlv(buf, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

function oid(buf: Buffer, t: Tlv): string {
  const bytes = buf.subarray(t.contentStart, t.end);
  const parts: number[] = [];
  let v = 0;
  for (const b of bytes) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  return [Math.min(2, Math.floor(first / 40)), first - 40 * Math.min(2, Math.floor(first / 40)), ...parts].join('.');
}

/** Signature algorithms x509.CheckSignature verifies: digest and key type. */
const ALGORITHMS: Record<string, { hash: string | null; key: 'rsa' | 'ec' | 'ed25519' }> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1', key: 'rsa' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', key: 'rsa' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', key: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', key: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', key: 'ec' },
  '1.3.101.112': { hash: null, key: 'ed25519' },
};

const FAILURE: Record<string, string> = {
  rsa: 'crypto/rsa: verification error',
  ec: 'x509: ECDSA verification failure',
  ed25519: 'x509: Ed25519 verification failure',
};

/** The first PEM block of `text`, as Go's pem.Decode finds it. */
function firstPemBlock(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  const body = m[2]!.split(/\r?\n/).filter((l) => !l.includes(':'));
  return { type: m[1]!, der: Buffer.from(body.join(''), 'base64') };
}

/** Why a PEM-encoded PKCS#10 request is not acceptable, or undefined when it parses and its signature verifies. */
export function certificateRequestError(pem: Buffer): string | undefined {
  const block = firstPemBlock(pem.toString('latin1'));
  if (!block || block.type !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  const der = block.der;
  let info: Tlv;
  let algorithm: string;
  let signature: Buffer;
  let spki: Buffer;
  try {
    const outer = readTlv(der, 0);
    const [infoTlv, algTlv, sigTlv] = children(der, outer);
    if (!infoTlv || !algTlv || !sigTlv || sigTlv.tag !== 0x03) throw new Malformed();
    info = infoTlv;
    const [oidTlv] = children(der, algTlv);
    if (!oidTlv || oidTlv.tag !== 0x06) throw new Malformed();
    algorithm = oid(der, oidTlv);
    signature = der.subarray(sigTlv.contentStart + 1, sigTlv.end);
    const [, , spkiTlv] = children(der, info);
    if (!spkiTlv || spkiTlv.tag !== 0x30) throw new Malformed();
    spki = der.subarray(spkiTlv.start, spkiTlv.end);
  } catch {
    return 'x509: malformed certificate request';
  }
  const alg = ALGORITHMS[algorithm];
  if (!alg) return 'x509: cannot verify signature: algorithm unimplemented';
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const ok = verify(alg.hash, der.subarray(info.start, info.end), { key, dsaEncoding: 'der' }, signature);
    return ok ? undefined : FAILURE[alg.key];
  } catch {
    return FAILURE[alg.key];
  }
}

/**
 * upstream validateCertificate (status.certificate): one or more CERTIFICATE PEM blocks without headers, each
 * a parsable certificate; empty is fine. Returns Go's error text.
 */
export function certificateError(pem: Buffer): string | undefined {
  if (pem.length === 0) return undefined;
  const blocks = [...pem.toString('latin1').matchAll(/-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g)];
  for (const m of blocks) {
    if (m[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(m[1])}`;
    const lines = m[2]!.split(/\r?\n/);
    if (lines.some((l) => l.includes(':'))) return 'no PEM block headers are permitted';
    try {
      new X509Certificate(Buffer.from(lines.join(''), 'base64'));
    } catch {
      return 'x509: malformed certificate';
    }
  }
  return blocks.length === 0 ? 'must contain at least one CERTIFICATE PEM block' : undefined;
}
