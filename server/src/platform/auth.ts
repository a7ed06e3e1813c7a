import type { PlatformRole } from '@abrik/protocol';

/** Who is calling: the signed-in user and their platform role, as their access token says. */
export interface Actor {
  id: string;
  role: PlatformRole;
}

/** Checks an access token (identity's TokenService); throws 401 errors for bad or expired ones. */
export type AccessTokenVerifier = (token: string) => Promise<{ actor: Actor; expiresAt: number }>;
