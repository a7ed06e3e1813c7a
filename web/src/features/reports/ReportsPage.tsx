import {
  REPORT_BUCKETS,
  REPORT_GROUPS,
  type Report,
  type ReportBucketKind,
  type ReportGroupBy,
  type ReportMetrics,
} from '@abrik/protocol';
import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { errorText } from '../../api/errors.js';
import { downloadReportCsv, supportReport } from '../../api/reports.js';
import { useServices } from '../../app/context.js';
import { ConnectionState } from '../../components/ConnectionState.js';
import { LanguageSwitch } from '../../components/LanguageSwitch.js';
import type { Lang } from '../../i18n/index.js';
import { formatNumber } from '../../lib/format.js';
import { useLang } from '../../lib/hooks.js';
import { useStore } from '../../lib/store.js';
import { BarChart, LineChart } from './charts.js';
import { bucketText, type Clock, formatDuration, formatPercent, formatScore } from './format.js';
import {
  DEFAULT_TIME_ZONE,
  isoOf,
  jalaliText,
  parseJalali,
  presetRange,
  RANGE_PRESETS,
  type RangePreset,
  type ReportRange,
} from './range.js';
import './reports.css';

/** Reports are the supervisors' and admins' (the server answers others 403). */
export const mayReadReports = (role: string | undefined) => role === 'supervisor' || role === 'admin';

/** The console's link to the reports, for those who may read them. */
export function ReportsLink() {
  const { t } = useTranslation();
  const { session } = useServices();
  const role = useStore(session.store)?.user.role;
  if (!mayReadReports(role)) return null;
  return (
    <Link href="/reports" className="nav-link" data-testid="nav-reports">
      {t('reports.link')}
    </Link>
  );
}

/** The reports screen at `/reports`: the console's header and the report page. */
export function ReportsScreen() {
  const { t } = useTranslation();
  return (
    <div className="shell admin-shell">
      <ConnectionState />
      <header className="console-header">
        <h1 className="brand">{t('reports.title')}</h1>
        <div className="row">
          <Link href="/" className="nav-link">
            {t('console.chats')}
          </Link>
          <Link href="/support" className="nav-link">
            {t('console.title')}
          </Link>
          <Link href="/admin/agents" className="nav-link">
            {t('console.settings')}
          </Link>
          <LanguageSwitch />
        </div>
      </header>
      <main className="admin-main">
        <ReportsPage />
      </main>
    </div>
  );
}

/**
 * The support report: a Jalali range (presets: this week, this month, the last 30 days), its
 * buckets and grouping; summary cards, charts and a table per group; the CSV of the same query.
 */
export function ReportsPage({ now = () => new Date() }: { now?: () => Date }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api, session } = useServices();
  const role = useStore(session.store)?.user.role;
  const [range, setRange] = useState<ReportRange>(() => presetRange('week', now(), DEFAULT_TIME_ZONE));
  const [bucket, setBucket] = useState<ReportBucketKind>('day');
  const [groupBy, setGroupBy] = useState<ReportGroupBy>('none');
  const [clock, setClock] = useState<Clock>('wall');
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const query = { ...range, bucket, groupBy };
  const report = useQuery({
    queryKey: ['support-report', query],
    queryFn: () => supportReport(api, query),
    enabled: mayReadReports(role),
  });

  if (!mayReadReports(role)) {
    return (
      <p className="admin-denied" role="alert" data-testid="reports-not-allowed">
        {t('reports.notAllowed')}
      </p>
    );
  }

  const download = async () => {
    setDownloadError(null);
    try {
      await downloadReportCsv(session, lang, query);
    } catch (error) {
      setDownloadError(errorText(error, t));
    }
  };

  return (
    <section className="reports" aria-labelledby="reports-title">
      <h2 id="reports-title" className="visually-hidden">
        {t('reports.title')}
      </h2>
      <fieldset className="report-controls">
        <legend className="visually-hidden">{t('reports.controls')}</legend>
        <RangePicker range={range} onRange={setRange} now={now} timeZone={report.data?.timeZone} />
        <label>
          {t('reports.bucket.label')}
          <select
            data-testid="report-bucket"
            value={bucket}
            onChange={(e) => setBucket(e.target.value as ReportBucketKind)}
          >
            {REPORT_BUCKETS.map((b) => (
              <option key={b} value={b}>
                {t(`reports.bucket.${b}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.groupBy.label')}
          <select
            data-testid="report-group"
            value={groupBy}
            onChange={(e) => setGroupBy(e.target.value as ReportGroupBy)}
          >
            {REPORT_GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`reports.groupBy.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.clock.label')}
          <select
            data-testid="report-clock"
            value={clock}
            onChange={(e) => setClock(e.target.value as Clock)}
          >
            <option value="wall">{t('reports.clock.wall')}</option>
            <option value="business">{t('reports.clock.business')}</option>
          </select>
        </label>
        <button type="button" data-testid="report-csv" onClick={() => void download()}>
          {t('reports.csv')}
        </button>
      </fieldset>
      {downloadError && (
        <p className="form-error" role="alert" data-testid="report-csv-error">
          {downloadError}
        </p>
      )}
      {report.isError ? (
        <p className="form-error" role="alert" data-testid="report-error">
          {errorText(report.error, t)}
        </p>
      ) : !report.data ? (
        <p aria-live="polite">{t('reports.loading')}</p>
      ) : (
        <ReportBody report={report.data} clock={clock} t={t} lang={lang} />
      )}
    </section>
  );
}

function RangePicker({
  range,
  onRange,
  now,
  timeZone = DEFAULT_TIME_ZONE,
}: {
  range: ReportRange;
  onRange: (range: ReportRange) => void;
  now: () => Date;
  timeZone?: string | undefined;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [from, setFrom] = useState(() => jalaliText(range.from, lang));
  const [to, setTo] = useState(() => jalaliText(range.to, lang));
  const [invalid, setInvalid] = useState(false);
  const show = (next: ReportRange) => {
    setFrom(jalaliText(next.from, lang));
    setTo(jalaliText(next.to, lang));
    setInvalid(false);
    onRange(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const a = parseJalali(from);
    const b = parseJalali(to);
    if (!a || !b || isoOf(a) > isoOf(b)) {
      setInvalid(true);
      return;
    }
    show({ from: isoOf(a), to: isoOf(b) });
  };
  return (
    <form className="report-range" onSubmit={submit} aria-describedby="report-range-hint">
      <fieldset>
        <legend>{t('reports.range.legend')}</legend>
        <fieldset className="row report-presets">
          <legend className="visually-hidden">{t('reports.range.presets')}</legend>
          {RANGE_PRESETS.map((p: RangePreset) => (
            <button
              key={p}
              type="button"
              data-testid="report-preset"
              data-preset={p}
              onClick={() => show(presetRange(p, now(), timeZone))}
            >
              {t(`reports.range.${p}`)}
            </button>
          ))}
        </fieldset>
        <label>
          {t('reports.range.from')}
          <input
            data-testid="report-from"
            inputMode="numeric"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            aria-invalid={invalid || undefined}
          />
        </label>
        <label>
          {t('reports.range.to')}
          <input
            data-testid="report-to"
            inputMode="numeric"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            aria-invalid={invalid || undefined}
          />
        </label>
        <button type="submit" className="primary" data-testid="report-apply">
          {t('reports.range.apply')}
        </button>
        <p id="report-range-hint" className="hint">
          {t('reports.range.hint')}
        </p>
        {invalid && (
          <p className="form-error" role="alert" data-testid="report-range-invalid">
            {t('reports.range.invalid')}
          </p>
        )}
        <p className="hint" data-testid="report-range-shown" aria-live="polite">
          {t('reports.range.shown', { from: jalaliText(range.from, lang), to: jalaliText(range.to, lang) })}
        </p>
      </fieldset>
    </form>
  );
}

function ReportBody({ report, clock, t, lang }: { report: Report; clock: Clock; t: TFunction; lang: Lang }) {
  const labels = report.buckets.map((b) => bucketText(b.label, t, lang));
  const duration = (v: number | null) => formatDuration(v, t, lang);
  const count = (v: number | null) => formatNumber(v ?? 0, lang);
  const { all } = report;
  const groups =
    report.groupBy === 'none'
      ? [{ id: null, name: t('reports.group.all'), buckets: all.buckets, total: all.total }]
      : report.groups.map((g) => ({ ...g, name: groupName(g, report.groupBy, t) }));
  return (
    <>
      <SummaryCards total={all.total} clock={clock} t={t} lang={lang} />
      <div className="report-charts">
        <BarChart
          testId="chart-volume"
          title={t('reports.charts.volume')}
          labels={labels}
          format={count}
          series={[
            { name: t('reports.metric.opened'), values: all.buckets.map((m) => m.opened), tone: 'series-1' },
            {
              name: t('reports.metric.resolved'),
              values: all.buckets.map((m) => m.resolved),
              tone: 'series-2',
            },
          ]}
        />
        <LineChart
          testId="chart-first-response"
          title={`${t('reports.charts.firstResponse')} (${t(`reports.clock.${clock}`)})`}
          labels={labels}
          format={duration}
          series={[
            {
              name: t('reports.cards.median'),
              values: all.buckets.map((m) => m.firstResponse[clock].median),
              tone: 'series-1',
            },
            {
              name: t('reports.cards.p90'),
              values: all.buckets.map((m) => m.firstResponse[clock].p90),
              tone: 'series-2',
            },
          ]}
        />
        <LineChart
          testId="chart-resolution"
          title={`${t('reports.charts.resolution')} (${t(`reports.clock.${clock}`)})`}
          labels={labels}
          format={duration}
          series={[
            {
              name: t('reports.cards.median'),
              values: all.buckets.map((m) => m.resolution[clock].median),
              tone: 'series-1',
            },
            {
              name: t('reports.cards.p90'),
              values: all.buckets.map((m) => m.resolution[clock].p90),
              tone: 'series-2',
            },
          ]}
        />
      </div>
      {groups.length === 0 ? (
        <p data-testid="report-empty">{t('reports.empty')}</p>
      ) : (
        groups.map((g) => (
          <GroupTable
            key={g.id ?? 'none'}
            caption={t('reports.group.caption', {
              name: g.name,
              bucket: t(`reports.bucket.${report.bucket}`),
            })}
            labels={labels}
            buckets={g.buckets}
            total={g.total}
            clock={clock}
            t={t}
            lang={lang}
          />
        ))
      )}
    </>
  );
}

function groupName(
  g: { id: string | null; name: string | null },
  groupBy: ReportGroupBy,
  t: TFunction,
): string {
  if (g.id === null) {
    return groupBy === 'team'
      ? t('reports.group.noTeam')
      : groupBy === 'agent'
        ? t('reports.group.nobody')
        : t('reports.group.noInbox');
  }
  return g.name ?? t('reports.group.unnamed');
}

function SummaryCards({
  total,
  clock,
  t,
  lang,
}: {
  total: ReportMetrics;
  clock: Clock;
  t: TFunction;
  lang: Lang;
}) {
  const fr = total.firstResponse[clock];
  const res = total.resolution[clock];
  const d = (v: number | null) => formatDuration(v, t, lang);
  const rate = total.csat.responseRate === null ? null : total.csat.responseRate * 100;
  return (
    <section className="report-cards" aria-label={t('reports.cards.label')}>
      <Card testId="card-first-response" title={t('reports.cards.firstResponse')}>
        <dl>
          <dt>{t('reports.cards.median')}</dt>
          <dd data-testid="card-first-response-median">{d(fr.median)}</dd>
          <dt>{t('reports.cards.p90')}</dt>
          <dd data-testid="card-first-response-p90">{d(fr.p90)}</dd>
        </dl>
        <p className="hint">
          {t('reports.cards.count', {
            count: total.firstResponse.count,
            n: formatNumber(total.firstResponse.count, lang),
          })}
        </p>
      </Card>
      <Card testId="card-resolution" title={t('reports.cards.resolution')}>
        <dl>
          <dt>{t('reports.cards.median')}</dt>
          <dd data-testid="card-resolution-median">{d(res.median)}</dd>
          <dt>{t('reports.cards.p90')}</dt>
          <dd data-testid="card-resolution-p90">{d(res.p90)}</dd>
        </dl>
        <p className="hint">
          {t('reports.cards.count', {
            count: total.resolution.count,
            n: formatNumber(total.resolution.count, lang),
          })}
        </p>
      </Card>
      <Card testId="card-csat" title={t('reports.cards.csat')}>
        <p className="figure" data-testid="card-csat-score">
          {total.csat.score === null
            ? t('reports.cards.noData')
            : t('reports.cards.score', { score: formatScore(total.csat.score, t, lang) })}
        </p>
        <p className="hint" data-testid="card-csat-rate">
          {t('reports.cards.rate', {
            rate: formatPercent(rate, t, lang),
            answered: formatNumber(total.csat.answered, lang),
            asked: formatNumber(total.csat.asked, lang),
          })}
        </p>
      </Card>
      <Card testId="card-sla" title={t('reports.cards.sla')}>
        <dl>
          <dt>{t('reports.metric.slaFirstResponse')}</dt>
          <dd data-testid="card-sla-first_response">
            {formatPercent(total.sla.first_response.metPercent, t, lang)}
          </dd>
          <dt>{t('reports.metric.slaNextResponse')}</dt>
          <dd data-testid="card-sla-next_response">
            {formatPercent(total.sla.next_response.metPercent, t, lang)}
          </dd>
          <dt>{t('reports.metric.slaResolution')}</dt>
          <dd data-testid="card-sla-resolution">{formatPercent(total.sla.resolution.metPercent, t, lang)}</dd>
        </dl>
      </Card>
    </section>
  );
}

function Card({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <article className="report-card" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </article>
  );
}

function GroupTable({
  caption,
  labels,
  buckets,
  total,
  clock,
  t,
  lang,
}: {
  caption: string;
  labels: string[];
  buckets: ReportMetrics[];
  total: ReportMetrics;
  clock: Clock;
  t: TFunction;
  lang: Lang;
}) {
  const d = (v: number | null) => formatDuration(v, t, lang);
  const n = (v: number) => formatNumber(v, lang);
  const columns: Array<[string, (m: ReportMetrics) => string]> = [
    [t('reports.metric.opened'), (m) => n(m.opened)],
    [t('reports.metric.reopened'), (m) => n(m.reopened)],
    [t('reports.metric.resolved'), (m) => n(m.resolved)],
    [t('reports.metric.firstResponseMedian'), (m) => d(m.firstResponse[clock].median)],
    [t('reports.metric.firstResponseP90'), (m) => d(m.firstResponse[clock].p90)],
    [t('reports.metric.firstResponseByAssignee'), (m) => d(m.firstResponseByAssignee[clock].median)],
    [t('reports.metric.replyMedian'), (m) => d(m.reply[clock].median)],
    [t('reports.metric.resolutionMedian'), (m) => d(m.resolution[clock].median)],
    [t('reports.metric.resolutionP90'), (m) => d(m.resolution[clock].p90)],
    [t('reports.metric.csat'), (m) => formatScore(m.csat.score, t, lang)],
    [t('reports.metric.slaFirstResponse'), (m) => formatPercent(m.sla.first_response.metPercent, t, lang)],
    [t('reports.metric.slaResolution'), (m) => formatPercent(m.sla.resolution.metPercent, t, lang)],
  ];
  return (
    <div className="report-table-wrap">
      <table className="report-table" data-testid="report-group-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('reports.metric.bucket')}</th>
            {columns.map(([name]) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {buckets.map((m, i) => (
            <tr key={labels[i]}>
              <th scope="row">{labels[i]}</th>
              {columns.map(([name, value]) => (
                <td key={name}>{value(m)}</td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('reports.metric.total')}</th>
            {columns.map(([name, value]) => (
              <td key={name}>{value(total)}</td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
