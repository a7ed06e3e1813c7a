import { adminFa } from './admin.fa.js';
import { auditFa } from './audit.fa.js';
import { reportsFa } from './reports.fa.js';
import { slaFa } from './sla.fa.js';
import { snoozeFa } from './snooze.fa.js';
import { webhooksFa } from './webhooks.fa.js';
import { widgetsFa } from './widgets.fa.js';

/**
 * Persian texts that only the staff's lazily loaded pages (settings, console, alerts, reports)
 * use: a chunk of their own, added by `loadStaffStrings` in index.ts before those pages render,
 * so the sign-in page and a customer's chat do not download them. A part that any other page
 * uses (console, csat, hours, search…) stays in fa.ts.
 */
export const staffFa = {
  admin: adminFa,
  snooze: snoozeFa,
  reports: reportsFa,
  sla: slaFa,
  webhooks: webhooksFa,
  widgets: widgetsFa,
  audit: auditFa,
};
