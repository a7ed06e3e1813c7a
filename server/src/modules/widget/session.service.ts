import { createHash, randomUUID } from 'node:crypto';
import { NameSchema, type WidgetSession } from '@abrik/protocol';
import { AppError, ForbiddenError } from '../../platform/errors.js';
import type { RateLimit, RateLimitFactory } from '../../platform/redis/rate-limit.js';
import type { UserService } from '../identity/user.service.js';
import { type ReplayGuard, type VerifiedIdentity, verifyIdentityToken, verifyUserHash } from './identity.js';
import type { VisitorTokens } from './session-token.js';
import type { WidgetRow } from './tables.js';
import type { WidgetRepository } from './widget.repository.js';

export interface SessionRequest {
  widgetId: string;
  /** The request's `Origin` header. */
  origin: string | undefined;
  /** The request's `Host` header: an `Origin` on the same host is our own chat frame asking. */
  host: string | undefined;
  /** The host page's origin, as our chat frame states it (only used when the frame asks). */
  hostOrigin?: string | undefined;
  ip: string;
  token?: string | undefined;
  userId?: string | undefined;
  userHash?: string | undefined;
  visitorToken?: string | undefined;
  /** Told once the origin is the widget's own (the edge then lets the page read the answer). */
  onOriginAllowed?: (origin: string) => void;
}

export interface WidgetSessionSettings {
  sessionsPerIpMinute: number;
  sessionsPerWidgetMinute: number;
  /** How long after its session expired a visitor may still resume their anonymous id. */
  resumeWithinSeconds: number;
  clockSkewSeconds: number;
}

/**
 * The key of a verified visitor's customer user. The users table keys people by phone; this is
 * never an E.164 number, so phone sign-in, look-ups and merges by phone can never reach it.
 */
const contactUserKey = (widgetId: string, sub: string) =>
  `widget:${widgetId}:${createHash('sha256').update(sub, 'utf8').digest('hex').slice(0, 32)}`;

/** True when `origin` is on the server's own host: our chat frame, not a host page. */
export function isOwnOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

const hasProof = (request: SessionRequest) =>
  request.token !== undefined || request.userId !== undefined || request.userHash !== undefined;

/** Opens visitor sessions: the widget and the page's origin checked, the visitor's identity proven. */
export class WidgetSessionService {
  private readonly perIp: RateLimit;
  private readonly perWidget: RateLimit;

  constructor(
    private readonly deps: {
      widgets: WidgetRepository;
      users: Pick<UserService, 'signUpOrFind' | 'rename'>;
      tokens: VisitorTokens;
      replay: ReplayGuard;
      limits: RateLimitFactory;
      now: () => number;
      settings: WidgetSessionSettings;
    },
  ) {
    const { limits, settings } = deps;
    this.perIp = limits({
      name: 'widget-session-ip',
      points: settings.sessionsPerIpMinute,
      durationSeconds: 60,
    });
    this.perWidget = limits({
      name: 'widget-session-widget',
      points: settings.sessionsPerWidgetMinute,
      durationSeconds: 60,
    });
  }

  /** True when some enabled widget lists the origin: a CORS preflight may proceed. */
  async originKnown(origin: string): Promise<boolean> {
    return this.deps.widgets.anyEnabledAllows(origin);
  }

  /** The widget when it exists, is enabled and lists the origin; else 403 saying which. */
  async allowedWidget(widgetId: string, origin: string | undefined): Promise<WidgetRow> {
    const widget = await this.deps.widgets.getById(widgetId);
    if (!widget) throw new ForbiddenError('widget/not_found');
    if (!widget.enabled) throw new ForbiddenError('widget/disabled');
    if (!origin || !widget.allowedOrigins.includes(origin))
      throw new ForbiddenError('widget/origin_not_allowed');
    return widget;
  }

  /**
   * A short-lived visitor session. Anonymous visitors leave nothing in the database; a verified
   * one is the same contact (and customer user) of the widget every time.
   */
  async open(request: SessionRequest): Promise<WidgetSession> {
    await this.perIp.consume(request.ip);
    await this.perWidget.consume(request.widgetId);
    // Our chat frame asks from our own origin and names the page it is embedded in (which the
    // browser let embed it only if `frame-ancestors` lists it); a host page asks for itself.
    const fromFrame = isOwnOrigin(request.origin, request.host);
    const hostOrigin = fromFrame ? request.hostOrigin : request.origin;
    const widget = await this.allowedWidget(request.widgetId, hostOrigin);
    if (!fromFrame) request.onOriginAllowed?.(hostOrigin as string);
    const earlier = await this.earlierSession(widget.id, request.visitorToken);
    const proven = hasProof(request) && widget.identityMode !== 'off';
    const identity = proven ? await this.identify(widget, request) : undefined;
    // A visitor the site vouched for keeps that through their session's renewals (an identity
    // token is good once): the earlier session of ours is the proof.
    const carried = !proven && earlier?.contactId && earlier.userId ? earlier : undefined;
    if (widget.identityMode === 'required' && !identity && !carried?.verified) {
      throw new AppError(401, 'widget/identity_required');
    }
    const contact = identity
      ? await this.verifiedContact(widget, identity)
      : carried && (await this.deps.widgets.getContact(widget.id, carried.contactId as string))
        ? { id: carried.contactId as string, userId: carried.userId as string, verified: carried.verified }
        : // A session from before the visitor's first message (the frame's cookie, say): the
          // contact that visitor id became since.
          earlier && !proven && widget.identityMode !== 'required'
          ? await this.deps.widgets.getVisitorContact(widget.id, earlier.visitorId)
          : undefined;
    return this.issue(widget, {
      visitorId: earlier?.visitorId ?? randomUUID(),
      contact: contact ? { id: contact.id, userId: contact.userId, verified: contact.verified } : null,
      hostOrigin: hostOrigin ?? null,
    });
  }

  /** A session token for this visitor (a new one after they became a contact). */
  async issue(
    widget: WidgetRow,
    session: {
      visitorId: string;
      contact: { id: string; userId: string; verified: boolean } | null;
      hostOrigin: string | null;
    },
  ): Promise<WidgetSession> {
    const { contact, visitorId } = session;
    const { token, expiresAt } = await this.deps.tokens.sign({
      widgetId: widget.id,
      visitorId,
      contactId: contact?.id ?? null,
      userId: contact?.userId ?? null,
      verified: contact?.verified ?? false,
      hostOrigin: session.hostOrigin,
    });
    return {
      sessionToken: token,
      expiresAt: expiresAt.toISOString(),
      visitorId,
      verified: contact?.verified ?? false,
      widget: {
        id: widget.id,
        name: widget.name,
        theme: widget.theme,
        greeting: widget.greeting,
        offlineText: widget.offlineText,
      },
    };
  }

  /** The proven identity; a bad proof is refused (401). */
  private async identify(widget: WidgetRow, request: SessionRequest): Promise<VerifiedIdentity> {
    const secrets = {
      current: widget.secret,
      previous: widget.previousSecret,
      previousExpiresAt: widget.previousSecretExpiresAt,
    };
    const now = this.deps.now();
    if (request.token) {
      return verifyIdentityToken(request.token, {
        widgetId: widget.id,
        secrets,
        now,
        replay: this.deps.replay,
        clockSkewSeconds: this.deps.settings.clockSkewSeconds,
      });
    }
    if (!request.userId || !request.userHash) throw new AppError(401, 'widget/identity_invalid');
    return verifyUserHash(request.userId, request.userHash, secrets, now);
  }

  /** An earlier session of this widget's visitor (expired for less than the resume window). */
  private async earlierSession(widgetId: string, visitorToken: string | undefined) {
    if (!visitorToken) return undefined;
    const earlier = await this.deps.tokens.verify(visitorToken, this.deps.settings.resumeWithinSeconds);
    return earlier?.widgetId === widgetId ? earlier : undefined;
  }

  private async verifiedContact(widget: WidgetRow, identity: VerifiedIdentity) {
    const details = {
      name: identity.name ?? null,
      email: identity.email ?? null,
      phone: identity.phone ?? null,
    };
    const known = await this.deps.widgets.getVerifiedContact(widget.id, identity.sub);
    if (known) {
      await this.deps.widgets.touchContact(known.id, details);
      return known;
    }
    const user = await this.deps.users.signUpOrFind(contactUserKey(widget.id, identity.sub));
    // The site's name for them, when it reads as a name anywhere else does.
    const name = NameSchema.safeParse(identity.name);
    if (name.success) await this.deps.users.rename(user.id, name.data);
    const inserted = await this.deps.widgets.insertVerifiedContact({
      widgetId: widget.id,
      externalId: identity.sub,
      userId: user.id,
      ...details,
    });
    // Another request of the same person inserted it first: theirs is the contact.
    return inserted ?? (await this.deps.widgets.getVerifiedContact(widget.id, identity.sub))!;
  }
}
