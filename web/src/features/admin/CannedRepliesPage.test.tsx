import type { CannedReply } from '@abrik/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithServices } from '../../test/services.js';
import { CannedRepliesPage } from './CannedRepliesPage.js';
import { ADMIN, canned, error, REZA, SALES, SARA, server, signedIn, TECH, team } from './fixtures.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const CANNED = '/api/v1/support/canned-replies';
const MINE = '00000000-0000-4000-8000-0000000000d1';
const TEAM_REPLY = '00000000-0000-4000-8000-0000000000d2';
const SHARED = '00000000-0000-4000-8000-0000000000d3';
const NEW = '00000000-0000-4000-8000-0000000000d4';

function desk(me: string, routes: Record<string, (body: unknown, method: string) => [number, unknown]> = {}) {
  let replies: CannedReply[] = [
    canned(MINE, { ownerId: me, shortcut: 'hello', title: 'Greeting', body: 'Hello {{customer.name}}!' }),
    canned(TEAM_REPLY, {
      scope: 'team',
      ownerId: null,
      teamId: SALES,
      shortcut: 'refund',
      title: null,
      body: `Refunds take three days. ${'More text. '.repeat(20)}`,
    }),
    canned(SHARED, { scope: 'shared', ownerId: null, shortcut: 'bye', title: 'Goodbye', body: 'Bye!' }),
  ];
  return server({
    [CANNED]: (body, method) => {
      if (method === 'GET') return [200, { items: replies }];
      const b = body as Partial<CannedReply>;
      const created = canned(NEW, { ...b, ownerId: b.scope === 'personal' ? me : null });
      replies = [...replies, created];
      return [201, created];
    },
    [`${CANNED}/${MINE}`]: (body, method) => {
      if (method === 'DELETE') {
        replies = replies.filter((r) => r.id !== MINE);
        return [204, null];
      }
      replies = replies.map((r) => (r.id === MINE ? { ...r, ...(body as Partial<CannedReply>) } : r));
      return [200, replies[0]];
    },
    '/api/v1/support/teams': () => [
      200,
      {
        items: [
          team(SALES, 'Sales', { supervisorIds: [REZA] }),
          team(TECH, 'Tech', { supervisorIds: [SARA] }),
        ],
      },
    ],
    ...routes,
  });
}

async function rowOf(shortcut: string) {
  const rows = await screen.findAllByTestId('canned-row');
  const row = rows.find((r) => within(r).getByTestId('canned-shortcut').textContent === `/${shortcut}`);
  if (!row) throw new Error(`no row for /${shortcut}`);
  return row;
}

describe(CannedRepliesPage.name, () => {
  it('lists replies with their shortcut, title, scope and a preview of the body', async () => {
    desk(ADMIN);
    await renderWithServices(<CannedRepliesPage />, { lang: 'en', tokens: signedIn('admin') });
    const hello = await rowOf('hello');
    expect(within(hello).getByTestId('canned-title-label').textContent).toBe('Greeting');
    expect(within(hello).getByTestId('canned-scope-label').textContent).toBe('Personal');
    expect(within(hello).getByTestId('canned-preview').textContent).toBe('Hello {{customer.name}}!');
    const refund = await rowOf('refund');
    await waitFor(() =>
      expect(within(refund).getByTestId('canned-scope-label').textContent).toBe('Team Sales'),
    );
    const preview = within(refund).getByTestId('canned-preview').textContent!;
    expect(preview.startsWith('Refunds take three days.')).toBe(true);
    expect(preview.endsWith('…')).toBe(true);
    expect(preview.length).toBe(121);
    expect(within(await rowOf('bye')).getByTestId('canned-scope-label').textContent).toBe('Shared');
  });

  it('searches with q', async () => {
    desk(ADMIN);
    const urls: string[] = [];
    const answer = globalThis.fetch;
    vi.stubGlobal('fetch', (input: URL | string, init: RequestInit) => {
      urls.push(String(input));
      return answer(input, init);
    });
    const { user } = await renderWithServices(<CannedRepliesPage />, { tokens: signedIn('admin') });
    await rowOf('hello');
    await user.type(screen.getByTestId('canned-search'), 'بازپرداخت');
    await waitFor(() =>
      expect(urls.map((u) => new URL(u)).some((u) => u.searchParams.get('q') === 'بازپرداخت')).toBe(true),
    );
    const searches = urls.filter((u) => new URL(u).pathname === CANNED && new URL(u).searchParams.has('q'));
    // Typed letters are gathered into one search.
    expect(searches).toHaveLength(1);
  });

  it('creates a personal reply, dropping a leading slash', async () => {
    const srv = desk(SARA);
    const { user } = await renderWithServices(<CannedRepliesPage />, {
      lang: 'en',
      tokens: signedIn('agent', SARA),
    });
    await rowOf('hello');
    await user.click(screen.getByTestId('canned-new'));
    const form = screen.getByTestId('canned-form');
    // Agents write personal replies only: no choice of scope.
    expect(within(form).queryByTestId('canned-scope')).toBeNull();
    await user.type(within(form).getByTestId('canned-shortcut-input'), '/thanks');
    await user.type(within(form).getByTestId('canned-title'), ' Thanks ');
    await user.type(within(form).getByTestId('canned-body'), 'Thank you, ');
    await user.click(within(form).getAllByTestId('canned-variable')[0]!);
    await user.click(within(form).getByTestId('canned-save'));
    await waitFor(() => expect(screen.queryByTestId('canned-form')).toBeNull());
    expect(srv.changes()).toEqual([
      {
        method: 'POST',
        url: CANNED,
        body: {
          scope: 'personal',
          shortcut: 'thanks',
          title: 'Thanks',
          body: 'Thank you, {{customer.name}}',
        },
      },
    ]);
    expect(within(await rowOf('thanks')).getByTestId('canned-scope-label').textContent).toBe('Personal');
    // Agents may not read the teams: not asked.
    expect(srv.gets('/api/v1/support/teams')).toBe(0);
  });

  it('refuses a shortcut with spaces, a blank body and a long title, by each field', async () => {
    const srv = desk(ADMIN);
    const { user } = await renderWithServices(<CannedRepliesPage />, { tokens: signedIn('admin') });
    await rowOf('hello');
    await user.click(screen.getByTestId('canned-new'));
    const form = screen.getByTestId('canned-form');
    const shortcut = within(form).getByTestId('canned-shortcut-input');
    await user.type(shortcut, 'good morning');
    const title = within(form).getByTestId('canned-title');
    await user.click(title);
    await user.paste('x'.repeat(101));
    await user.type(within(form).getByTestId('canned-body'), '   ');
    await user.click(within(form).getByTestId('canned-save'));
    const messageOf = (input: HTMLElement) => {
      expect(input.getAttribute('aria-invalid')).toBe('true');
      return document.getElementById(input.getAttribute('aria-describedby')!)?.textContent;
    };
    expect(messageOf(shortcut)).toBe('میان‌بر نباید فاصله داشته باشد.');
    expect(messageOf(title)).toBe('عنوان حداکثر ۱۰۰ نویسه است.');
    expect(messageOf(within(form).getByTestId('canned-body'))).toBe('متن پاسخ را بنویسید.');
    await user.clear(shortcut);
    await user.type(shortcut, 'x'.repeat(33));
    await user.click(within(form).getByTestId('canned-save'));
    expect(messageOf(shortcut)).toBe('میان‌بر باید بین ۱ تا ۳۲ نویسه باشد.');
    expect(srv.changes()).toEqual([]);
  });

  it('edits a reply, sending the changes and clearing an emptied title', async () => {
    const srv = desk(ADMIN);
    const { user } = await renderWithServices(<CannedRepliesPage />, {
      lang: 'en',
      tokens: signedIn('admin'),
    });
    const hello = await rowOf('hello');
    await user.click(within(hello).getByTestId('canned-edit'));
    const form = within(hello).getByTestId('canned-form');
    expect(within(form).queryByTestId('canned-scope')).toBeNull();
    expect((within(form).getByTestId('canned-shortcut-input') as HTMLInputElement).value).toBe('hello');
    await user.clear(within(form).getByTestId('canned-title'));
    const body = within(form).getByTestId('canned-body');
    await user.clear(body);
    await user.type(body, 'Hi there');
    await user.click(within(form).getByTestId('canned-save'));
    await waitFor(() => expect(screen.queryByTestId('canned-form')).toBeNull());
    expect(srv.changes()).toEqual([
      { method: 'PATCH', url: `${CANNED}/${MINE}`, body: { title: null, body: 'Hi there' } },
    ]);
    expect(within(await rowOf('hello')).getByTestId('canned-preview').textContent).toBe('Hi there');
  });

  it("shows the server's shortcut_taken", async () => {
    desk(ADMIN, {
      [`${CANNED}/${MINE}`]: () => error(409, 'support/shortcut_taken', 'This shortcut is taken.'),
    });
    const { user } = await renderWithServices(<CannedRepliesPage />, {
      lang: 'en',
      tokens: signedIn('admin'),
    });
    const hello = await rowOf('hello');
    await user.click(within(hello).getByTestId('canned-edit'));
    const shortcut = within(hello).getByTestId('canned-shortcut-input');
    await user.clear(shortcut);
    await user.type(shortcut, 'bye');
    await user.click(within(hello).getByTestId('canned-save'));
    expect((await within(hello).findByRole('alert')).textContent).toBe('This shortcut is taken.');
    expect(within(hello).getByTestId('canned-form')).toBeTruthy();
  });

  it('deletes after an inline confirmation, and not when cancelled', async () => {
    const srv = desk(ADMIN);
    const { user } = await renderWithServices(<CannedRepliesPage />, {
      lang: 'en',
      tokens: signedIn('admin'),
    });
    const hello = await rowOf('hello');
    await user.click(within(hello).getByTestId('canned-delete'));
    expect(within(hello).getByText('Delete this canned reply for good?', { exact: false })).toBeTruthy();
    await user.click(within(hello).getByTestId('canned-delete-cancel'));
    expect(within(hello).queryByTestId('canned-delete-confirm')).toBeNull();
    expect(srv.changes()).toEqual([]);
    await user.click(within(hello).getByTestId('canned-delete'));
    await user.click(within(hello).getByTestId('canned-delete-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('canned-row')).toHaveLength(2));
    expect(srv.changes()).toEqual([{ method: 'DELETE', url: `${CANNED}/${MINE}`, body: undefined }]);
  });

  it('offers agents no edit of team and shared replies, supervisors their own teams, admins all', async () => {
    desk(SARA);
    await renderWithServices(<CannedRepliesPage />, { lang: 'en', tokens: signedIn('agent', SARA) });
    expect(within(await rowOf('hello')).queryByTestId('canned-edit')).not.toBeNull();
    expect(within(await rowOf('refund')).queryByTestId('canned-edit')).toBeNull();
    expect(within(await rowOf('bye')).queryByTestId('canned-delete')).toBeNull();
  });

  it('offers a supervisor the team scope with the teams they supervise, and no shared scope', async () => {
    const srv = desk(REZA);
    const { user } = await renderWithServices(<CannedRepliesPage />, {
      lang: 'en',
      tokens: signedIn('supervisor', REZA),
    });
    const refund = await rowOf('refund');
    await waitFor(() => expect(within(refund).queryByTestId('canned-edit')).not.toBeNull());
    expect(within(await rowOf('bye')).queryByTestId('canned-edit')).toBeNull();
    await user.click(screen.getByTestId('canned-new'));
    const form = screen.getByTestId('canned-form');
    const scope = within(form).getByTestId('canned-scope') as HTMLSelectElement;
    expect([...scope.options].map((o) => o.value)).toEqual(['personal', 'team']);
    expect(within(form).queryByTestId('canned-team')).toBeNull();
    await user.selectOptions(scope, 'team');
    const teams = within(form).getByTestId('canned-team') as HTMLSelectElement;
    expect([...teams.options].map((o) => o.textContent)).toEqual(['Sales']);
    await user.type(within(form).getByTestId('canned-shortcut-input'), 'wait');
    await user.type(within(form).getByTestId('canned-body'), 'One moment please.');
    await user.click(within(form).getByTestId('canned-save'));
    await waitFor(() => expect(srv.changes()).toHaveLength(1));
    expect(srv.changes()[0]!.body).toEqual({
      scope: 'team',
      teamId: SALES,
      shortcut: 'wait',
      body: 'One moment please.',
    });
  });

  it('offers an admin every scope and every team', async () => {
    desk(ADMIN);
    const { user } = await renderWithServices(<CannedRepliesPage />, {
      lang: 'en',
      tokens: signedIn('admin'),
    });
    await rowOf('hello');
    await user.click(screen.getByTestId('canned-new'));
    const scope = (await screen.findByTestId('canned-scope')) as HTMLSelectElement;
    expect([...scope.options].map((o) => o.value)).toEqual(['personal', 'team', 'shared']);
    await user.selectOptions(scope, 'team');
    const teams = screen.getByTestId('canned-team') as HTMLSelectElement;
    expect([...teams.options].map((o) => o.textContent)).toEqual(['Sales', 'Tech']);
  });

  it('explains the variables and the fallback form', async () => {
    desk(ADMIN);
    const { user } = await renderWithServices(<CannedRepliesPage />, { tokens: signedIn('admin') });
    await rowOf('hello');
    await user.click(screen.getByTestId('canned-new'));
    const help = screen.getByTestId('canned-help').textContent!;
    for (const variable of [
      '{{customer.name}}',
      '{{agent.name}}',
      '{{conversation.id}}',
      '{{conversation.subject}}',
      '{{customer.name | "مشتری گرامی"}}',
    ]) {
      expect(help).toContain(variable);
    }
  });
});
