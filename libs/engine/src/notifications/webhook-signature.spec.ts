import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'a-secret-of-at-least-16-chars';
  const body = JSON.stringify({ type: 'notification.digest', subject: 'Tổng hợp nhắc việc' });

  it('is sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`1795000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1795000000, body)).toBe(`sha256=${expected}`);
  });

  it('verifies the right signature and refuses a changed body, timestamp or secret, and stale requests', () => {
    const signature = signWebhook(secret, 1795000000, body);
    expect(verifyWebhook(secret, { timestamp: '1795000000', signature }, body)).toBe(true);
    expect(verifyWebhook(secret, { timestamp: '1795000000', signature }, body.replace('digest', 'digesT'))).toBe(false);
    expect(verifyWebhook(secret, { timestamp: '1795000001', signature }, body)).toBe(false);
    expect(verifyWebhook('another-secret-of-16-chars', { timestamp: '1795000000', signature }, body)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: undefined, signature }, body)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: '1795000000', signature }, body, new Date(1795000000_000 + 60_000))).toBe(
      true,
    );
    expect(
      verifyWebhook(secret, { timestamp: '1795000000', signature }, body, new Date(1795000000_000 + 3_600_000)),
    ).toBe(false);
  });
});
