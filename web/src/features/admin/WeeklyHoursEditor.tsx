import { type Interval, WEEKDAYS, type Weekday, type WeeklyHours } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Lang } from '../../i18n/index.js';
import { formatNumber } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import {
  clockText,
  crossesMidnight,
  type IntervalDraft,
  type IntervalProblem,
  parseClock,
  readInterval,
  type WeeklyDraft,
} from './hours.js';
import { FieldError, invalidProps } from './shared.js';

/** The most intervals one day may have (WeeklyHoursSchema). */
export const MAX_INTERVALS = 8;

/** `08:00–17:00`, `22:00–06:00 (next day)`, in the UI's digits. */
export function intervalText(interval: Interval, t: TFunction, lang: Lang): string {
  const text = `${clockText(interval.from, lang)}–${clockText(interval.to, lang)}`;
  return crossesMidnight(interval) ? t('hours.nextDay', { text }) : text;
}

/** A day's hours for reading: its intervals, or "closed". */
export function dayHoursText(intervals: readonly Interval[], t: TFunction, lang: Lang): string {
  return intervals.length === 0
    ? t('hours.closed')
    : intervals.map((i) => intervalText(i, t, lang)).join(t('admin.listSeparator'));
}

/**
 * The week in a few words: neighbouring days with the same hours together, «شنبه تا چهارشنبه
 * ۰۸:۰۰–۱۷:۰۰؛ پنجشنبه ۰۸:۰۰–۱۳:۰۰؛ جمعه تعطیل».
 */
export function weeklySummary(weekly: WeeklyHours, t: TFunction, lang: Lang): string {
  const groups: { first: Weekday; last: Weekday; text: string }[] = [];
  for (const day of WEEKDAYS) {
    const text = dayHoursText(weekly[day], t, lang);
    const previous = groups.at(-1);
    if (previous && previous.text === text) previous.last = day;
    else groups.push({ first: day, last: day, text });
  }
  return groups
    .map(({ first, last, text }) =>
      t('hours.summaryPart', {
        days:
          first === last
            ? t(`snooze.weekdays.${first}`)
            : t('hours.dayRange', {
                from: t(`snooze.weekdays.${first}`),
                to: t(`snooze.weekdays.${last}`),
              }),
        hours: text,
      }),
    )
    .join(t('hours.summarySeparator'));
}

/** What is wrong with each interval typed, by index; null where it is fine. */
export type IntervalErrors = (IntervalProblem | null)[];

/** Reads the typed intervals: the intervals, or the problem of each. */
export function readIntervals(
  drafts: IntervalDraft[],
): { intervals: Interval[] } | { errors: IntervalErrors } {
  const read = drafts.map(readInterval);
  if (read.every((r) => !('problem' in r))) return { intervals: read as Interval[] };
  return { errors: read.map((r) => ('problem' in r ? r.problem : null)) };
}

/**
 * A day's intervals as fields: from, to, remove; and "add". An end at or before the start runs
 * into the next day, and says so.
 */
export function IntervalRows({
  id,
  dayName,
  drafts,
  errors,
  onChange,
  testId,
}: {
  id: string;
  /** The day the intervals belong to, for the fields' names («شنبه، بازهٔ ۲، از»). */
  dayName: string;
  drafts: IntervalDraft[];
  errors: IntervalErrors | undefined;
  onChange: (drafts: IntervalDraft[]) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const set = (index: number, patch: Partial<IntervalDraft>) =>
    onChange(drafts.map((d, n) => (n === index ? { ...d, ...patch } : d)));

  return (
    <div className="hours-intervals" data-testid={testId}>
      {drafts.length === 0 && <span className="muted small">{t('hours.closed')}</span>}
      {drafts.map((draft, index) => {
        const n = formatNumber(index + 1, lang);
        const problem = errors?.[index] ?? null;
        const fieldId = `${id}-${index}`;
        const from = parseClock(draft.from);
        const to = parseClock(draft.to, { end: true });
        const overnight = from && to && from !== to && crossesMidnight({ from, to });
        const message = problem ? t(`hours.problem.${problem}`) : null;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: intervals have no identity but their place
          <div key={index} className="hours-interval" data-testid="interval">
            <input
              id={`${fieldId}-from`}
              data-testid="interval-from"
              className="hours-clock"
              inputMode="numeric"
              dir="ltr"
              autoComplete="off"
              maxLength={5}
              placeholder={clockText('08:00', lang)}
              aria-label={t('hours.fromLabel', { day: dayName, n })}
              value={draft.from}
              onChange={(e) => set(index, { from: e.target.value })}
              {...invalidProps(fieldId, problem === 'from' || problem === 'empty' ? message : null)}
            />
            <span aria-hidden="true">–</span>
            <input
              id={`${fieldId}-to`}
              data-testid="interval-to"
              className="hours-clock"
              inputMode="numeric"
              dir="ltr"
              autoComplete="off"
              maxLength={5}
              placeholder={clockText('17:00', lang)}
              aria-label={t('hours.toLabel', { day: dayName, n })}
              value={draft.to}
              onChange={(e) => set(index, { to: e.target.value })}
              {...invalidProps(fieldId, problem === 'to' ? message : null)}
            />
            {overnight && (
              <span className="muted small" data-testid="interval-overnight">
                {t('hours.overnight')}
              </span>
            )}
            <button
              type="button"
              className="link-button danger"
              data-testid="interval-remove"
              aria-label={t('hours.removeInterval', { day: dayName, n })}
              onClick={() => onChange(drafts.filter((_, m) => m !== index))}
            >
              {t('hours.remove')}
            </button>
            <FieldError id={fieldId} error={message} />
          </div>
        );
      })}
      <button
        type="button"
        className="link-button"
        data-testid="interval-add"
        disabled={drafts.length >= MAX_INTERVALS}
        aria-label={t('hours.addIntervalTo', { day: dayName })}
        onClick={() => {
          // A new interval follows the last one (or a working day's usual start).
          const last = drafts.at(-1);
          onChange([
            ...drafts,
            last ? { from: last.to, to: '' } : { from: clockText('08:00', lang), to: '' },
          ]);
        }}
      >
        {t('hours.addInterval')}
      </button>
    </div>
  );
}

/** The week's hours, a row per day (Saturday first), each with its intervals. */
export function WeeklyHoursEditor({
  id,
  draft,
  errors,
  onChange,
}: {
  id: string;
  draft: WeeklyDraft;
  errors: Partial<Record<Weekday, IntervalErrors>>;
  onChange: (draft: WeeklyDraft) => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="admin-timers hours-week" data-testid="weekly-editor">
      <legend>{t('hours.weekly')}</legend>
      <p className="muted small">{t('hours.weeklyHint')}</p>
      {WEEKDAYS.map((day) => (
        <div key={day} className="hours-day" data-testid="weekly-day" data-day={day}>
          <span className="hours-day-name">{t(`snooze.weekdays.${day}`)}</span>
          <IntervalRows
            id={`${id}-${day}`}
            dayName={t(`snooze.weekdays.${day}`)}
            drafts={draft[day]}
            errors={errors[day]}
            onChange={(drafts) => onChange({ ...draft, [day]: drafts })}
            testId="weekly-intervals"
          />
        </div>
      ))}
    </fieldset>
  );
}
