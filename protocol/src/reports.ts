/** What the report events record (see docs/support.md, "Reports"). */
export const REPORT_EVENT_KINDS = ['opened', 'resolved', 'first_response', 'reply'] as const;
export type ReportEventKind = (typeof REPORT_EVENT_KINDS)[number];
