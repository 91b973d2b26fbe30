/**
 * Classifies an IP address for the SSRF guard: only `public` addresses are webhook targets,
 * unless private targets are explicitly allowed. IPv4 special-purpose ranges follow the IANA
 * registry; for IPv6 only global unicast (2000::/3) outside its special ranges is public, and
 * every form that embeds or tunnels to an IPv4 address (mapped, compatible, 6to4, Teredo) is
 * refused, but for NAT64 (64:ff9b::/96), which is judged by the IPv4 address it embeds.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'ipv4-mapped'
  | 'tunnel';

type V4Rule = [base: string, prefix: number, cls: AddressClass];

const V4_RULES: V4Rule[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'cgnat'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

function v4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

const V4_COMPILED = V4_RULES.map(([base, prefix, cls]) => {
  const size = 2 ** (32 - prefix);
  const start = Math.floor(v4ToInt(base) / size) * size;
  return { start, end: start + size - 1, cls };
});

export function classifyIPv4(address: string): AddressClass {
  const n = v4ToInt(address);
  return V4_COMPILED.find((r) => n >= r.start && n <= r.end)?.cls ?? 'public';
}

/** The 16 bytes of an IPv6 address (without a zone), embedded dotted IPv4 included. */
export function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const bytes = new Uint8Array(16);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted?.[1]) {
    tail = dotted[1].split('.').map(Number);
    const head = text.slice(0, -dotted[1].length);
    text = head.endsWith('::') ? head : head.replace(/:$/, '');
  }
  const [left = '', right] = text.split('::');
  const groups = (s: string): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const total = 8 - tail.length / 2;
  const words =
    right === undefined
      ? l
      : [...l, ...new Array<number>(total - l.length - r.length).fill(0), ...r];
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  tail.forEach((b, i) => (bytes[12 + i] = b));
  return bytes;
}

function matches(bytes: Uint8Array, prefix: number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const remaining = Math.min(8, bits - bit);
    const mask = (0xff << (8 - remaining)) & 0xff;
    if (((bytes[bit / 8] ?? 0) & mask) !== ((prefix[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

const embeddedV4 = (bytes: Uint8Array): string => Array.from(bytes.slice(12)).join('.');

export function classifyIPv6(address: string): AddressClass {
  const bytes = ipv6Bytes(address.split('%')[0] ?? address);
  const zero = new Array<number>(16).fill(0);
  if (bytes.every((b) => b === 0)) return 'unspecified';
  if (matches(bytes, [...zero.slice(0, 15), 1], 128)) return 'loopback';
  if (matches(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return 'ipv4-mapped';
  if (matches(bytes, zero, 96)) return 'reserved'; // IPv4-compatible, deprecated
  if (matches(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) {
    return classifyIPv4(embeddedV4(bytes)); // NAT64 well-known prefix
  }
  if (matches(bytes, [0, 0x64, 0xff, 0x9b, 0, 1], 48)) return 'private'; // local-use NAT64
  if (matches(bytes, [0xfe, 0x80], 10)) return 'link-local';
  if (matches(bytes, [0xfe, 0xc0], 10)) return 'private'; // site-local, deprecated
  if (matches(bytes, [0xfc], 7)) return 'private'; // unique local
  if (matches(bytes, [0xff], 8)) return 'multicast';
  if (matches(bytes, [0x20, 0x01, 0x0d, 0xb8], 32)) return 'documentation';
  if (matches(bytes, [0x3f, 0xff], 20)) return 'documentation';
  if (matches(bytes, [0x20, 0x01, 0, 0], 32)) return 'tunnel'; // Teredo
  if (matches(bytes, [0x20, 0x02], 16)) return 'tunnel'; // 6to4
  if (matches(bytes, [0x20, 0x01, 0x00, 0x02, 0, 0], 48)) return 'benchmarking';
  if (matches(bytes, [0x20, 0x01, 0x00], 23)) return 'reserved'; // IETF protocol assignments
  if (matches(bytes, [0x5f, 0x00], 16)) return 'reserved'; // SRv6 SIDs
  if (!matches(bytes, [0x20], 3)) return 'reserved'; // outside global unicast
  return 'public';
}

/** The class of an IP literal; throws on anything that is not one. */
export function classifyAddress(address: string): AddressClass {
  if (isIPv4(address)) return classifyIPv4(address);
  if (isIPv6(address.split('%')[0] ?? '')) return classifyIPv6(address);
  throw new Error(`not an IP address: ${address}`);
}
