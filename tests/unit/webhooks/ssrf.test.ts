import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../../src/webhooks/ip-ranges';
import { resolveTarget, TargetRefusedError, type Resolver } from '../../../src/webhooks/ssrf';

describe('address classification', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
  ])('IPv4 %s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it.each([
    ['2606:4700:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'ipv4-mapped'],
    ['::ffff:8.8.8.8', 'ipv4-mapped'],
    ['::ffff:7f00:1', 'ipv4-mapped'],
    ['::127.0.0.1', 'reserved'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'tunnel'],
    ['2002:7f00:1::1', 'tunnel'],
    ['100::1', 'reserved'],
  ])('IPv6 %s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });
});

const strict = { allowPrivate: false, requireHttps: false };
const resolverOf =
  (answers: Record<string, string[]>): Resolver =>
  async (host) => {
    const found = answers[host];
    if (!found) throw new Error('ENOTFOUND');
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

async function refusal(url: string, policy = strict, resolver: Resolver = resolverOf({})) {
  try {
    await resolveTarget(url, policy, resolver);
  } catch (err) {
    if (err instanceof TargetRefusedError) return err.reason;
    throw err;
  }
  return undefined;
}

describe('target check', () => {
  it('refuses loopback, private and metadata literals', async () => {
    expect(await refusal('http://127.0.0.1:8080/hook')).toBe('loopback');
    expect(await refusal('http://[::1]/hook')).toBe('loopback');
    expect(await refusal('http://10.0.0.5/hook')).toBe('private');
    expect(await refusal('http://169.254.169.254/latest/meta-data')).toBe('link-local');
    expect(await refusal('http://[::ffff:127.0.0.1]/')).toBe('ipv4-mapped');
  });

  it('refuses the odd spellings of 127.0.0.1 (the URL parser normalizes them)', async () => {
    expect(await refusal('http://2130706433/')).toBe('loopback');
    expect(await refusal('http://0x7f.1/')).toBe('loopback');
    expect(await refusal('http://127.1/')).toBe('loopback');
  });

  it('refuses a name that resolves to a private address', async () => {
    const resolver = resolverOf({
      'evil.example': ['127.0.0.1'],
      'internal.example': ['10.0.0.7'],
    });
    expect(await refusal('https://evil.example/hook', strict, resolver)).toBe('loopback');
    expect(await refusal('https://internal.example/hook', strict, resolver)).toBe('private');
  });

  it('refuses a name when any of its addresses is private', async () => {
    const resolver = resolverOf({ 'mixed.example': ['93.184.216.34', '192.168.0.10'] });
    expect(await refusal('https://mixed.example/', strict, resolver)).toBe('private');
  });

  it('refuses localhost through the system resolver', async () => {
    expect(await refusal('http://localhost:9/hook')).toMatch(/loopback|unresolvable/);
  });

  it('accepts a public target and returns the address to connect to', async () => {
    const resolver = resolverOf({ 'hooks.example': ['93.184.216.34'] });
    const { url, target } = await resolveTarget('https://hooks.example/in', strict, resolver);
    expect(url.hostname).toBe('hooks.example');
    expect(target).toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('allows private targets only when told to', async () => {
    const { target } = await resolveTarget('http://127.0.0.1:9/hook', {
      allowPrivate: true,
      requireHttps: false,
    });
    expect(target.address).toBe('127.0.0.1');
  });

  it('requires https in production', async () => {
    const resolver = resolverOf({ 'hooks.example': ['93.184.216.34'] });
    expect(
      await refusal('http://hooks.example/', { allowPrivate: false, requireHttps: true }, resolver),
    ).toBe('scheme');
  });

  it('refuses other schemes, credentials, and names that do not resolve', async () => {
    expect(await refusal('ftp://hooks.example/')).toBe('scheme');
    expect(await refusal('file:///etc/passwd')).toBe('scheme');
    expect(await refusal('https://user:pw@hooks.example/')).toBe('credentials');
    expect(await refusal('not a url')).toBe('invalid-url');
    expect(await refusal('https://nowhere.example/')).toBe('unresolvable');
  });
});
