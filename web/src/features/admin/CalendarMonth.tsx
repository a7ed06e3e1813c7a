import { type Calendar, type CalendarDay, toPersianDigits, WEEKDAYS } from '@abrik/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { calendarDays, clearCalendarDay, setCalendarDay } from '../../api/hours.js';
import { useServices } from '../../app/context.js';
import { FormError } from '../../components/FormError.js';
import { Icon } from '../../components/Icon.js';
import type { Lang } from '../../i18n/index.js';
import { useAction, useLang } from '../../lib/hooks.js';
import {
  addDays,
  addMonths,
  dayKey,
  type JalaliDay,
  type JalaliMonth,
  monthKey,
  monthWeeks,
  weekdayOf,
} from '../console/jalali.js';
import { arrowStep } from '../console/SnoozePicker.js';
import {
  clockText,
  type IntervalDraft,
  isoOfJalali,
  jalaliOfIso,
  monthRange,
  todayIn,
  weeklyClosed,
} from './hours.js';
import { calendarDaysKey, calendarsKey } from './queries.js';
import { QueryState } from './shared.js';
import { dayHoursText, type IntervalErrors, IntervalRows, readIntervals } from './WeeklyHoursEditor.js';

/** The same day in the Gregorian calendar, beside the Jalali one: «۵ دسامبر ۲۰۲۶», "5 December 2026". */
function gregorianDate(date: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'fa' ? 'fa-IR-u-ca-gregory-nu-arabext' : 'en-GB-u-ca-gregory', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${date}T12:00:00Z`));
}

/** How a day stands: its dated exception, else closed or open by the weekly hours. */
type DayState = 'closed' | 'hours' | 'open' | 'weekly-closed' | 'regular';

function stateOf(calendar: Calendar, day: JalaliDay, dated: CalendarDay | undefined): DayState {
  if (dated) return dated.kind;
  return weeklyClosed(calendar.weekly, day) ? 'weekly-closed' : 'regular';
}

/**
 * A Jalali month of the calendar: holidays and other exceptions marked (tentative lunar ones and
 * days set by hand too), each day opening its details; admins set a day closed, open or to other
 * hours there. Arrow keys move between days, Page Up/Down between months.
 */
export function CalendarMonth({ calendar, isAdmin }: { calendar: Calendar; isAdmin: boolean }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const id = useId();
  const today = jalaliOfIso(todayIn(calendar.timeZone));
  const [focused, setFocused] = useState<JalaliDay>(today);
  const [selected, setSelected] = useState<string | null>(null);
  const month: JalaliMonth = { jy: focused.jy, jm: focused.jm };
  const range = monthRange(month);
  const days = useQuery({
    queryKey: calendarDaysKey(calendar.id, range.from, range.to),
    queryFn: () => calendarDays(api, calendar.id, range),
  });
  const byDate = new Map((days.data?.items ?? []).map((d) => [d.date, d]));
  const gridRef = useRef<HTMLTableElement>(null);
  const moveFocus = useRef(false);
  const digits = (value: number) => (lang === 'fa' ? toPersianDigits(value) : String(value));
  const monthName = (jm: number) => t(`snooze.months.${monthKey(jm)}`);

  useLayoutEffect(() => {
    if (!moveFocus.current) return;
    moveFocus.current = false;
    gridRef.current?.querySelector<HTMLButtonElement>(`[data-jalali="${dayKey(focused)}"]`)?.focus();
  }, [focused]);

  const fullDate = (day: JalaliDay) =>
    t('snooze.fullDate', {
      weekday: t(`snooze.weekdays.${weekdayOf(day)}`),
      day: digits(day.jd),
      month: monthName(day.jm),
      year: digits(day.jy),
    });

  const describe = (day: JalaliDay, dated: CalendarDay | undefined): string => {
    const state = stateOf(calendar, day, dated);
    const parts = [fullDate(day), t(`hours.state.${state}`)];
    if (dated?.label) parts.push(dated.label);
    if (dated?.tentative) parts.push(t('hours.tentative'));
    if (dated?.origin === 'manual') parts.push(t('hours.origin.manual'));
    return parts.join(t('hours.describeSeparator'));
  };

  function onGridKey(event: KeyboardEvent<HTMLTableElement>) {
    const rtl = event.currentTarget.closest('[dir]')?.getAttribute('dir') === 'rtl';
    const step = arrowStep(event.key, rtl);
    let next: JalaliDay | undefined;
    if (step !== undefined) next = addDays(focused, step);
    else if (event.key === 'PageUp' || event.key === 'PageDown') {
      const to = addMonths(focused, event.key === 'PageUp' ? -1 : 1);
      next = { ...to, jd: Math.min(focused.jd, 29) };
    }
    if (!next) return;
    event.preventDefault();
    moveFocus.current = true;
    setFocused(next);
  }

  function showMonth(delta: number) {
    const to = addMonths(month, delta);
    setFocused({ ...to, jd: 1 });
    setSelected(null);
  }

  const monthId = `${id}-month`;
  const selectedDay = selected ? jalaliOfIso(selected) : null;
  return (
    <section className="hours-month" aria-labelledby={`${id}-title`} data-testid="calendar-month">
      <h3 id={`${id}-title`}>{t('hours.month.title')}</h3>
      <p className="muted small">{isAdmin ? t('hours.month.hintAdmin') : t('hours.month.hint')}</p>
      <div className="snooze-month hours-month-nav">
        <button
          type="button"
          className="icon-button small"
          aria-label={t('snooze.prevMonth')}
          data-testid="month-prev"
          onClick={() => showMonth(-1)}
        >
          <Icon name="back" className="flip-rtl" />
        </button>
        <span id={monthId} className="snooze-month-title" aria-live="polite" data-testid="month-title">
          {t('snooze.monthYear', { month: monthName(month.jm), year: digits(month.jy) })}
        </span>
        <button
          type="button"
          className="icon-button small"
          aria-label={t('snooze.nextMonth')}
          data-testid="month-next"
          onClick={() => showMonth(1)}
        >
          <Icon name="back" className="snooze-forward" />
        </button>
      </div>
      <QueryState isPending={days.isPending} error={days.error} />
      <table
        ref={gridRef}
        // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: arrow keys move between days, as in a grid
        role="grid"
        aria-labelledby={monthId}
        className="snooze-grid hours-grid"
        onKeyDown={onGridKey}
      >
        <thead>
          <tr>
            {WEEKDAYS.map((weekday) => (
              <th key={weekday} scope="col" abbr={t(`snooze.weekdays.${weekday}`)} className="snooze-weekday">
                {t(`snooze.weekdaysShort.${weekday}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {monthWeeks(month).map((week) => (
            <tr key={dayKey(week.find((d) => d !== null)!)}>
              {WEEKDAYS.map((weekday, column) => {
                const day = week[column];
                if (!day) return <td key={weekday} />;
                const iso = isoOfJalali(day);
                const dated = byDate.get(iso);
                const state = stateOf(calendar, day, dated);
                return (
                  // biome-ignore lint/a11y/useAriaPropsSupportedByRole: in a grid table a td is a gridcell, which has aria-selected
                  <td key={weekday} aria-selected={selected === iso}>
                    <button
                      type="button"
                      className="snooze-day hours-day-cell"
                      data-testid="calendar-day"
                      data-date={iso}
                      data-jalali={dayKey(day)}
                      data-state={state}
                      data-tentative={dated?.tentative ? 'true' : undefined}
                      data-origin={dated?.origin}
                      aria-label={describe(day, dated)}
                      aria-current={dayKey(day) === dayKey(today) ? 'date' : undefined}
                      tabIndex={dayKey(day) === dayKey(focused) ? 0 : -1}
                      // Focus put here by a click or by the page moves the keyboard's place too.
                      onFocus={() => {
                        if (dayKey(day) !== dayKey(focused)) setFocused(day);
                      }}
                      onClick={() => {
                        setFocused(day);
                        setSelected((s) => (s === iso ? null : iso));
                      }}
                    >
                      {digits(day.jd)}
                      {dated?.tentative && (
                        <span className="hours-mark" aria-hidden="true">
                          ?
                        </span>
                      )}
                      {dated?.origin === 'manual' && (
                        <span className="hours-mark" aria-hidden="true">
                          ✎
                        </span>
                      )}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="hours-legend small" aria-label={t('hours.legend.title')}>
        {(['closed', 'hours', 'open', 'weekly-closed'] as const).map((state) => (
          <li key={state}>
            <span className="hours-swatch" data-state={state} aria-hidden="true" />
            {t(`hours.state.${state}`)}
          </li>
        ))}
        <li>
          <span aria-hidden="true">? </span>
          {t('hours.legend.tentative')}
        </li>
        <li>
          <span aria-hidden="true">✎ </span>
          {t('hours.legend.manual')}
        </li>
      </ul>
      {selected && selectedDay && (
        <DayPanel
          key={selected}
          calendar={calendar}
          date={selected}
          title={fullDate(selectedDay)}
          day={selectedDay}
          dated={byDate.get(selected)}
          isAdmin={isAdmin}
          onClose={() => {
            setSelected(null);
            moveFocus.current = true;
            setFocused({ ...selectedDay });
          }}
        />
      )}
    </section>
  );
}

/** One day: how it stands and why; admins set it closed, open or to other hours, or undo that. */
function DayPanel({
  calendar,
  date,
  title,
  day,
  dated,
  isAdmin,
  onClose,
}: {
  calendar: Calendar;
  date: string;
  title: string;
  day: JalaliDay;
  dated: CalendarDay | undefined;
  isAdmin: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const weekly = calendar.weekly[weekdayOf(day)];
  const closedNow = dated ? dated.kind === 'closed' : weekly.length === 0;
  const [kind, setKind] = useState<CalendarDay['kind']>(dated?.kind ?? (closedNow ? 'open' : 'closed'));
  const [label, setLabel] = useState(dated?.label ?? '');
  const [hours, setHours] = useState<IntervalDraft[]>(() =>
    (dated?.kind === 'hours'
      ? dated.hours
      : weekly.length > 0
        ? weekly
        : [{ from: '08:00', to: '17:00' }]
    ).map((i) => ({ from: clockText(i.from, lang), to: clockText(i.to, lang) })),
  );
  const [errors, setErrors] = useState<IntervalErrors | undefined>();
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: [...calendarsKey, calendar.id, 'days'] }),
      queryClient.invalidateQueries({ queryKey: calendarsKey, exact: true }),
    ]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(null);
    let intervals: { from: string; to: string }[] = [];
    if (kind === 'hours') {
      const read = readIntervals(hours);
      if ('errors' in read) {
        setErrors(read.errors);
        return;
      }
      if (read.intervals.length === 0) {
        setError(t('hours.day.hoursRequired'));
        return;
      }
      intervals = read.intervals;
    }
    setErrors(undefined);
    const ok = await run(async () => {
      await setCalendarDay(api, calendar.id, date, {
        kind,
        ...(kind === 'hours' ? { hours: intervals } : {}),
        label: label.trim(),
      });
      await refresh();
    });
    if (ok) setDone(t('hours.day.saved'));
  }

  async function undo() {
    setError(null);
    setDone(null);
    const ok = await run(async () => {
      await clearCalendarDay(api, calendar.id, date);
      await refresh();
    });
    if (ok) setDone(t('hours.day.cleared'));
  }

  const stateText = dated
    ? dated.kind === 'closed'
      ? t('hours.day.closed')
      : dated.kind === 'open'
        ? t('hours.day.open', { hours: dayHoursText(weekly, t, lang) })
        : t('hours.day.hours', { hours: dayHoursText(dated.hours, t, lang) })
    : weekly.length === 0
      ? t('hours.day.weeklyClosed', { weekday: t(`snooze.weekdays.${weekdayOf(day)}`) })
      : t('hours.day.regular', { hours: dayHoursText(weekly, t, lang) });

  return (
    <section
      className="panel hours-day-panel"
      aria-labelledby={`${id}-title`}
      data-testid="day-panel"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="row between">
        <h4 id={`${id}-title`}>{title}</h4>
        <button type="button" className="link-button" data-testid="day-close" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <p className="muted small" data-testid="day-gregorian">
        {gregorianDate(date, lang)}
      </p>
      <p data-testid="day-state">{stateText}</p>
      {dated?.label && (
        <p dir="auto" data-testid="day-label">
          {dated.label}
        </p>
      )}
      {dated && (
        <p className="muted small" data-testid="day-origin">
          {t(`hours.origin.${dated.origin}`)}
        </p>
      )}
      {dated?.tentative && (
        <p className="hours-tentative small" data-testid="day-tentative">
          {t('hours.tentativeNote')}
        </p>
      )}
      {isAdmin && (
        <form className="admin-form" onSubmit={submit} noValidate data-testid="day-form">
          <fieldset className="admin-choices">
            <legend>{t('hours.day.set')}</legend>
            {(['closed', 'open', 'hours'] as const).map((option) => (
              <label key={option} className="admin-choice">
                <input
                  type="radio"
                  name={`${id}-kind`}
                  data-testid="day-kind"
                  value={option}
                  checked={kind === option}
                  onChange={() => setKind(option)}
                />
                <span>{t(`hours.day.kinds.${option}`)}</span>
              </label>
            ))}
          </fieldset>
          {kind === 'hours' && (
            <IntervalRows
              id={`${id}-hours`}
              dayName={title}
              drafts={hours}
              errors={errors}
              onChange={setHours}
              testId="day-intervals"
            />
          )}
          <label htmlFor={`${id}-label`}>{t('hours.day.label')}</label>
          <input
            id={`${id}-label`}
            data-testid="day-label-input"
            dir="auto"
            maxLength={100}
            autoComplete="off"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <p className="muted small">{t('hours.day.manualWins')}</p>
          <FormError error={error} />
          <div className="row">
            <button type="submit" className="primary" data-testid="day-save" disabled={busy}>
              {busy ? t('admin.saving') : t('common.save')}
            </button>
            {dated?.origin === 'manual' && (
              <button type="button" data-testid="day-clear" disabled={busy} onClick={() => void undo()}>
                {t('hours.day.clear')}
              </button>
            )}
            <span className="admin-done small" role="status" data-testid="day-done">
              {done ?? ''}
            </span>
          </div>
        </form>
      )}
    </section>
  );
}
