import { toLatinDigits, toPersianDigits } from '@abrik/protocol';
import {
  type FormEvent,
  type JSX,
  type KeyboardEvent,
  useId,
  useLayoutEffect,
  useReducer,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../components/FormError.js';
import { Icon } from '../../components/Icon.js';
import { currentLang } from '../../i18n/index.js';
import { formatDate } from '../../lib/format.js';
import {
  addDays,
  addMonths,
  compareDays,
  dateAt,
  dayKey,
  formatHm,
  type JalaliDay,
  type JalaliMonth,
  jalaliOf,
  monthKey,
  monthLength,
  monthWeeks,
  nextWeekStart,
  parseTime,
  sameMonth,
  WEEKDAYS,
  weekdayIndex,
  weekdayOf,
} from './jalali.js';
import './snooze.css';

export type SnoozeChoice = { until: string } | { untilReply: true };

export type SnoozePreset = 'hour' | 'evening' | 'tomorrow' | 'week';

const EVENING_HOUR = 18;
const MORNING_HOUR = 9;

/** The quick choices' moments at `now`, in local time; `evening` only while 18:00 today is still ahead. */
export function presetTimes(now: Date): Partial<Record<SnoozePreset, Date>> {
  const [y, m, d] = [now.getFullYear(), now.getMonth(), now.getDate()];
  const evening = new Date(y, m, d, EVENING_HOUR);
  return {
    hour: new Date(now.getTime() + 3_600_000),
    ...(evening > now ? { evening } : {}),
    tomorrow: new Date(y, m, d + 1, MORNING_HOUR),
    week: nextWeekStart(now, MORNING_HOUR),
  };
}

/** Arrow keys' steps in days, as the days are laid out: in right-to-left, left is later. */
export function arrowStep(key: string, rtl: boolean): number | undefined {
  switch (key) {
    case 'ArrowRight':
      return rtl ? -1 : 1;
    case 'ArrowLeft':
      return rtl ? 1 : -1;
    case 'ArrowDown':
      return 7;
    case 'ArrowUp':
      return -7;
    default:
      return undefined;
  }
}

/** `day` moved into `month` (its last day when shorter), never before `today`. */
function dayIn(month: JalaliMonth, jd: number, today: JalaliDay): JalaliDay {
  const day = { ...month, jd: Math.min(jd, monthLength(month)) };
  return compareDays(day, today) < 0 ? today : day;
}

/**
 * Snoozes a conversation until a moment the agent picks (a quick choice, or a day on the Jalali
 * calendar plus a time) or until the customer replies. Times are the browser's local time.
 */
export function SnoozePicker({
  onPick,
  onCancel,
  now: fixedNow,
}: {
  onPick: (choice: SnoozeChoice) => void;
  onCancel: () => void;
  now?: Date;
}): JSX.Element {
  const { t, i18n } = useTranslation();
  const lang = currentLang(i18n);
  const id = useId();
  // Without a fixed `now` the clock is read on every render, so a picker left open offers no passed time.
  const clock = () => fixedNow ?? new Date();
  const now = clock();
  const today = jalaliOf(now);
  const digits = (text: string | number) => (lang === 'fa' ? toPersianDigits(text) : String(text));

  // The custom choice starts at the next whole hour, which is always ahead.
  const [start] = useState(
    () => new Date(now.getFullYear(), now.getMonth(), now.getDate(), now.getHours() + 1),
  );
  const [selected, setSelected] = useState<JalaliDay>(() => jalaliOf(start));
  const [focused, setFocused] = useState<JalaliDay>(selected);
  const [view, setView] = useState<JalaliMonth>({ jy: selected.jy, jm: selected.jm });
  const [timeText, setTimeText] = useState(() => digits(formatHm(start)));
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const gridRef = useRef<HTMLTableElement>(null);
  // Focus follows the keyboard only: a click or a month button keeps focus where it is.
  const moveFocus = useRef(false);

  useLayoutEffect(() => {
    if (!moveFocus.current) return;
    moveFocus.current = false;
    gridRef.current?.querySelector<HTMLButtonElement>(`[data-jalali="${dayKey(focused)}"]`)?.focus();
  }, [focused]);

  const monthName = (jm: number) => t(`snooze.months.${monthKey(jm)}`);
  const fullDate = (day: JalaliDay) =>
    t('snooze.fullDate', {
      weekday: t(`snooze.weekdays.${weekdayOf(day)}`),
      day: digits(day.jd),
      month: monthName(day.jm),
      year: digits(day.jy),
    });
  const shortDate = (date: Date) => {
    const day = jalaliOf(date);
    return t('snooze.shortDate', { day: digits(day.jd), month: monthName(day.jm) });
  };

  const time = parseTime(toLatinDigits(timeText));
  const moment = time ? dateAt(selected, time.hours, time.minutes) : null;
  const error = !moment ? t('snooze.timeInvalid') : moment <= now ? t('snooze.past') : null;
  const errorId = `${id}-error`;

  const presets = presetTimes(now);
  const presetLabel: Record<SnoozePreset, string> = {
    hour: t('snooze.preset.hour'),
    evening: t('snooze.preset.evening', { time: digits('18:00') }),
    tomorrow: t('snooze.preset.tomorrow', { time: digits('09:00') }),
    week: t('snooze.preset.week', { time: digits('09:00') }),
  };
  const presetHint = (preset: SnoozePreset, date: Date) =>
    preset === 'hour' ? digits(formatHm(date)) : preset === 'evening' ? '' : shortDate(date);

  function pickPreset(preset: SnoozePreset) {
    // Recomputed at the click: the rendered times may be minutes old.
    const date = presetTimes(clock())[preset];
    if (date) onPick({ until: date.toISOString() });
    else rerender();
  }

  function confirm(event: FormEvent) {
    event.preventDefault();
    if (!moment || moment <= clock()) {
      rerender();
      return;
    }
    onPick({ until: moment.toISOString() });
  }

  function moveTo(day: JalaliDay) {
    setFocused(day);
    setView({ jy: day.jy, jm: day.jm });
  }

  function showMonth(delta: number) {
    const month = addMonths(view, delta);
    setView(month);
    setFocused(dayIn(month, focused.jd, today));
  }

  function onGridKey(event: KeyboardEvent<HTMLTableElement>) {
    const rtl = event.currentTarget.closest('[dir]')?.getAttribute('dir') === 'rtl';
    const step = arrowStep(event.key, rtl);
    let next: JalaliDay | undefined;
    if (step !== undefined) next = addDays(focused, step);
    else if (event.key === 'Home') next = addDays(focused, -weekdayIndex(focused));
    else if (event.key === 'End') next = addDays(focused, 6 - weekdayIndex(focused));
    else if (event.key === 'PageUp' || event.key === 'PageDown')
      next = dayIn(addMonths(focused, event.key === 'PageUp' ? -1 : 1), focused.jd, today);
    if (!next) return;
    event.preventDefault();
    moveFocus.current = true;
    moveTo(compareDays(next, today) < 0 ? today : next);
  }

  function onRootKey(event: KeyboardEvent) {
    if (event.key !== 'Escape') return;
    // The picker sits in a popover: Esc closes it, not whatever is around it.
    event.preventDefault();
    event.stopPropagation();
    onCancel();
  }

  const titleId = `${id}-title`;
  const monthId = `${id}-month`;
  return (
    <form
      className="snooze-picker"
      data-testid="snooze-picker"
      aria-labelledby={titleId}
      onKeyDown={onRootKey}
      onSubmit={confirm}
      noValidate
    >
      <h2 id={titleId}>{t('snooze.title')}</h2>

      <fieldset className="snooze-presets">
        <legend className="snooze-heading">{t('snooze.quick')}</legend>
        {(Object.keys(presetLabel) as SnoozePreset[]).map((preset) => {
          const date = presets[preset];
          if (!date) return null;
          return (
            <button
              key={preset}
              type="button"
              data-testid="snooze-preset"
              data-preset={preset}
              onClick={() => pickPreset(preset)}
            >
              <span>{presetLabel[preset]}</span>
              <span className="muted small">{presetHint(preset, date)}</span>
            </button>
          );
        })}
        <button
          type="button"
          data-testid="snooze-preset"
          data-preset="reply"
          onClick={() => onPick({ untilReply: true })}
        >
          <span>{t('snooze.preset.reply')}</span>
        </button>
      </fieldset>

      <fieldset className="snooze-custom">
        <legend className="snooze-heading">{t('snooze.custom')}</legend>
        <div className="snooze-month">
          <button
            type="button"
            className="icon-button small"
            aria-label={t('snooze.prevMonth')}
            data-testid="snooze-prev-month"
            // Every day before this month is past.
            disabled={sameMonth(view, today)}
            onClick={() => showMonth(-1)}
          >
            <Icon name="back" className="flip-rtl" />
          </button>
          <span id={monthId} className="snooze-month-title" aria-live="polite" data-testid="snooze-month">
            {t('snooze.monthYear', { month: monthName(view.jm), year: digits(view.jy) })}
          </span>
          <button
            type="button"
            className="icon-button small"
            aria-label={t('snooze.nextMonth')}
            data-testid="snooze-next-month"
            onClick={() => showMonth(1)}
          >
            <Icon name="back" className="snooze-forward" />
          </button>
        </div>

        {/* The ARIA date-grid pattern: a table whose cells are gridcells (selected or not), each holding the day's button. */}
        <table
          ref={gridRef}
          // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: arrow keys move between days, as in a grid
          role="grid"
          aria-labelledby={monthId}
          className="snooze-grid"
          onKeyDown={onGridKey}
        >
          <thead>
            <tr>
              {WEEKDAYS.map((weekday) => (
                <th
                  key={weekday}
                  scope="col"
                  abbr={t(`snooze.weekdays.${weekday}`)}
                  className="snooze-weekday"
                >
                  {t(`snooze.weekdaysShort.${weekday}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {monthWeeks(view).map((week) => (
              <tr key={dayKey(week.find((d) => d !== null)!)}>
                {WEEKDAYS.map((weekday, column) => {
                  const day = week[column];
                  if (!day) return <td key={weekday} />;
                  const key = dayKey(day);
                  const order = compareDays(day, today);
                  return (
                    // biome-ignore lint/a11y/useAriaPropsSupportedByRole: in a grid table a td is a gridcell, which has aria-selected
                    <td key={weekday} aria-selected={compareDays(day, selected) === 0}>
                      <button
                        type="button"
                        className="snooze-day"
                        data-testid="snooze-day"
                        data-jalali={key}
                        aria-label={fullDate(day)}
                        aria-current={order === 0 ? 'date' : undefined}
                        tabIndex={compareDays(day, focused) === 0 ? 0 : -1}
                        disabled={order < 0}
                        onClick={() => {
                          setSelected(day);
                          moveTo(day);
                        }}
                      >
                        {digits(day.jd)}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>

        <div className="snooze-time">
          <label htmlFor={`${id}-time`}>{t('snooze.time')}</label>
          <input
            id={`${id}-time`}
            data-testid="snooze-time"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            placeholder={t('snooze.timePlaceholder')}
            value={timeText}
            aria-invalid={!moment}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => setTimeText(e.target.value)}
          />
        </div>

        <p className="snooze-chosen small" data-testid="snooze-chosen" aria-live="polite">
          {moment &&
            t('snooze.chosen', {
              date: fullDate(jalaliOf(moment)),
              time: digits(formatHm(moment)),
              gregorian: formatDate(moment, 'en'),
            })}
        </p>
        <FormError id={errorId} error={error} />
      </fieldset>

      <div className="row">
        <button
          type="submit"
          className="primary"
          data-testid="snooze-confirm"
          disabled={error !== null}
          aria-describedby={error ? errorId : undefined}
        >
          {t('snooze.confirm')}
        </button>
        <button type="button" data-testid="snooze-cancel" onClick={onCancel}>
          {t('snooze.cancel')}
        </button>
      </div>
    </form>
  );
}
