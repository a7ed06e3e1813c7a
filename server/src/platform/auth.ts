import type { PlatformRole } from '@abrik/protocol';

/** Who is calling: the signed-in user and their platform role, as their access token says. */
export interface Actor {
  id: string;
  role: PlatformRole;
  /** The sign-in session (refresh token family) the access token belongs to, when it says. */
  sessionId?: string | undefined;
  /**
   * A website widget's visitor (a customer user known only through one widget), set when the
   * caller holds a visitor session instead of an access token. Such a caller reaches only the
   * widget's routes and a few socket events about their own conversations.
   */
  visitor?: VisitorContext | undefined;
}

export interface VisitorContext {
  widgetId: string;
  contactId: string;
  /** The site proved who the visitor is (identity token or HMAC). */
  verified: boolean;
  /** The page the widget is embedded in, as the session was opened for it. */
  hostOrigin: string | null;
  /** Where the connection or request comes from (per-IP limits). */
  ip: string;
  /** Counted against the widget's rates already (the first message, by the start carrying it). */
  counted?: boolean | undefined;
}

/** Checks a widget visitor's session token at a socket's handshake (the widget module answers). */
export type VisitorTokenVerifier = (
  token: string,
  /** The request's `Origin` and `Host` headers: a page of ours (the chat frame) has the same host. */
  handshake: { origin: string | undefined; host: string | undefined; ip: string },
) => Promise<{ actor: Actor; expiresAt: number }>;

/** Checks an access token (identity's TokenService); throws 401 errors for bad or expired ones. */
export type AccessTokenVerifier = (token: string) => Promise<{ actor: Actor; expiresAt: number }>;
