import type { WidgetAttributes, WidgetSession, WidgetStarted, WidgetState } from '@abrik/protocol';
import { ApiError, type CsatReply, type WidgetApi } from './transport';

/**
 * The visitor API over fetch: relative URLs (the frame is on the server's origin), JSON, the
 * session token as a bearer. Errors become ApiError with the server's code.
 */
export function httpApi(fetcher: typeof fetch = (...args) => fetch(...args)): WidgetApi {
  const call = async <T>(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    /** The sessions route reads and sets the frame's own partitioned cookie (browsers that deny
     * this frame its storage still keep the visitor); every other call sends no cookie. */
    credentials: RequestCredentials = 'omit',
  ): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetcher(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials,
      });
    } catch {
      throw new ApiError(0, 'network', 'no answer from the server');
    }
    const data = (await response.json().catch(() => null)) as
      | (T & { error?: { code?: unknown; message?: unknown } })
      | null;
    if (response.status === 204) return undefined as T;
    if (!response.ok) {
      const error = data?.error;
      throw new ApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : `http/${response.status}`,
        typeof error?.message === 'string' ? error.message : response.statusText,
      );
    }
    return data as T;
  };
  return {
    createSession: (body) => call<WidgetSession>('POST', '/widget/v1/sessions', null, body, 'same-origin'),
    forgetSession: (widgetId) =>
      call<void>('POST', '/widget/v1/sessions/forget', null, { widgetId }, 'same-origin'),
    state: (token) => call<WidgetState>('GET', '/widget/v1/state', token),
    startConversation: (token, body) => call<WidgetStarted>('POST', '/widget/v1/conversations', token, body),
    setAttributes: (token, attributes: WidgetAttributes) =>
      call<{ attributes: WidgetAttributes }>('PATCH', '/widget/v1/attributes', token, { attributes }),
    rate: (token, conversationId, body) =>
      call<CsatReply>(
        'POST',
        `/widget/v1/conversations/${encodeURIComponent(conversationId)}/csat`,
        token,
        body,
      ),
  };
}
