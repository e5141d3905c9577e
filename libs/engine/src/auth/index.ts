export { NATION, assertInScope, inScope, isNational } from './actor-scope';
export { AuthErrorCode, AuthException } from './auth.exception';
export { TokenAudience, TokenClaims, signToken, verifyToken } from './jwt';
export { seesPersonalData } from './personal-data-access';
export { roleLevelRefusal } from './role-level';
