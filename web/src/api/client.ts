import {
  type AuthTokens,
  AuthTokensSchema,
  type Conversation,
  ConversationPageSchema,
  ConversationSchema,
  type CreateConversation,
  DeviceSchema,
  type Me,
  MeSchema,
  type Message,
  MessagePageSchema,
  MessageSchema,
  OtpSentSchema,
  UserSchema,
  VapidKeySchema,
} from '@abrik/protocol';
import { z } from 'zod';
import { ApiError, apiErrorFrom } from './errors.js';
import type { Session } from './session.js';

/** The reply of POST /conversations/:id/members (not a named protocol schema). */
const AddedMembersSchema = z.object({ added: z.array(z.string()) });

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface RequestOptions<S extends z.ZodType | undefined> {
  body?: unknown;
  /** Bytes sent as they are (application/octet-stream) instead of a JSON body. */
  bytes?: Blob;
  query?: Record<string, string | number | undefined>;
  schema: S;
  auth?: boolean;
}

/** The HTTP API, typed and checked with the protocol's zod schemas. */
export class ApiClient {
  private session: Session | undefined;

  constructor(
    private readonly lang: () => string,
    private readonly baseUrl = '',
  ) {}

  /** The session is built with this client's `refresh`, then attached. */
  attach(session: Session): void {
    this.session = session;
  }

  async request<S extends z.ZodType | undefined>(
    method: Method,
    path: string,
    options: RequestOptions<S>,
  ): Promise<S extends z.ZodType ? z.infer<S> : undefined> {
    const auth = options.auth ?? true;
    const url = new URL(`${this.baseUrl}${path}`, globalThis.location?.origin ?? 'http://localhost');
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'accept-language': this.lang() };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.bytes !== undefined) headers['content-type'] = 'application/octet-stream';
      if (auth) {
        const token = await this.session?.accessToken();
        if (!token) throw new ApiError(401, 'auth/unauthenticated', '');
        headers.authorization = `Bearer ${token}`;
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          ...(options.bytes !== undefined ? { body: options.bytes } : {}),
        });
      } catch {
        throw new ApiError(0, 'network', '');
      }
      if (!response.ok) {
        const error = await apiErrorFrom(response);
        // A token that expired on the way (clock skew, a sleeping laptop): refresh once and retry.
        if (auth && attempt === 0 && error.code === 'auth/token_expired' && (await this.session?.refresh())) {
          continue;
        }
        throw error;
      }
      if (response.status === 204 || !options.schema) return undefined as never;
      return options.schema.parse(await response.json()) as never;
    }
  }

  // ---- auth ----------------------------------------------------------------------------------
  requestCode(phone: string) {
    return this.request('POST', '/api/v1/auth/otp', { body: { phone }, schema: OtpSentSchema, auth: false });
  }
  verify(phone: string, code: string): Promise<AuthTokens> {
    return this.request('POST', '/api/v1/auth/verify', {
      body: { phone, code },
      schema: AuthTokensSchema,
      auth: false,
    });
  }
  refresh = (refreshToken: string): Promise<AuthTokens> =>
    this.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken },
      schema: AuthTokensSchema,
      auth: false,
    });
  logout(refreshToken: string) {
    return this.request('POST', '/api/v1/auth/logout', {
      body: { refreshToken },
      schema: undefined,
      auth: false,
    });
  }

  // ---- users ---------------------------------------------------------------------------------
  me(): Promise<Me> {
    return this.request('GET', '/api/v1/users/me', { schema: MeSchema });
  }
  rename(name: string): Promise<Me> {
    return this.request('PATCH', '/api/v1/users/me', { body: { name }, schema: MeSchema });
  }
  /** A new profile photo (any image; the server crops it square and strips its metadata). */
  setAvatar(photo: Blob): Promise<Me> {
    return this.request('PUT', '/api/v1/users/me/avatar', { bytes: photo, schema: MeSchema });
  }
  removeAvatar(): Promise<Me> {
    return this.request('DELETE', '/api/v1/users/me/avatar', { schema: MeSchema });
  }
  lookup(phone: string) {
    return this.request('GET', '/api/v1/users/lookup', { query: { phone }, schema: UserSchema });
  }

  // ---- conversations -------------------------------------------------------------------------
  conversations() {
    return this.request('GET', '/api/v1/conversations', {
      query: { limit: 100 },
      schema: ConversationPageSchema,
    });
  }
  conversation(id: string): Promise<Conversation> {
    return this.request('GET', `/api/v1/conversations/${id}`, { schema: ConversationSchema });
  }
  createConversation(body: CreateConversation): Promise<Conversation> {
    return this.request('POST', '/api/v1/conversations', { body, schema: ConversationSchema });
  }
  addMembers(id: string, userIds: string[]) {
    return this.request('POST', `/api/v1/conversations/${id}/members`, {
      body: { userIds },
      schema: AddedMembersSchema,
    });
  }
  removeMember(id: string, userId: string) {
    return this.request('DELETE', `/api/v1/conversations/${id}/members/${userId}`, { schema: undefined });
  }

  // ---- messages ------------------------------------------------------------------------------
  messages(id: string, before?: number) {
    return this.request('GET', `/api/v1/conversations/${id}/messages`, {
      query: { before, limit: 50 },
      schema: MessagePageSchema,
    });
  }
  editMessage(conversationId: string, messageId: string, body: string): Promise<Message> {
    return this.request('PATCH', `/api/v1/conversations/${conversationId}/messages/${messageId}`, {
      body: { body },
      schema: MessageSchema,
    });
  }
  deleteMessage(conversationId: string, messageId: string) {
    return this.request('DELETE', `/api/v1/conversations/${conversationId}/messages/${messageId}`, {
      schema: undefined,
    });
  }

  // ---- push ----------------------------------------------------------------------------------
  vapidPublicKey() {
    return this.request('GET', '/api/v1/push/vapid-public-key', { schema: VapidKeySchema, auth: false });
  }
  registerWebPush(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }) {
    return this.request('POST', '/api/v1/devices', {
      body: { platform: 'web', subscription },
      schema: DeviceSchema,
    });
  }
  unregisterWebPush(endpoint: string) {
    return this.request('DELETE', '/api/v1/devices', { body: { endpoint }, schema: undefined });
  }
}
