import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { UserRole } from '@rasoat/contracts';
import { AuthErrorCode, AuthException } from './auth.exception';

/** Claims of a rasoat access token: who, which role, scoped to which unit. */
export const TokenClaims = z.object({
  sub: z.string().min(1),
  role: UserRole,
  unit: z.string().min(1),
  name: z.string().optional(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** Signs an HS256 JWT. */
export function signToken(claims: Omit<TokenClaims, 'iat' | 'exp'>, secret: string, now: Date, ttlSeconds = 12 * 3600): string {
  const iat = Math.floor(now.getTime() / 1000);
  const payload = b64url(JSON.stringify({ ...claims, iat, exp: iat + ttlSeconds }));
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/** Verifies signature, algorithm, expiry and claim shapes; throws an AuthException otherwise. */
export function verifyToken(token: string, secret: string, now: Date): TokenClaims {
  const parts = token.split('.');
  const invalid = () => new AuthException('unauthenticated', AuthErrorCode.InvalidToken, 'Mã truy cập không hợp lệ / invalid token');
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
  if (claims.data.exp * 1000 <= now.getTime()) throw new AuthException('unauthenticated', AuthErrorCode.ExpiredToken, 'Mã truy cập đã hết hạn / token expired');
  return claims.data;
}
