import type { AuthTokens, Me } from '@abrik/protocol';
import { Store } from '../lib/store.js';
import { ApiError } from './errors.js';

export interface SessionData {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: Me;
}

const STORAGE_KEY = 'abrik.session';
/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;
const RETRY_MS = 15_000;

type RefreshCall = (refreshToken: string) => Promise<AuthTokens>;

/**
 * The signed-in person's tokens, kept in localStorage and shared by the tabs of this browser. The
 * access token is refreshed silently before it expires; refreshes are serialised across tabs (Web
 * Locks), because presenting a spent refresh token twice revokes the whole session.
 */
export class Session {
  readonly store: Store<SessionData | null>;
  private inFlight: Promise<SessionData | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly refreshCall: RefreshCall,
    private readonly storage: Storage = localStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new Store(this.read());
    this.schedule();
  }

  get current(): SessionData | null {
    return this.store.get();
  }

  signIn(tokens: AuthTokens): void {
    this.save({
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshToken: tokens.refreshToken,
      user: tokens.user,
    });
  }

  updateUser(user: Me): void {
    const current = this.current;
    if (current) this.save({ ...current, user });
  }

  signOut(): void {
    clearTimeout(this.timer);
    try {
      this.storage.removeItem(STORAGE_KEY);
    } catch {
      // Storage unavailable: the in-memory session still ends.
    }
    this.store.set(null);
  }

  /** Another tab changed the session: follow it. */
  reload(): void {
    this.store.set(this.read());
    this.schedule();
  }

  /** An access token valid for at least `minValidityMs`, refreshing first if needed; null when signed out. */
  async accessToken(minValidityMs = 10_000): Promise<string | null> {
    const current = this.current;
    if (!current) return null;
    if (Date.parse(current.accessTokenExpiresAt) - this.now() > minValidityMs) return current.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** Rotates the tokens once, however many callers ask at the same time. Null: signed out. */
  refresh(): Promise<SessionData | null> {
    if (!this.inFlight) {
      const run = () => this.rotate();
      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
      this.inFlight = (locks ? locks.request('abrik.refresh', run) : run()).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async rotate(): Promise<SessionData | null> {
    const stored = this.read();
    const mine = this.current;
    if (!stored) {
      this.signOut();
      return null;
    }
    // Another tab rotated while we waited for the lock: its tokens are ours now.
    if (mine && stored.refreshToken !== mine.refreshToken) {
      if (Date.parse(stored.accessTokenExpiresAt) - this.now() > 10_000) {
        this.store.set(stored);
        this.schedule();
        return stored;
      }
    }
    try {
      this.signIn(await this.refreshCall(stored.refreshToken));
      return this.current;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.signOut();
        return null;
      }
      this.schedule(RETRY_MS);
      throw error;
    }
  }

  private save(data: SessionData): void {
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(data));
    } catch {
      // Storage full or unavailable: keep the session for this page.
    }
    this.store.set(data);
    this.schedule();
  }

  private read(): SessionData | null {
    try {
      const raw = this.storage.getItem(STORAGE_KEY);
      if (!raw) return null;
      const data = JSON.parse(raw) as SessionData;
      return typeof data.refreshToken === 'string' && data.user ? data : null;
    } catch {
      return null;
    }
  }

  private schedule(delayMs?: number): void {
    clearTimeout(this.timer);
    const current = this.current;
    if (!current) return;
    // A minute ahead; for short-lived tokens (tests, strict deployments) half-way through.
    const left = Date.parse(current.accessTokenExpiresAt) - this.now();
    const due = delayMs ?? (left > 2 * REFRESH_AHEAD_MS ? left - REFRESH_AHEAD_MS : left / 2);
    this.timer = setTimeout(
      () => {
        this.refresh().catch(() => {
          // Offline: rotate() scheduled a retry.
        });
      },
      Math.max(1_000, Math.min(due, 2 ** 31 - 1)),
    );
  }
}

export const SESSION_STORAGE_KEY = STORAGE_KEY;
