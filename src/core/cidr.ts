// IPv4 CIDR arithmetic for components that hand out addresses from a range (node IPAM's pod CIDRs, the
// pod IPs a simulated node reports). Addresses are unsigned 32-bit numbers held in plain JS numbers.

/** Network address (host bits cleared) and prefix length of an IPv4 CIDR; throws on anything else. */
export function parseCidr(cidr: string): { ip: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
  // Multiplication and modulo, not bit operators: those work on signed 32-bit integers.
  return { ip: ip - (ip % 2 ** (32 - bits)), bits };
}

/** Dotted quad of an unsigned 32-bit address. */
export function intToIp(n: number): string {
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}

/** The n-th host address of a CIDR (n = 1 is the first usable one); throws past the last usable one. */
export function hostAddress(cidr: string, n: number): string {
  const { ip, bits } = parseCidr(cidr);
  if (n < 1 || n >= 2 ** (32 - bits) - 1) throw new Error(`host ${n} out of range for ${cidr}`);
  return intToIp(ip + n);
}
