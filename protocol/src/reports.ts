import { z } from 'zod';
import { IdSchema } from './common.js';

/** What the report events record (see docs/support.md, "Reports"). */
export const REPORT_EVENT_KINDS = ['opened', 'resolved', 'first_response', 'reply'] as const;
export type ReportEventKind = (typeof REPORT_EVENT_KINDS)[number];

/** Jalali buckets: a day, a Saturday-first week, a Jalali month — in the organisation's time zone. */
export const REPORT_BUCKETS = ['day', 'week', 'month'] as const;
export type ReportBucketKind = (typeof REPORT_BUCKETS)[number];

/** Rows of a report: everything together, or one group per inbox, team or agent. */
export const REPORT_GROUPS = ['none', 'inbox', 'team', 'agent'] as const;
export type ReportGroupBy = (typeof REPORT_GROUPS)[number];

/** The longest range one report covers (about two years): 732 days. */
export const REPORT_MAX_DAYS = 732;

/**
 * A range bound: an ISO date (`2026-12-21`, a day in the organisation's time zone; `from` is its
 * start, `to` its end, so the day is included) or an instant with an offset (`to` excluded).
 */
export const ReportBoundSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .refine((v) => Number(v.slice(0, 4)) >= 1900, {
    message: 'must be a Gregorian date or instant (a Jalali one such as 1405-09-30 is not read)',
  });

/** `GET /api/v1/support/reports` (and `.csv`). */
export const ReportQuerySchema = z.object({
  from: ReportBoundSchema,
  to: ReportBoundSchema,
  bucket: z.enum(REPORT_BUCKETS).default('day'),
  groupBy: z.enum(REPORT_GROUPS).default('none'),
  inboxId: IdSchema.optional(),
  teamId: IdSchema.optional(),
  /** Only what is credited to this staff member (each figure by its own rule, docs/support.md). */
  agentId: IdSchema.optional(),
});
export type ReportQuery = z.infer<typeof ReportQuerySchema>;
export type ReportQueryInput = z.input<typeof ReportQuerySchema>;

/** Mean, median and 90th percentile of some seconds; null when there is no value. */
export const ReportFiguresSchema = z.object({
  mean: z.number().nullable(),
  median: z.number().nullable(),
  p90: z.number().nullable(),
});
export type ReportFigures = z.infer<typeof ReportFiguresSchema>;

/** A time measured `count` times: in wall-clock seconds and in the inbox's business seconds. */
export const ReportTimeSchema = z.object({
  count: z.int(),
  wall: ReportFiguresSchema,
  business: ReportFiguresSchema,
});
export type ReportTime = z.infer<typeof ReportTimeSchema>;

/** One SLA target kind: met on time and breached; `metPercent` = met / (met + breached) × 100. */
export const ReportSlaSchema = z.object({
  met: z.int(),
  breached: z.int(),
  metPercent: z.number().nullable(),
});
export type ReportSla = z.infer<typeof ReportSlaSchema>;

export const ReportMetricsSchema = z.object({
  /** Conversations opened (their first cycle). */
  opened: z.int(),
  /** Reopens (each starts a new cycle). */
  reopened: z.int(),
  /** Resolves (one per resolved cycle). */
  resolved: z.int(),
  /** First response of each cycle, credited to the staff member who replied. */
  firstResponse: ReportTimeSchema,
  /** The same first responses, credited to the assignee of the time. */
  firstResponseByAssignee: ReportTimeSchema,
  /** Every later reply to a waiting customer. */
  reply: ReportTimeSchema,
  /** Each resolved cycle, from its start to the resolve. */
  resolution: ReportTimeSchema,
  csat: z.object({
    asked: z.int(),
    answered: z.int(),
    /** Mean rating (1–5) of the answered surveys; null without one. */
    score: z.number().nullable(),
    /** answered / asked (0–1); null when none was asked. */
    responseRate: z.number().nullable(),
  }),
  sla: z.object({
    first_response: ReportSlaSchema,
    next_response: ReportSlaSchema,
    resolution: ReportSlaSchema,
  }),
});
export type ReportMetrics = z.infer<typeof ReportMetricsSchema>;

export const ReportBucketSchema = z.object({
  /** Jalali, Latin digits: `1405-09-30` (day), `1405-W39` (week), `1405-09` (month). */
  label: z.string(),
  /** The bucket's first instant and the instant after it, clipped to the range. */
  start: z.string(),
  end: z.string(),
});
export type ReportBucket = z.infer<typeof ReportBucketSchema>;

export const ReportGroupSchema = z.object({
  /** The inbox, team or agent; null: none (no team, nobody assigned) — and the one group of `none`. */
  id: IdSchema.nullable(),
  name: z.string().nullable(),
  /** Per bucket, in the order of `buckets`. */
  buckets: z.array(ReportMetricsSchema),
  /** The whole range (percentiles over its values, not over the buckets'). */
  total: ReportMetricsSchema,
});
export type ReportGroup = z.infer<typeof ReportGroupSchema>;

export const ReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  bucket: z.enum(REPORT_BUCKETS),
  groupBy: z.enum(REPORT_GROUPS),
  buckets: z.array(ReportBucketSchema),
  groups: z.array(ReportGroupSchema),
  /** Every group together: per bucket and over the whole range. */
  all: z.object({ buckets: z.array(ReportMetricsSchema), total: ReportMetricsSchema }),
});
export type Report = z.infer<typeof ReportSchema>;
