import { internalRangeOf, WebhookAddressPolicy } from './webhook-address';

describe('webhook addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'private'],
    ['::ffff:10.0.0.5', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique-local'],
    ['FC00::abcd', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
  ])('refuses %s (%s)', (address, range) => {
    expect(internalRangeOf(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '172.15.255.255',
    '192.169.0.1',
    '100.128.0.1',
    '203.113.130.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
  ])('lets the public address %s through', (address) => {
    expect(internalRangeOf(address)).toBeUndefined();
  });

  it('refuses an internal IP literal in a URL, in any of the forms the URL parser normalises, unless the host is allowed', () => {
    const policy = new WebhookAddressPolicy(['127.0.0.1', 'fd00::7']);
    for (const url of [
      'https://169.254.169.254/latest/meta-data/',
      'https://0x7f.0.0.2/',
      'https://2130706434/',
      'http://[::ffff:10.0.0.1]:8080/hook',
      'https://[fd00::8]/',
    ]) {
      const refused = policy.literalRefusal(new URL(url));
      expect({ url, refused: refused?.message }).toEqual({
        url,
        refused: expect.stringContaining('notifications.webhookAllowedHosts'),
      });
    }
    expect(policy.literalRefusal(new URL('https://169.254.169.254/'))?.message).toContain('link-local');
    expect(policy.literalRefusal(new URL('http://127.0.0.1:9000/ok'))).toBeUndefined();
    expect(policy.literalRefusal(new URL('https://[FD00::7]/'))).toBeUndefined();
    expect(policy.literalRefusal(new URL('https://203.113.130.1/'))).toBeUndefined();
    // A name is checked on what it resolves to (the subscription's `refusal`, each delivery's lookup).
    expect(policy.literalRefusal(new URL('https://localhost/'))).toBeUndefined();
  });

  it('allows a listed host by its name, whatever the case of the URL', () => {
    const policy = new WebhookAddressPolicy(['hooks.lan']);
    expect(policy.isAllowed(new URL('https://HOOKS.lan:8443/x'))).toBe(true);
    expect(policy.isAllowed(new URL('https://evil.hooks.lan/'))).toBe(false);
  });
});
