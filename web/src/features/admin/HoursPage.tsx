import {
  CALENDAR_TEMPLATES,
  type Calendar,
  type CalendarTemplate,
  NameSchema,
  WEEKDAYS,
  type Weekday,
  type WeeklyHours,
} from '@abrik/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/errors.js';
import { createCalendar, deleteCalendar, holidays, importHolidays, updateCalendar } from '../../api/hours.js';
import { useServices } from '../../app/context.js';
import { FormError } from '../../components/FormError.js';
import { formatNumber } from '../../lib/format.js';
import { useAction, useLang } from '../../lib/hooks.js';
import { CalendarMonth } from './CalendarMonth.js';
import { ConfirmButton } from './ConfirmButton.js';
import { canonicalTimeZone, sameWeekly, type WeeklyDraft, weeklyDraft } from './hours.js';
import { ItemForm, ItemList, ListPage } from './ListPage.js';
import { calendarsKey, holidaysKey, useCalendars } from './queries.js';
import {
  FieldError,
  focusFirstInvalid,
  inboxesKey,
  invalidProps,
  NameInput,
  QueryState,
  useInboxes,
  useMe,
} from './shared.js';
import {
  dayHoursText,
  type IntervalErrors,
  readIntervals,
  WeeklyHoursEditor,
  weeklySummary,
} from './WeeklyHoursEditor.js';
import './settings.css';

const DEFAULT_TIME_ZONE = 'Asia/Tehran';

/**
 * Business hours: calendars (a time zone, weekly hours, dated days such as holidays), which
 * inboxes keep which. Admins create and change them; supervisors read them.
 */
export function HoursPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const me = useMe();
  const isAdmin = me?.role === 'admin';
  const list = useCalendars();
  const inboxes = useInboxes();
  const [open, setOpen] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const inboxName = (id: string) =>
    inboxes.data?.items.find((i) => i.id === id)?.name ?? t('hours.unknownInbox');

  return (
    <ListPage
      id="admin-hours-title"
      title={t('hours.title')}
      intro={t('hours.intro')}
      readOnly={!isAdmin}
      add={{
        label: t('hours.new'),
        testId: 'calendar-new',
        open: creating,
        onToggle: () => setCreating((c) => !c),
      }}
    >
      {isAdmin && creating && (
        <NewCalendarForm
          onDone={(created) => {
            setCreating(false);
            if (created) setOpen(created);
          }}
        />
      )}
      <ItemList query={list} empty={t('hours.empty')} rowTestId="calendar-row">
        {(calendar) => (
          <>
            <div className="admin-row">
              <div className="admin-row-main">
                <strong dir="auto">{calendar.name}</strong>
                <bdi className="admin-tag" dir="ltr">
                  {calendar.timeZone}
                </bdi>
              </div>
              <p className="small" data-testid="calendar-summary">
                {weeklySummary(calendar.weekly, t, lang)}
              </p>
              <p className="muted small" data-testid="calendar-inboxes">
                {calendar.inboxIds.length === 0
                  ? t('hours.noInboxes')
                  : t('hours.usedBy', {
                      names: calendar.inboxIds.map(inboxName).join(t('admin.listSeparator')),
                    })}
              </p>
              <button
                type="button"
                className="link-button"
                data-testid="calendar-open"
                aria-expanded={open === calendar.id}
                aria-label={t(isAdmin ? 'admin.editNamed' : 'hours.showNamed', { name: calendar.name })}
                onClick={() => setOpen((o) => (o === calendar.id ? null : calendar.id))}
              >
                {isAdmin ? t('admin.edit') : t('hours.show')}
              </button>
            </div>
            {open === calendar.id && (
              <CalendarDetail calendar={calendar} isAdmin={isAdmin} onDeleted={() => setOpen(null)} />
            )}
          </>
        )}
      </ItemList>
      {list.data && <HolidayData />}
    </ListPage>
  );
}

/** A new calendar from one of the templates (Iran's usual week by default). */
function NewCalendarForm({ onDone }: { onDone: (created: string | null) => void }) {
  const { t } = useTranslation();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [template, setTemplate] = useState<CalendarTemplate>('iran_standard');
  const [timeZone, setTimeZone] = useState(DEFAULT_TIME_ZONE);
  const [errors, setErrors] = useState<{ name?: string; timeZone?: string }>({});
  const { busy, error, setError, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const parsed = NameSchema.safeParse(name);
    const zone = canonicalTimeZone(timeZone);
    const found = {
      ...(parsed.success ? {} : { name: t('admin.nameInvalid') }),
      ...(zone ? {} : { timeZone: t('hours.timeZoneInvalid') }),
    };
    setErrors(found);
    if (!parsed.success || !zone) {
      focusFirstInvalid(formRef.current);
      return;
    }
    await run(async () => {
      const created = await createCalendar(api, { name: parsed.data, timeZone: zone, template });
      await queryClient.invalidateQueries({ queryKey: calendarsKey });
      onDone(created.id);
    });
  }

  return (
    <ItemForm
      formRef={formRef}
      testId="calendar-new-form"
      title={t('hours.new')}
      onSubmit={submit}
      error={error}
      busy={busy}
      submit={{ testId: 'calendar-create', label: t('hours.create') }}
      onCancel={() => onDone(null)}
    >
      <NameInput
        id={`${id}-name`}
        label={t('hours.name')}
        testId="calendar-new-name"
        value={name}
        onChange={setName}
        error={errors.name}
      />
      <fieldset className="admin-choices">
        <legend>{t('hours.template')}</legend>
        {CALENDAR_TEMPLATES.map((option) => (
          <label key={option} className="admin-choice">
            <input
              type="radio"
              name={`${id}-template`}
              data-testid="calendar-template"
              value={option}
              checked={template === option}
              onChange={() => setTemplate(option)}
            />
            <span>
              <span className="admin-choice-title">{t(`hours.templates.${option}`)}</span>
              <span className="muted small">{t(`hours.templateHelp.${option}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <TimeZoneInput id={`${id}-zone`} value={timeZone} onChange={setTimeZone} error={errors.timeZone} />
    </ItemForm>
  );
}

/** Zones the browser knows, offered while typing. */
function knownZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [DEFAULT_TIME_ZONE, 'UTC'];
  }
}

function TimeZoneInput({
  id,
  value,
  onChange,
  error,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label htmlFor={id}>{t('hours.timeZone')}</label>
      <input
        id={id}
        data-testid="calendar-zone"
        dir="ltr"
        autoComplete="off"
        list={`${id}-zones`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...invalidProps(id, error)}
      />
      <datalist id={`${id}-zones`}>
        {knownZones().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      <p className="muted small">{t('hours.timeZoneHint')}</p>
      <FieldError id={id} error={error} />
    </>
  );
}

/** One calendar opened: its settings and week, its days by month, holiday import, delete. */
function CalendarDetail({
  calendar,
  isAdmin,
  onDeleted,
}: {
  calendar: Calendar;
  isAdmin: boolean;
  onDeleted: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <div className="admin-editor" data-testid="calendar-detail">
      {isAdmin ? (
        <CalendarForm calendar={calendar} />
      ) : (
        <dl className="admin-facts small" data-testid="calendar-week">
          {WEEKDAYS.map((day) => (
            <div key={day}>
              <dt>{t(`snooze.weekdays.${day}`)}</dt>
              <dd>{dayHoursText(calendar.weekly[day], t, lang)}</dd>
            </div>
          ))}
        </dl>
      )}
      <CalendarMonth calendar={calendar} isAdmin={isAdmin} />
      {isAdmin && <HolidayImport calendar={calendar} />}
      {isAdmin && <DeleteCalendar calendar={calendar} onDeleted={onDeleted} />}
    </div>
  );
}

/** Name, zone and the week's hours; only what changed is sent. */
function CalendarForm({ calendar }: { calendar: Calendar }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(calendar.name);
  const [timeZone, setTimeZone] = useState(calendar.timeZone);
  const [draft, setDraft] = useState<WeeklyDraft>(() => weeklyDraft(calendar.weekly, lang));
  const [errors, setErrors] = useState<{
    name?: string;
    timeZone?: string;
    week?: Partial<Record<Weekday, IntervalErrors>>;
  }>({});
  const [saved, setSaved] = useState(false);
  const { busy, error, setError, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const parsed = NameSchema.safeParse(name);
    const zone = canonicalTimeZone(timeZone);
    const week: Partial<Record<Weekday, IntervalErrors>> = {};
    const weekly = {} as WeeklyHours;
    for (const day of WEEKDAYS) {
      const read = readIntervals(draft[day]);
      if ('errors' in read) week[day] = read.errors;
      else weekly[day] = read.intervals;
    }
    const found = {
      ...(parsed.success ? {} : { name: t('admin.nameInvalid') }),
      ...(zone ? {} : { timeZone: t('hours.timeZoneInvalid') }),
      ...(Object.keys(week).length > 0 ? { week } : {}),
    };
    setErrors(found);
    if (Object.keys(found).length > 0 || !parsed.success || !zone) {
      focusFirstInvalid(formRef.current);
      return;
    }
    const changes = {
      ...(parsed.data !== calendar.name ? { name: parsed.data } : {}),
      ...(zone !== calendar.timeZone ? { timeZone: zone } : {}),
      ...(!sameWeekly(weekly, calendar.weekly) ? { weekly } : {}),
    };
    if (Object.keys(changes).length === 0) {
      setSaved(true);
      return;
    }
    const ok = await run(async () => {
      await updateCalendar(api, calendar.id, changes);
      await queryClient.invalidateQueries({ queryKey: calendarsKey });
    });
    setSaved(ok);
  }

  return (
    <form
      ref={formRef}
      className="admin-form"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid="calendar-form"
    >
      <h3 id={`${id}-title`}>{t('admin.editNamed', { name: calendar.name })}</h3>
      <NameInput
        id={`${id}-name`}
        label={t('hours.name')}
        testId="calendar-name"
        value={name}
        onChange={setName}
        error={errors.name}
      />
      <TimeZoneInput id={`${id}-zone`} value={timeZone} onChange={setTimeZone} error={errors.timeZone} />
      <WeeklyHoursEditor id={`${id}-week`} draft={draft} errors={errors.week ?? {}} onChange={setDraft} />
      <FormError error={error} />
      <div className="row">
        <button type="submit" className="primary" data-testid="calendar-save" disabled={busy}>
          {busy ? t('admin.saving') : t('common.save')}
        </button>
        <span className="admin-done small" role="status" data-testid="calendar-saved">
          {saved ? t('hours.saved') : ''}
        </span>
      </div>
    </form>
  );
}

/** Years the bundled holiday list has; read from the 422 when it lacks this year. */
function useHolidayYears(year: number | 'current') {
  const { api } = useServices();
  return useQuery({
    queryKey: holidaysKey(year),
    queryFn: async () => {
      try {
        return await holidays(api, year === 'current' ? undefined : year);
      } catch (error) {
        const details =
          error instanceof ApiError ? (error.details as { years?: number[] } | undefined) : undefined;
        if (error instanceof ApiError && error.code === 'calendar/no_holiday_data' && details?.years) {
          return { year: null, years: details.years, source: '', version: '', generatedAt: '', items: [] };
        }
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Which Jalali years of Iranian holidays come with the server, and from where. */
function HolidayData() {
  const { t } = useTranslation();
  const lang = useLang();
  const data = useHolidayYears('current');
  if (!data.data) return null;
  const { years, source, version } = data.data;
  return (
    <p className="muted small" data-testid="holiday-years">
      {years.length === 0
        ? t('hours.import.noYears')
        : t('hours.import.years', {
            years: years.map((y) => formatNumber(y, lang)).join(t('admin.listSeparator')),
          })}
      {source && ` ${t('hours.import.source', { source, version })}`}
    </p>
  );
}

/** Imports a Jalali year of holidays into the calendar; days set by hand stay as they are. */
function HolidayImport({ calendar }: { calendar: Calendar }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const queryClient = useQueryClient();
  const id = useId();
  const current = useHolidayYears('current');
  const years = current.data?.years ?? [];
  const [chosen, setChosen] = useState<number | null>(null);
  const year = chosen ?? current.data?.year ?? years[0] ?? null;
  const preview = useHolidayYears(year ?? 'current');
  const [result, setResult] = useState<{
    year: number;
    imported: number;
    keptManual: number;
    removed: number;
  } | null>(null);
  const { busy, error, setError, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (year === null) return;
    setError(null);
    setResult(null);
    await run(async () => {
      setResult(await importHolidays(api, calendar.id, year));
      await queryClient.invalidateQueries({ queryKey: calendarsKey });
    });
  }

  const n = (value: number) => formatNumber(value, lang);
  const items = preview.data?.year === year ? preview.data.items : [];
  return (
    <form className="admin-form hours-import" onSubmit={submit} data-testid="holiday-import">
      <h3>{t('hours.import.title')}</h3>
      <p className="muted small">{t('hours.import.manualWins')}</p>
      {current.error && <QueryState isPending={false} error={current.error} />}
      {years.length === 0 && current.data && <p className="muted small">{t('hours.import.noYears')}</p>}
      {years.length > 0 && (
        <>
          <label htmlFor={`${id}-year`}>{t('hours.import.year')}</label>
          <div className="row">
            <select
              id={`${id}-year`}
              data-testid="holiday-year"
              value={year === null ? '' : String(year)}
              onChange={(e) => {
                setChosen(Number(e.target.value));
                setResult(null);
              }}
            >
              {years.map((y) => (
                <option key={y} value={y}>
                  {n(y)}
                </option>
              ))}
            </select>
            <button type="submit" className="primary" data-testid="holiday-import-submit" disabled={busy}>
              {busy ? t('hours.import.importing') : t('hours.import.submit', { year: n(year ?? 0) })}
            </button>
          </div>
          {items.length > 0 && (
            <p className="muted small" data-testid="holiday-preview">
              {t('hours.import.preview', {
                count: items.length,
                n: n(items.length),
                tentative: n(items.filter((h) => h.tentative).length),
              })}
            </p>
          )}
        </>
      )}
      <FormError error={error} />
      <p className="admin-done small" role="status" data-testid="holiday-import-result">
        {result &&
          t('hours.import.result', {
            year: n(result.year),
            imported: n(result.imported),
            keptManual: n(result.keptManual),
            removed: n(result.removed),
          })}
      </p>
    </form>
  );
}

/** Deletes a calendar that no inbox uses (the server answers 409 otherwise, in words). */
function DeleteCalendar({ calendar, onDeleted }: { calendar: Calendar; onDeleted: () => void }) {
  const { t } = useTranslation();
  const { api } = useServices();
  const queryClient = useQueryClient();
  return (
    <ConfirmButton
      label={t('hours.delete')}
      buttonLabel={t('hours.deleteNamed', { name: calendar.name })}
      question={t('hours.deleteQuestion', { name: calendar.name })}
      testId="calendar-delete"
      onConfirm={async () => {
        await deleteCalendar(api, calendar.id);
        onDeleted();
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: calendarsKey }),
          queryClient.invalidateQueries({ queryKey: inboxesKey }),
        ]);
      }}
    />
  );
}
