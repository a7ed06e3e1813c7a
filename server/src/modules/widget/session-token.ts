import { WIDGET_SESSION_AUDIENCE } from '@abrik/protocol';
import { jwtVerify, SignJWT } from 'jose';

export interface VisitorClaims {
  widgetId: string;
  visitorId: string;
  /** The verified contact, when the site proved who the visitor is. */
  contactId: string | null;
  userId: string | null;
  /** The contact is a verified one (the site proved who the visitor is). */
  verified: boolean;
  /** The host page's origin the session was opened for (checked again at each use). */
  hostOrigin: string | null;
}

const ISSUER = 'abrik';

/**
 * Visitor session tokens: HS256 JWTs with the server's key (JWT_SECRET, as access tokens) and
 * the audience `widget`, so neither kind is ever accepted as the other.
 */
export class VisitorTokens {
  private readonly key: Uint8Array;

  constructor(private readonly settings: { secret: string; ttlSeconds: number; now: () => number }) {
    this.key = new TextEncoder().encode(settings.secret);
  }

  async sign(claims: VisitorClaims): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.settings.now() / 1000);
    const exp = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({
      wid: claims.widgetId,
      ...(claims.contactId ? { cid: claims.contactId, uid: claims.userId } : {}),
      ...(claims.verified ? { vf: true } : {}),
      ...(claims.hostOrigin ? { ho: claims.hostOrigin } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.visitorId)
      .setIssuer(ISSUER)
      .setAudience(WIDGET_SESSION_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /**
   * The claims of a session token of ours, or undefined. `expiredWithinSeconds` accepts one that
   * expired that long ago (resuming an anonymous visitor id).
   */
  async verify(
    token: string,
    expiredWithinSeconds = 0,
  ): Promise<(VisitorClaims & { expiresAt: number }) | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: WIDGET_SESSION_AUDIENCE,
        algorithms: ['HS256'],
        clockTolerance: expiredWithinSeconds,
        currentDate: new Date(this.settings.now()),
      });
      if (typeof payload.sub !== 'string' || typeof payload.wid !== 'string') return undefined;
      return {
        expiresAt: payload.exp ?? 0,
        widgetId: payload.wid,
        visitorId: payload.sub,
        contactId: typeof payload.cid === 'string' ? payload.cid : null,
        userId: typeof payload.uid === 'string' ? payload.uid : null,
        verified: payload.vf === true,
        hostOrigin: typeof payload.ho === 'string' ? payload.ho : null,
      };
    } catch {
      return undefined;
    }
  }
}
