import type { Conversation, Message } from '@abrik/protocol';
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConversationPage } from '../../chat/cache.js';
import { conversationKey, conversationsKey } from '../../chat/messages.js';
import { renderSignedIn } from '../../test/engine.js';
import { directConversation, ME, textMessage as msg, YOU } from '../../test/messages.js';
import { ConversationView } from './ConversationView.js';

const G = '00000000-0000-4000-8000-0000000000c1';

function group(lastSeq: number, lastReadSeq = lastSeq): Conversation {
  return directConversation(G, lastSeq, {
    kind: 'group',
    title: 'تیم',
    lastReadSeq,
    unreadCount: lastSeq - lastReadSeq,
    memberCount: 2,
  });
}

/** The API over `fetch`: the conversation, its list, and its history in pages of 50 below `before`. */
function serve(conversation: () => Conversation, history: Message[]) {
  const requests: string[] = [];
  vi.stubGlobal('fetch', async (input: URL | string, init: RequestInit) => {
    const url = new URL(String(input));
    requests.push(`${init.method ?? 'GET'} ${url.pathname}${url.search}`);
    const json = (status: number, body: unknown) =>
      new Response(status === 204 ? null : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    if (url.pathname === '/api/v1/conversations')
      return json(200, { items: [conversation()], nextCursor: null });
    if (url.pathname === `/api/v1/conversations/${G}`) return json(200, conversation());
    if (url.pathname === `/api/v1/users/${YOU}/avatar`) return new Response(new Uint8Array([1, 2, 3]));
    if (url.pathname === `/api/v1/conversations/${G}/messages`) {
      const before = Number(url.searchParams.get('before') ?? Number.MAX_SAFE_INTEGER);
      const items = history.filter((m) => m.seq < before).slice(-50);
      const oldest = items[0]?.seq;
      return json(200, { items, nextCursor: oldest !== undefined && oldest > 1 ? oldest : null });
    }
    if (init.method === 'DELETE') return json(204, null);
    return json(404, { error: { code: 'http/not_found', message: '' } });
  });
  return requests;
}

/** An IntersectionObserver the test drives: `show(seq)` says the bubble of that seq is on screen. */
class FakeObserver {
  static current: FakeObserver | null = null;
  readonly targets = new Set<Element>();
  constructor(private readonly callback: IntersectionObserverCallback) {
    FakeObserver.current = this;
  }
  observe(target: Element) {
    this.targets.add(target);
  }
  unobserve(target: Element) {
    this.targets.delete(target);
  }
  disconnect() {
    this.targets.clear();
  }
  show(seq: number) {
    const target = [...this.targets].find((t) => t.getAttribute('data-seq') === String(seq));
    if (!target) throw new Error(`bubble ${seq} is not observed`);
    const rect = { height: 40 } as DOMRectReadOnly;
    this.callback(
      [
        {
          target,
          isIntersecting: true,
          intersectionRatio: 1,
          intersectionRect: rect,
          rootBounds: { height: 600 } as DOMRectReadOnly,
        } as IntersectionObserverEntry,
      ],
      this as unknown as IntersectionObserver,
    );
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

async function open(conversation: () => Conversation, history: Message[], lang: 'fa' | 'en' = 'en') {
  const requests = serve(conversation, history);
  const rendered = await renderSignedIn(<ConversationView conversationId={G} />, { meId: ME, lang });
  rendered.queries.setQueryData<ConversationPage>(conversationsKey, {
    items: [conversation()],
    nextCursor: null,
  });
  const listed = () =>
    rendered.queries.getQueryData<ConversationPage>(conversationsKey)?.items.find((c) => c.id === G);
  return { ...rendered, requests, listed };
}

const seqsShown = () => screen.getAllByTestId('message').map((el) => Number(el.getAttribute('data-seq')));

describe(ConversationView.name, () => {
  it('opens at the first unread behind a divider, and moves the read marker only as messages are seen', async () => {
    vi.stubGlobal('IntersectionObserver', FakeObserver);
    const history = Array.from({ length: 8 }, (_, i) => msg(G, i + 1));
    const { listed } = await open(() => group(8, 3), history);
    const divider = await screen.findByTestId('unread-divider');
    // Right before message 4, the first I had not read.
    expect(divider.nextElementSibling?.getAttribute('data-seq')).toBe('4');
    await waitFor(() => expect(FakeObserver.current?.targets.size).toBe(8));
    // Opening read nothing.
    expect(listed()?.lastReadSeq).toBe(3);
    act(() => FakeObserver.current?.show(5));
    expect(listed()?.lastReadSeq).toBe(5);
    expect(listed()?.unreadCount).toBe(3);
  });

  it('opens at ?at=<seq>, loading older history until the message is there, and highlights it', async () => {
    vi.stubGlobal('IntersectionObserver', FakeObserver);
    window.history.replaceState(null, '', `/c/${G}?at=10`);
    const history = Array.from({ length: 120 }, (_, i) => msg(G, i + 1));
    const { requests } = await open(() => group(120), history);
    // Three pages of history render first: patience, not a timing goal.
    await waitFor(
      () => expect(document.querySelector('[data-seq="10"]')?.getAttribute('data-highlighted')).toBe('true'),
      { timeout: 10_000 },
    );
    expect(seqsShown()[0]).toBe(1);
    expect(requests.filter((r) => r.includes('/messages'))).toEqual(
      expect.arrayContaining([
        `GET /api/v1/conversations/${G}/messages?before=71&limit=50`,
        `GET /api/v1/conversations/${G}/messages?before=21&limit=50`,
      ]),
    );
  });

  it('asks before deleting a message for everyone; Cancel deletes nothing', async () => {
    const history = [msg(G, 1, { senderId: ME, body: 'oops' })];
    const { requests, user } = await open(() => group(1), history);
    // Through the message menu: the bubble carries no delete button of its own any more.
    expect(screen.queryByTestId('message-delete')).toBeNull();
    await user.click(await screen.findByTestId('message-menu-button'));
    await user.click(screen.getByTestId('menu-delete'));
    expect(screen.getByRole('alertdialog')).toBeTruthy();
    await user.click(screen.getByTestId('delete-cancel'));
    expect(requests.some((r) => r.startsWith('DELETE'))).toBe(false);
    await user.click(screen.getByTestId('message-menu-button'));
    await user.click(screen.getByTestId('menu-delete'));
    await user.click(screen.getByTestId('delete-everyone'));
    await waitFor(() => expect(requests.filter((r) => r.startsWith('DELETE'))).toHaveLength(1));
  });

  it('keeps the history readable with a notice when I am removed, and works again when added back', async () => {
    let member = true;
    const history = [msg(G, 1, { body: 'hello' }), msg(G, 2, { senderId: YOU, body: 'bye' })];
    const conversation = () => group(2);
    const { socket, requests } = await open(conversation, history);
    await screen.findByTestId('composer');
    await waitFor(() => expect(seqsShown()).toEqual([1, 2]));
    act(() => {
      member = false;
      socket.fire('conversation:left', { conversationId: G });
    });
    expect(screen.getByTestId('removed-notice').textContent).toBe(
      'You were removed from this group. You can still read its earlier messages, but not send.',
    );
    expect(screen.queryByTestId('composer')).toBeNull();
    expect(seqsShown()).toEqual([1, 2]);
    expect(screen.queryByRole('alert')).toBeNull(); // not "conversation not found"
    const asked = requests.length;
    act(() => {
      member = true;
      socket.fire('conversation:joined', { conversationId: G });
    });
    await screen.findByTestId('composer');
    expect(member).toBe(true);
    expect(screen.queryByTestId('removed-notice')).toBeNull();
    // Read again from the server: the conversation and its history.
    await waitFor(() =>
      expect(requests.slice(asked)).toEqual(
        expect.arrayContaining([
          `GET /api/v1/conversations/${G}`,
          `GET /api/v1/conversations/${G}/messages?limit=50`,
        ]),
      ),
    );
  });

  it('shows a member’s avatar beside the first bubble of each of their groups, and their new photo at once', async () => {
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => 'blob:you');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const at = (seconds: number) => new Date(Date.UTC(2024, 0, 1, 0, 1, seconds)).toISOString();
    const history = [
      msg(G, 1, { createdAt: at(0) }),
      msg(G, 2, { createdAt: at(10) }), // within the minute: the same group
      msg(G, 3, { senderId: ME, createdAt: at(20) }),
      msg(G, 4, { createdAt: at(30) }), // after mine: a group of its own
    ];
    const { socket, queries } = await open(() => group(4), history);
    await waitFor(() => expect(seqsShown()).toEqual([1, 2, 3, 4]));
    const bubble = (seq: number) => document.querySelector(`li[data-seq="${seq}"]`) as HTMLElement;
    const avatarOf = (seq: number) => bubble(seq).querySelector(':scope > .avatar');
    expect(avatarOf(1)?.textContent).toBe('Y');
    // Decorative: the name is in the bubble; screen readers skip the picture.
    expect(avatarOf(1)?.getAttribute('aria-hidden')).toBe('true');
    expect(avatarOf(2)).toBeNull();
    expect(bubble(2).querySelector(':scope > .avatar-space')).not.toBeNull();
    expect(avatarOf(3)).toBeNull();
    expect(avatarOf(4)?.textContent).toBe('Y');

    const PHOTO = '00000000-0000-4000-8000-0000000000f1';
    act(() => socket.fire('user:avatar', { userId: YOU, avatarId: PHOTO }));
    await waitFor(() => expect(avatarOf(1)?.querySelector('img')?.getAttribute('src')).toBe('blob:you'));
    expect(avatarOf(1)?.querySelector('img')?.getAttribute('alt')).toBe('');
    expect(avatarOf(4)?.querySelector('img')).not.toBeNull();
    const detail = queries.getQueryData<Conversation>(conversationKey(G));
    expect(detail?.members.find((m) => m.userId === YOU)?.avatarId).toBe(PHOTO);

    act(() => socket.fire('user:avatar', { userId: YOU, avatarId: null }));
    await waitFor(() => expect(avatarOf(1)?.querySelector('img')).toBeNull());
    expect(avatarOf(1)?.textContent).toBe('Y');
  });

  it('puts no avatars beside the bubbles of a direct conversation', async () => {
    await open(() => directConversation(G, 1), [msg(G, 1)]);
    await waitFor(() => expect(seqsShown()).toEqual([1]));
    expect(screen.getByTestId('message').querySelector('.avatar, .avatar-space')).toBeNull();
  });

  it('shows the other person’s presence as unknown while I am offline', async () => {
    const direct = () => directConversation(G, 1);
    await open(direct, [msg(G, 1)]);
    expect((await screen.findByTestId('conversation-subtitle')).textContent).toBe(
      'status unknown — you are offline',
    );
  });
});
