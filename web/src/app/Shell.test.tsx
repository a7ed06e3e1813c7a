import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { server, signedIn } from '../features/admin/fixtures.js';
import { renderSignedIn } from '../test/engine.js';
import { Shell } from './Shell.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const empty = (): [number, unknown] => [200, { items: [] }];

describe(Shell.name, () => {
  it("loads the staff's Persian texts with a staff page, so it shows words and not keys", async () => {
    server({ '/api/v1/support/teams': empty, '/api/v1/support/agents': empty });
    const { i18n } = await renderSignedIn(
      <Router hook={memoryLocation({ path: '/admin/teams' }).hook}>
        <Shell />
      </Router>,
      { meId: 'admin-1', tokens: signedIn('admin', 'admin-1'), staffStrings: false },
    );
    expect((await screen.findByRole('heading', { level: 1, name: 'مدیریت پشتیبانی' })).id).toBe(
      'admin-title',
    );
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('تیم‌ها');
    expect(await screen.findByText('هنوز تیمی ساخته نشده است.')).toBeTruthy();
    expect(i18n.exists('sla.title')).toBe(true);
  });
});
