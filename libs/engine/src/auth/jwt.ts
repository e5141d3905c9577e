import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { UserRole } from '@rasoat/contracts';
import { AuthErrorCode, AuthException } from './auth.exception';

/**
 * What a token is for (its `aud` claim). An API access token has none; a token minted for one
 * narrower use names it, and is refused everywhere else.
 */
export const TokenAudience = {
  /** The queue dashboard's browser session (the cookie of `POST /api/admin/session`): opens /admin/queues only. */
  QueueDashboard: 'rasoat:queue-dashboard',
} as const;
export type TokenAudience = (typeof TokenAudience)[keyof typeof TokenAudience];

/** Claims of a rasoat access token: who, which role, scoped to which unit, and for what (`aud`, absent for the API). */
export const TokenClaims = z.object({
  sub: z.string().min(1),
  role: UserRole,
  unit: z.string().min(1),
  name: z.string().optional(),
  aud: z.enum(Object.values(TokenAudience) as [TokenAudience, ...TokenAudience[]]).optional(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** Signs an HS256 JWT. */
export function signToken(
  claims: Omit<TokenClaims, 'iat' | 'exp'>,
  secret: string,
  now: Date,
  ttlSeconds = 12 * 3600,
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const payload = b64url(JSON.stringify({ ...claims, iat, exp: iat + ttlSeconds }));
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/**
 * Verifies signature, algorithm, claim shapes, audience and expiry; throws an AuthException
 * otherwise. Without `audience` only an API access token (no `aud`) passes: a token minted for
 * a narrower use (the dashboard's cookie) is never accepted as an API bearer token.
 */
export function verifyToken(token: string, secret: string, now: Date, audience?: TokenAudience): TokenClaims {
  const parts = token.split('.');
  const invalid = () =>
    new AuthException('unauthenticated', AuthErrorCode.InvalidToken, 'Mã truy cập không hợp lệ / invalid token');
  if (parts.length !== 3 || parts[0] !== HEADER) throw invalid();
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const claims = TokenClaims.safeParse(json);
  if (!claims.success) throw invalid();
  if (claims.data.aud !== audience) throw wrongAudience(claims.data.aud, audience);
  if (claims.data.exp * 1000 <= now.getTime())
    throw new AuthException('unauthenticated', AuthErrorCode.ExpiredToken, 'Mã truy cập đã hết hạn / token expired');
  return claims.data;
}

function wrongAudience(given: TokenAudience | undefined, expected: TokenAudience | undefined): AuthException {
  const message =
    given === TokenAudience.QueueDashboard
      ? 'Mã phiên xem hàng đợi chỉ mở được /admin/queues, không dùng cho API / a queue-dashboard session token opens /admin/queues only, not the API'
      : expected === TokenAudience.QueueDashboard
        ? 'Cookie phiên không chứa mã phiên xem hàng đợi: mở phiên bằng POST /api/admin/session / the session cookie does not hold a queue-dashboard session token; open a session with POST /api/admin/session'
        : 'Mã truy cập không dùng được ở đây / this token is not valid here';
  return new AuthException('unauthenticated', AuthErrorCode.WrongAudience, message);
}
