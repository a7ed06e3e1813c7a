import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Lang } from '../../i18n/index.js';
import { renderWithServices } from '../../test/services.js';
import { SnoozePicker } from './SnoozePicker.js';

// 14 Azar 1405, a Saturday, 10:30 local time.
const NOW = new Date(2026, 11, 5, 10, 30);

async function renderPicker({ lang = 'fa', now = NOW }: { lang?: Lang; now?: Date } = {}) {
  const onPick = vi.fn();
  const onCancel = vi.fn();
  const { user } = await renderWithServices(<SnoozePicker onPick={onPick} onCancel={onCancel} now={now} />, {
    lang,
  });
  return { user, onPick, onCancel };
}

const preset = (name: string) =>
  screen.getAllByTestId('snooze-preset').find((b) => b.dataset.preset === name) ?? null;
const day = (jalali: string) =>
  screen
    .getByTestId('snooze-picker')
    .querySelector<HTMLButtonElement>(`[data-testid="snooze-day"][data-jalali="${jalali}"]`);
const iso = (...args: [number, number, number, number, number?]) => ({
  until: new Date(...args).toISOString(),
});

describe(SnoozePicker.name, () => {
  it('offers the quick choices at the right local times', async () => {
    const { user, onPick } = await renderPicker();
    expect(screen.getAllByTestId('snooze-preset').map((b) => b.dataset.preset)).toEqual([
      'hour',
      'evening',
      'tomorrow',
      'week',
      'reply',
    ]);
    expect(preset('evening')?.textContent).toContain('ساعت ۱۸:۰۰');
    expect(preset('hour')?.textContent).toContain('۱۱:۳۰');
    expect(preset('week')?.textContent).toContain('۲۱ آذر');

    await user.click(preset('hour')!);
    await user.click(preset('evening')!);
    await user.click(preset('tomorrow')!);
    await user.click(preset('week')!);
    await user.click(preset('reply')!);
    expect(onPick.mock.calls.map(([choice]) => choice)).toEqual([
      iso(2026, 11, 5, 11, 30),
      iso(2026, 11, 5, 18),
      iso(2026, 11, 6, 9),
      iso(2026, 11, 12, 9), // next week's Saturday, not today
      { untilReply: true },
    ]);
    const until = (onPick.mock.calls[0]![0] as { until: string }).until;
    expect(until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('leaves out this evening once 18:00 has passed', async () => {
    const { user, onPick } = await renderPicker({ now: new Date(2026, 11, 10, 18, 30) }); // a Thursday
    expect(preset('evening')).toBeNull();
    await user.click(preset('week')!);
    await user.click(preset('tomorrow')!);
    expect(onPick.mock.calls.map(([choice]) => choice)).toEqual([iso(2026, 11, 12, 9), iso(2026, 11, 11, 9)]);
  });

  it('shows the Jalali month, Saturday first, with past days disabled and today marked', async () => {
    await renderPicker();
    const grid = screen.getByRole('grid', { name: 'آذر ۱۴۰۵' });
    expect(
      within(grid)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['ش', 'ی', 'د', 'س', 'چ', 'پ', 'ج']);
    // 1 Azar 1405 is a Sunday: the first row starts with an empty Saturday.
    const firstRow = grid.querySelector('tbody tr')!;
    expect(firstRow.children[0]?.textContent).toBe('');
    expect(firstRow.children[1]?.textContent).toBe('۱');
    expect(screen.getAllByTestId('snooze-day')).toHaveLength(30);

    for (let d = 1; d <= 13; d++) expect(day(`1405-09-${String(d).padStart(2, '0')}`)?.disabled).toBe(true);
    const today = day('1405-09-14')!;
    expect(today.disabled).toBe(false);
    expect(today.getAttribute('aria-current')).toBe('date');
    expect(today.getAttribute('aria-label')).toBe('شنبه ۱۴ آذر ۱۴۰۵');
    expect(day('1405-09-15')?.getAttribute('aria-current')).toBeNull();
    // The custom choice starts at the next whole hour, today.
    expect(today.parentElement?.getAttribute('aria-selected')).toBe('true');
    expect((screen.getByTestId('snooze-time') as HTMLInputElement).value).toBe('۱۱:۰۰');
    expect(screen.getByTestId('snooze-chosen').textContent).toBe('تا شنبه ۱۴ آذر ۱۴۰۵، ساعت ۱۱:۰۰');
    expect(screen.getByTestId('snooze-prev-month')).toHaveProperty('disabled', true);
  });

  it('picks a day across the year boundary and a time typed in Persian digits', async () => {
    const { user, onPick } = await renderPicker();
    const next = screen.getByTestId('snooze-next-month');
    await user.click(next);
    await user.click(next);
    await user.click(next);
    expect(screen.getByTestId('snooze-month').textContent).toBe('اسفند ۱۴۰۵');
    // 1405 is not a leap year: Esfand has 29 days.
    expect(screen.getAllByTestId('snooze-day')).toHaveLength(29);
    expect(day('1405-12-29')).not.toBeNull();
    expect(day('1405-12-30')).toBeNull();
    await user.click(next);
    expect(screen.getByTestId('snooze-month').textContent).toBe('فروردین ۱۴۰۶');
    expect(screen.getByTestId('snooze-prev-month')).toHaveProperty('disabled', false);

    await user.click(day('1406-01-01')!);
    const time = screen.getByTestId('snooze-time');
    await user.clear(time);
    await user.type(time, '۱۰:۱۵');
    expect(screen.getByTestId('snooze-chosen').textContent).toBe('تا یکشنبه ۱ فروردین ۱۴۰۶، ساعت ۱۰:۱۵');
    await user.click(screen.getByTestId('snooze-confirm'));
    expect(onPick).toHaveBeenCalledExactlyOnceWith(iso(2027, 2, 21, 10, 15));
  });

  it('does not confirm a time in the past, and says why', async () => {
    const { user, onPick } = await renderPicker();
    const time = screen.getByTestId('snooze-time');
    const confirm = screen.getByTestId('snooze-confirm') as HTMLButtonElement;
    await user.clear(time);
    await user.type(time, '۰۹:۰۰{Enter}');
    expect(confirm.disabled).toBe(true);
    expect(screen.getByRole('alert').textContent).toBe('این زمان گذشته است؛ زمانی بعد از اکنون انتخاب کنید.');
    expect(time.getAttribute('aria-describedby')).toBe(screen.getByRole('alert').id);

    await user.clear(time);
    await user.type(time, '25:00');
    expect(confirm.disabled).toBe(true);
    expect(screen.getByRole('alert').textContent).toContain('ساعت:دقیقه');

    // The same time tomorrow is fine.
    await user.clear(time);
    await user.type(time, '09:00');
    await user.click(day('1405-09-15')!);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(confirm.disabled).toBe(false);
    await user.click(confirm);
    expect(onPick).toHaveBeenCalledExactlyOnceWith(iso(2026, 11, 6, 9, 0));
  });

  it('moves between days with the arrow keys as they are laid out right to left', async () => {
    const { user, onPick } = await renderPicker();
    expect(document.documentElement.dir).toBe('rtl');
    await user.click(day('1405-09-14')!);
    await user.keyboard('{ArrowLeft}');
    expect(document.activeElement).toBe(day('1405-09-15'));
    await user.keyboard('{ArrowRight}{ArrowRight}');
    expect(document.activeElement).toBe(day('1405-09-14')); // never before today
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(document.activeElement).toBe(day('1405-10-05')); // 14 Azar + 21 days, in Dey
    expect(screen.getByTestId('snooze-month').textContent).toBe('دی ۱۴۰۵');
    await user.keyboard('{Enter}');
    expect(day('1405-10-05')?.parentElement?.getAttribute('aria-selected')).toBe('true');
    await user.click(screen.getByTestId('snooze-confirm'));
    expect(onPick).toHaveBeenCalledExactlyOnceWith(iso(2026, 11, 26, 11, 0));
  });

  it('closes on Esc anywhere in the picker, and on cancel', async () => {
    const { user, onCancel, onPick } = await renderPicker();
    await user.click(screen.getByTestId('snooze-time'));
    await user.keyboard('{Escape}');
    expect(onCancel).toHaveBeenCalledTimes(1);
    await user.click(day('1405-09-20')!);
    await user.keyboard('{Escape}');
    expect(onCancel).toHaveBeenCalledTimes(2);
    await user.click(screen.getByTestId('snooze-cancel'));
    expect(onCancel).toHaveBeenCalledTimes(3);
    expect(onPick).not.toHaveBeenCalled();
  });

  it('works in English, left to right, with Latin digits and the Gregorian date', async () => {
    const { user, onPick } = await renderPicker({ lang: 'en' });
    expect(document.documentElement.dir).toBe('ltr');
    expect(screen.getByTestId('snooze-month').textContent).toBe('Azar 1405');
    expect(day('1405-09-14')?.textContent).toBe('14');
    expect(day('1405-09-14')?.getAttribute('aria-label')).toBe('Saturday 14 Azar 1405');
    expect(preset('evening')?.textContent).toContain('This evening, 18:00');
    expect(screen.getByTestId('snooze-chosen').textContent).toBe(
      'Until Saturday 14 Azar 1405, 11:00 (5 December 2026)',
    );
    expect(screen.getByTestId('snooze-picker').textContent).not.toMatch(/[۰-۹]/);

    await user.click(day('1405-09-14')!);
    await user.keyboard('{ArrowRight}{Enter}');
    expect(document.activeElement).toBe(day('1405-09-15'));
    const time = screen.getByTestId('snooze-time');
    await user.clear(time);
    await user.type(time, '۱۷:۴۵'); // Persian digits still accepted
    expect(screen.getByTestId('snooze-chosen').textContent).toBe(
      'Until Sunday 15 Azar 1405, 17:45 (6 December 2026)',
    );
    await user.click(screen.getByTestId('snooze-confirm'));
    expect(onPick).toHaveBeenCalledExactlyOnceWith(iso(2026, 11, 6, 17, 45));
  });
});
