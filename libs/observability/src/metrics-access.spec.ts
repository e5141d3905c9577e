import { isLoopbackAddress, metricsAccessAllowed } from './metrics-access';

describe('metrics access', () => {
  it('recognises loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:192.168.1.2', '2001:db8::1', '', undefined])
      expect(isLoopbackAddress(a)).toBe(false);
  });

  it('allows loopback callers without a token', () => {
    expect(metricsAccessAllowed({ remoteAddress: '127.0.0.1', headers: {} }, undefined)).toBe(true);
  });

  it('refuses remote callers without the token, and loopback callers that came through a proxy', () => {
    expect(metricsAccessAllowed({ remoteAddress: '10.1.2.3', headers: {} }, 'scrape-secret-123456')).toBe(false);
    expect(
      metricsAccessAllowed({ remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } }, undefined),
    ).toBe(false);
    expect(
      metricsAccessAllowed({ remoteAddress: '127.0.0.1', headers: { forwarded: 'for=203.0.113.9' } }, undefined),
    ).toBe(false);
  });

  it('allows the right bearer token from anywhere and refuses a wrong one, even from loopback', () => {
    const token = 'scrape-secret-123456';
    expect(
      metricsAccessAllowed({ remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${token}` } }, token),
    ).toBe(true);
    expect(metricsAccessAllowed({ remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer nope' } }, token)).toBe(
      false,
    );
    expect(metricsAccessAllowed({ remoteAddress: '127.0.0.1', headers: { authorization: 'Bearer nope' } }, token)).toBe(
      false,
    );
    // Without a configured token, a bearer header grants nothing beyond the loopback rule.
    expect(
      metricsAccessAllowed({ remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer anything' } }, undefined),
    ).toBe(false);
  });
});
