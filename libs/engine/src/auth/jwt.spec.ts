import { AuthErrorCode, AuthException } from './auth.exception';
import { signToken, TokenAudience, verifyToken } from './jwt';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const NOW = new Date('2026-10-01T03:00:00Z');
const ADMIN = { sub: 'admin@VN', role: 'national_admin' as const, unit: 'VN' };

function failure(run: () => unknown): AuthException {
  try {
    run();
  } catch (e) {
    if (e instanceof AuthException) return e;
    throw e;
  }
  throw new Error('expected an AuthException');
}

describe('access tokens and their audience', () => {
  it('accepts an API token (no audience) where no audience is asked for', () => {
    const claims = verifyToken(signToken(ADMIN, SECRET, NOW), SECRET, NOW);
    expect(claims).toMatchObject(ADMIN);
    expect(claims.aud).toBeUndefined();
  });

  it('refuses a queue-dashboard token as an API token, naming what it is for', () => {
    const dashboard = signToken({ ...ADMIN, aud: TokenAudience.QueueDashboard }, SECRET, NOW, 900);
    const e = failure(() => verifyToken(dashboard, SECRET, NOW));
    expect(e.code).toBe(AuthErrorCode.WrongAudience);
    expect(e.kind).toBe('unauthenticated');
    expect(e.message).toContain('/admin/queues');
    expect(verifyToken(dashboard, SECRET, NOW, TokenAudience.QueueDashboard)).toMatchObject({
      aud: TokenAudience.QueueDashboard,
    });
  });

  it('refuses an API token where a queue-dashboard token is asked for (the session cookie)', () => {
    const e = failure(() => verifyToken(signToken(ADMIN, SECRET, NOW), SECRET, NOW, TokenAudience.QueueDashboard));
    expect(e.code).toBe(AuthErrorCode.WrongAudience);
    expect(e.message).toContain('POST /api/admin/session');
  });

  it('refuses an audience it does not know as an invalid token', () => {
    const forged = signToken({ ...ADMIN, aud: 'elsewhere' as TokenAudience }, SECRET, NOW);
    expect(failure(() => verifyToken(forged, SECRET, NOW)).code).toBe(AuthErrorCode.InvalidToken);
  });
});
