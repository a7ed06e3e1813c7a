import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lang } from '../../i18n/index.js';
import { type Route, renderWithServices } from '../../test/services.js';
import { server, signedIn } from '../admin/fixtures.js';
import { OpeningBanner } from './OpeningBanner.js';
import { APP_INBOX_ID, describeOpening } from './opening.js';

const TEHRAN = 'Asia/Tehran';
const CUSTOMER = '00000000-0000-4000-8000-0000000000d1';
const OPENING = `/api/v1/support/inboxes/${APP_INBOX_ID}/opening`;
/** Thursday 12 Azar 1405 (3 December 2026), 16:30 in Tehran: after Thursday's 13:00 close. */
const THURSDAY_AFTERNOON = new Date('2026-12-03T13:00:00Z');
/** Saturday 14 Azar 1405, 08:00 in Tehran. */
const SATURDAY_MORNING = new Date('2026-12-05T04:30:00Z');

describe(describeOpening.name, () => {
  it('names the weekday and the hour as people say it', () => {
    expect(describeOpening(SATURDAY_MORNING, THURSDAY_AFTERNOON, TEHRAN, 'fa')).toBe('شنبه ساعت ۸ صبح');
    expect(describeOpening(SATURDAY_MORNING, THURSDAY_AFTERNOON, TEHRAN, 'en')).toBe('Saturday at 8 AM');
  });

  it('says today and tomorrow by the date in the inbox’s zone, with minutes when not on the hour', () => {
    // 23:00 UTC on Wednesday is already Thursday 02:30 in Tehran.
    const lateWednesdayUtc = new Date('2026-12-02T23:00:00Z');
    expect(describeOpening(new Date('2026-12-03T05:00:00Z'), lateWednesdayUtc, TEHRAN, 'fa')).toBe(
      'امروز ساعت ۸:۳۰ صبح',
    );
    expect(describeOpening(new Date('2026-12-03T05:00:00Z'), lateWednesdayUtc, TEHRAN, 'en')).toBe(
      'today at 8:30 AM',
    );
    const wednesdayEvening = new Date('2026-12-02T15:00:00Z');
    expect(describeOpening(new Date('2026-12-03T04:30:00Z'), wednesdayEvening, TEHRAN, 'fa')).toBe(
      'فردا ساعت ۸ صبح',
    );
    expect(describeOpening(new Date('2026-12-03T09:30:00Z'), wednesdayEvening, TEHRAN, 'fa')).toBe(
      'فردا ساعت ۱ بعدازظهر',
    );
    expect(describeOpening(new Date('2026-12-03T09:30:00Z'), wednesdayEvening, TEHRAN, 'en')).toBe(
      'tomorrow at 1 PM',
    );
  });

  it('adds the Jalali day and month from a week on', () => {
    const nextWeek = new Date('2026-12-12T04:30:00Z');
    expect(describeOpening(nextWeek, THURSDAY_AFTERNOON, TEHRAN, 'fa')).toBe('شنبه ۲۱ آذر ساعت ۸ صبح');
    expect(describeOpening(nextWeek, THURSDAY_AFTERNOON, TEHRAN, 'en')).toBe('Saturday 21 Azar at 8 AM');
  });
});

describe(OpeningBanner.name, () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(THURSDAY_AFTERNOON);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  async function renderBanner(route: Route, lang: Lang = 'fa') {
    const srv = server({ [OPENING]: route });
    await renderWithServices(<OpeningBanner />, { lang, tokens: signedIn('customer', CUSTOMER) });
    return srv;
  }

  it("tells the customer, calmly, when we answer while the app's inbox is closed", async () => {
    const srv = await renderBanner(() => [
      200,
      { open: false, nextOpenAt: SATURDAY_MORNING.toISOString(), timeZone: TEHRAN },
    ]);
    expect((await screen.findByTestId('opening-banner')).textContent).toBe(
      'اکنون خارج از ساعت کاری هستیم؛ شنبه ساعت ۸ صبح پاسخ می‌دهیم',
    );
    expect(screen.getByTestId('opening-banner').getAttribute('role')).toBe('status');
    expect(srv.gets(OPENING)).toBe(1);
  });

  it('in English too', async () => {
    await renderBanner(
      () => [200, { open: false, nextOpenAt: SATURDAY_MORNING.toISOString(), timeZone: TEHRAN }],
      'en',
    );
    expect((await screen.findByTestId('opening-banner')).textContent).toBe(
      'We are out of business hours now; we will answer Saturday at 8 AM',
    );
  });

  it('says nothing while we are open', async () => {
    const srv = await renderBanner(() => [200, { open: true, nextOpenAt: null, timeZone: TEHRAN }]);
    await waitFor(() => expect(srv.gets(OPENING)).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByTestId('opening-banner')).toBeNull();
  });

  it('still says we are closed when no opening is ahead', async () => {
    await renderBanner(() => [200, { open: false, nextOpenAt: null, timeZone: TEHRAN }]);
    expect((await screen.findByTestId('opening-banner')).textContent).toBe(
      'اکنون خارج از ساعت کاری هستیم؛ پیامتان را بنویسید تا در نخستین فرصت پاسخ دهیم.',
    );
  });
});
