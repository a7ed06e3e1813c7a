/** @jsxImportSource preact */
import type { WidgetState } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/dom';
import userEvent from '@testing-library/user-event';
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WidgetChat } from '../chat';
import {
  AGENT_ID,
  CONVERSATION_ID,
  contact,
  FakeApi,
  fakeTransport,
  makeConversation,
  makeMessage,
  makeState,
  VISITOR_USER_ID,
  WIDGET_ID,
} from '../fakes';
import type { Locale } from '../i18n';
import { type KeyValue, SessionStore, sessionKey } from '../storage';
import { ApiError } from '../transport';
import { App } from './App';

const roots: HTMLElement[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) render(null, root);
  document.body.replaceChildren();
  document.documentElement.removeAttribute('style');
});

function memoryStorage(): KeyValue {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

/** The panel on a chat with fake transports; `returning`: a session kept from an earlier visit. */
function setup(
  state: WidgetState,
  options: { returning?: boolean; locale?: Locale; before?: (api: FakeApi) => void } = {},
) {
  const api = new FakeApi();
  api.state_ = state;
  options.before?.(api);
  const { sockets, transport } = fakeTransport(api);
  const sessions = new SessionStore(memoryStorage(), sessionKey(WIDGET_ID));
  if (options.returning) {
    sessions.save({
      sessionToken: 'kept-session',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      visitorId: '0b7f2c1e-6666-4a5a-9c1d-000000000006',
      verified: false,
    });
  }
  const unread = {
    count: 0,
    set(count: number) {
      this.count = count;
    },
    add(by: number) {
      this.count += by;
    },
  };
  const locale = options.locale ?? 'fa';
  const chat = new WidgetChat({
    widgetId: WIDGET_ID,
    locale,
    hostOrigin: 'https://shop.example',
    transport,
    sessions,
    unread,
  });
  const onClose = vi.fn();
  const root = document.createElement('div');
  document.body.append(root);
  roots.push(root);
  render(<App chat={chat} locale={locale} onClose={onClose} />, root);
  chat.setVisible(true);
  return { api, sockets, chat, sessions, unread, onClose, user: userEvent.setup() };
}

const bubbles = () => screen.queryAllByTestId('widget-message');
const socketOf = async (sockets: unknown[]) => {
  await waitFor(() => expect(sockets.length).toBeGreaterThan(0));
};

describe('the chat panel', () => {
  it('asks the pre-chat form’s required fields first, and sends the phone in Latin digits with the first message', async () => {
    const { api, user } = setup(
      makeState({
        widget: {
          ...makeState().widget,
          prechat: {
            enabled: true,
            fields: [
              { key: 'name', kind: 'name', label: {}, required: true },
              { key: 'phone', kind: 'phone', label: {}, required: true },
              { key: 'order_id', kind: 'text', label: { fa: 'شماره سفارش' }, required: false },
            ],
          },
        },
      }),
    );
    const form = await screen.findByTestId('widget-prechat');
    expect(screen.queryByTestId('widget-composer')).toBeNull();
    expect(within(form).getByLabelText(/شماره سفارش/)).toBeTruthy();

    await user.click(screen.getByTestId('widget-prechat-submit'));
    expect(within(form).getAllByText('این بخش را پر کنید.')).toHaveLength(2);
    expect(form.querySelector('[name="name"]')!.getAttribute('aria-invalid')).toBe('true');

    await user.type(form.querySelector<HTMLInputElement>('[name="name"]')!, 'مریم');
    await user.type(form.querySelector<HTMLInputElement>('[name="phone"]')!, '۰۹۱۲ ۳۴۵ ۶۷۸۹');
    await user.click(screen.getByTestId('widget-prechat-submit'));

    const composer = await screen.findByTestId('widget-composer');
    await user.type(composer, 'سلام، سفارشم نرسیده');
    await user.click(screen.getByTestId('widget-send'));
    await waitFor(() => expect(api.startConversation).toHaveBeenCalledOnce());
    expect(api.startConversation.mock.calls[0]![1]).toMatchObject({
      body: 'سلام، سفارشم نرسیده',
      form: { name: 'مریم', phone: '09123456789' },
    });
    await waitFor(() => expect(bubbles().map((b) => b.dataset.own)).toEqual(['true']));
  });

  it.each([
    [
      'the inbox is closed',
      { opening: { open: false, nextOpenAt: '2025-03-23T05:30:00.000Z', timeZone: 'Asia/Tehran' } },
    ],
    [
      'nobody is available',
      { agentsAvailable: false, opening: { open: true, nextOpenAt: null, timeZone: 'Asia/Tehran' } },
    ],
  ])('shows the offline form when %s and sends it as an offline conversation', async (_, overrides) => {
    const { api, user } = setup(makeState(overrides));
    const form = await screen.findByTestId('widget-offline');
    expect(screen.queryByTestId('widget-composer')).toBeNull();
    const next = screen.queryByTestId('widget-next-opening');
    if (overrides.opening.nextOpenAt) {
      // 05:30 UTC is 09:00 in Tehran, on 3 Farvardin 1404 (a Sunday).
      expect(next!.textContent).toBe('زمان کاری بعدی: یکشنبه ۳ فروردین ساعت ۰۹:۰۰');
    } else expect(next).toBeNull();

    await user.type(form.querySelector<HTMLTextAreaElement>('[name="message"]')!, 'لطفاً تماس بگیرید');
    await user.click(screen.getByTestId('widget-offline-submit'));
    expect(within(form).getByText('شماره تلفن یا ایمیل بگذارید تا بتوانیم پاسخ دهیم.')).toBeTruthy();
    expect(api.startConversation).not.toHaveBeenCalled();

    await user.type(form.querySelector<HTMLInputElement>('[name="email"]')!, 'maryam@example.ir');
    await user.click(screen.getByTestId('widget-offline-submit'));
    await waitFor(() => expect(api.startConversation).toHaveBeenCalledOnce());
    expect(api.startConversation.mock.calls[0]![1]).toMatchObject({
      body: 'لطفاً تماس بگیرید',
      form: { email: 'maryam@example.ir' },
      offline: true,
    });
    expect(await screen.findByText('پیامتان رسید. در اولین فرصت پاسخ می‌دهیم.')).toBeTruthy();
  });

  it('tells the visitor their place in the queue in Persian digits, and follows it live', async () => {
    const { sockets } = setup(
      makeState({
        contact: contact(),
        conversation: makeConversation({
          queuePosition: 3,
          etaSeconds: 240,
          waitingSince: new Date().toISOString(),
        }),
      }),
      { returning: true },
    );
    expect((await screen.findByTestId('widget-queue')).textContent).toBe(
      'شما نفر ۳ صف هستید. زمان تقریبی انتظار: ۴ دقیقه',
    );
    await socketOf(sockets);
    sockets[0]!.push({
      type: 'support:queue',
      payload: { conversationId: CONVERSATION_ID, position: 1, etaSeconds: null },
    });
    await waitFor(() => expect(screen.getByTestId('widget-queue').textContent).toBe('شما نفر ۱ صف هستید.'));
  });

  it('tells own bubbles from the agent’s, ticks those the agent has read, and shows the agent typing', async () => {
    const { sockets } = setup(
      makeState({
        contact: contact(),
        conversation: makeConversation({
          assignee: { id: AGENT_ID, name: 'سارا' },
          agentReadSeq: 1,
          lastSeq: 3,
        }),
      }),
      { returning: true },
    );
    expect((await screen.findByTestId('widget-agent-name')).textContent).toBe('سارا');
    await socketOf(sockets);
    const socket = sockets[0]!;
    socket.replies.sync = () => ({
      ok: true,
      removed: [],
      conversations: [
        {
          conversationId: CONVERSATION_ID,
          hasMore: false,
          lastReadSeq: 0,
          messages: [
            makeMessage({ seq: 1, senderId: VISITOR_USER_ID, body: 'سلام' }),
            makeMessage({ seq: 2, body: 'سلام، بفرمایید' }),
            makeMessage({ seq: 3, senderId: VISITOR_USER_ID, body: 'سفارش ۱۲۳' }),
          ],
        },
      ],
    });
    socket.push({ type: 'connect' });
    await waitFor(() => expect(bubbles()).toHaveLength(3));
    expect(bubbles().map((b) => b.dataset.own)).toEqual(['true', 'false', 'true']);
    const tick = (index: number) => bubbles()[index]!.querySelector('.tick')!;
    expect(tick(0).getAttribute('data-read')).toBe('true');
    expect(tick(2).getAttribute('data-read')).toBe('false');
    expect(tick(2).getAttribute('aria-label')).toBe('ارسال شد');
    expect(bubbles()[1]!.querySelector('.tick')).toBeNull();
    // Shown, so read up to the last message at once.
    expect(socket.requests).toContainEqual({
      event: 'read',
      payload: { conversationId: CONVERSATION_ID, seq: 3 },
    });

    socket.push({ type: 'read', payload: { conversationId: CONVERSATION_ID, userId: AGENT_ID, seq: 3 } });
    await waitFor(() => expect(tick(2).getAttribute('data-read')).toBe('true'));
    expect(tick(2).getAttribute('aria-label')).toBe('خوانده شد');

    socket.push({ type: 'typing', payload: { conversationId: CONVERSATION_ID, userId: AGENT_ID } });
    expect((await screen.findByTestId('widget-typing')).textContent).toBe('سارا در حال نوشتن…');
    socket.push({ type: 'message:new', payload: makeMessage({ seq: 4, body: 'بررسی می‌کنم' }) });
    await waitFor(() => expect(screen.queryByTestId('widget-typing')).toBeNull());
    expect(bubbles()[3]!.dataset.own).toBe('false');
    expect(socket.requests).toContainEqual({
      event: 'read',
      payload: { conversationId: CONVERSATION_ID, seq: 4 },
    });
  });

  it('sends with Enter through the socket; Shift+Enter starts a new line', async () => {
    const { sockets, user } = setup(makeState({ contact: contact(), conversation: makeConversation() }), {
      returning: true,
    });
    const composer = await screen.findByTestId('widget-composer');
    await socketOf(sockets);
    await user.type(composer, 'سلام{Shift>}{Enter}{/Shift}وقت بخیر{Enter}');
    await waitFor(() =>
      expect(sockets[0]!.requests.filter((r) => r.event === 'message:send').map((r) => r.payload)).toEqual([
        expect.objectContaining({ conversationId: CONVERSATION_ID, body: 'سلام\nوقت بخیر' }),
      ]),
    );
    await waitFor(() => expect(bubbles().map((b) => b.dataset.own)).toEqual(['true']));
    expect(bubbles()[0]!.querySelector('.body')!.textContent).toBe('سلام\nوقت بخیر');
    expect((composer as HTMLTextAreaElement).value).toBe('');
  });

  it('asks for a rating once the conversation is resolved, sends it, then takes a comment', async () => {
    const { api, user } = setup(
      makeState({
        contact: contact(),
        conversation: makeConversation({
          status: 'resolved',
          csat: { cycle: 0, rating: null, comment: null, editableUntil: null },
        }),
      }),
      { returning: true },
    );
    const survey = await screen.findByTestId('widget-csat');
    expect(
      within(survey)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['۱', '۲', '۳', '۴', '۵']);
    await user.click(screen.getByTestId('widget-csat-4'));
    await waitFor(() =>
      expect(api.rate).toHaveBeenCalledWith(expect.any(String), CONVERSATION_ID, { rating: 4 }),
    );
    expect(await screen.findByText('از نظرتان سپاسگزاریم.')).toBeTruthy();

    await user.type(screen.getByTestId('widget-csat-comment'), 'خیلی سریع بود');
    await user.click(screen.getByTestId('widget-csat-submit'));
    await waitFor(() =>
      expect(api.rate).toHaveBeenLastCalledWith(expect.any(String), CONVERSATION_ID, {
        rating: 4,
        comment: 'خیلی سریع بود',
      }),
    );
    await waitFor(() => expect(screen.queryByTestId('widget-csat-comment')).toBeNull());
  });

  it('never writes into a closed conversation: the visitor starts a new one, with a new session', async () => {
    const { api, sockets, sessions, user } = setup(
      makeState({
        contact: contact(),
        conversation: makeConversation({ status: 'closed', writable: false }),
      }),
      { returning: true },
    );
    const again = await screen.findByTestId('widget-new-conversation');
    expect(screen.queryByTestId('widget-composer')).toBeNull();
    await socketOf(sockets);
    await user.click(again);

    await user.type(await screen.findByTestId('widget-composer'), 'یک سؤال دیگر');
    await user.click(screen.getByTestId('widget-send'));
    await waitFor(() => expect(api.startConversation).toHaveBeenCalledOnce());
    expect(sockets[0]!.requests.some((r) => r.event === 'message:send')).toBe(false);
    const renewed = sessions.load()!.sessionToken;
    expect(renewed).not.toBe('kept-session');
    expect(sockets[0]!.tokens).toEqual(['kept-session', renewed]);
    await waitFor(() => expect(screen.queryByTestId('widget-new-conversation')).toBeNull());
  });

  it('says the site must sign the visitor in when the widget requires it, until it does', async () => {
    const panel = setup(makeState(), {
      before: (api) => {
        api.refuseSession = new ApiError(401, 'widget/identity_required', 'identity required');
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert.dataset.testid).toBe('widget-error');
    expect(alert.textContent).toBe('برای گفتگو با پشتیبانی، اول باید در همین سایت وارد حساب کاربری‌تان شوید.');
    expect(screen.queryByTestId('widget-composer')).toBeNull();

    panel.api.refuseSession = null;
    await panel.chat.identify('signed.jwt');
    await screen.findByTestId('widget-composer');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(panel.api.createSession).toHaveBeenLastCalledWith(
      expect.objectContaining({ token: 'signed.jwt' }),
    );
  });

  it('offers to leave a message after waiting waitOfferSeconds, as the offline form', async () => {
    const { user } = setup(
      makeState({
        widget: { ...makeState().widget, waitOfferSeconds: 60 },
        contact: contact(),
        conversation: makeConversation({
          queuePosition: 2,
          waitingSince: new Date(Date.now() - 120_000).toISOString(),
        }),
      }),
      { returning: true },
    );
    await user.click(await screen.findByTestId('widget-wait-offer'));
    expect(await screen.findByTestId('widget-offline')).toBeTruthy();
  });

  it('closes with its labelled button, in English for en with the widget’s colour set through the CSSOM', async () => {
    const { onClose, user } = setup(makeState(), { locale: 'en' });
    const close = await screen.findByRole('button', { name: 'Close chat' });
    await screen.findByTestId('widget-composer');
    expect(screen.getByText('Hi! How can we help?')).toBeTruthy();
    await user.click(close);
    expect(onClose).toHaveBeenCalledOnce();
    expect(document.documentElement.style.getPropertyValue('--abrik-primary')).toBe('#123456');
    expect(document.querySelectorAll('[style]:not(html), style')).toHaveLength(0);
  });
});
