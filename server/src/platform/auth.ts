import type { PlatformRole } from '@abrik/protocol';

/** Who is calling: the signed-in user and their platform role, as their access token says. */
export interface Actor {
  id: string;
  role: PlatformRole;
  /** The sign-in session (refresh token family) the access token belongs to, when it says. */
  sessionId?: string | undefined;
}

/** Checks an access token (identity's TokenService); throws 401 errors for bad or expired ones. */
export type AccessTokenVerifier = (token: string) => Promise<{ actor: Actor; expiresAt: number }>;
