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
    const widget = await this.allowedWidget(request.widgetId, request.origin);
    request.onOriginAllowed?.(request.origin as string);
    const identity = await this.identify(widget, request);
    const visitorId = await this.visitorIdOf(widget.id, request.visitorToken);
    const contact = identity ? await this.verifiedContact(widget, identity) : undefined;
    const { token, expiresAt } = await this.deps.tokens.sign({
      widgetId: widget.id,
      visitorId,
      contactId: contact?.id ?? null,
      userId: contact?.userId ?? null,
    });
    return {
      sessionToken: token,
      expiresAt: expiresAt.toISOString(),
      visitorId,
      verified: contact !== undefined,
      widget: {
        id: widget.id,
        name: widget.name,
        theme: widget.theme,
        greeting: widget.greeting,
        offlineText: widget.offlineText,
      },
    };
  }

  /** The proven identity, undefined for an anonymous visitor; a bad proof is refused in every mode but `off`. */
  private async identify(widget: WidgetRow, request: SessionRequest): Promise<VerifiedIdentity | undefined> {
    if (widget.identityMode === 'off') return undefined; // identity ignored: anonymous only
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
    if (request.userId !== undefined || request.userHash !== undefined) {
      if (!request.userId || !request.userHash) throw new AppError(401, 'widget/identity_invalid');
      return verifyUserHash(request.userId, request.userHash, secrets, now);
    }
    if (widget.identityMode === 'required') throw new AppError(401, 'widget/identity_required');
    return undefined;
  }

  /** The anonymous visitor id of an earlier session of this widget, or a new one. */
  private async visitorIdOf(widgetId: string, visitorToken: string | undefined): Promise<string> {
    if (visitorToken) {
      const earlier = await this.deps.tokens.verify(visitorToken, this.deps.settings.resumeWithinSeconds);
      if (earlier?.widgetId === widgetId) return earlier.visitorId;
    }
    return randomUUID();
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
