import type { Widget } from '@abrik/protocol';
import type { WidgetRow } from './tables.js';

/** The snippet a site owner pastes: the command queue, then the loader from our origin. */
export function snippetOf(publicUrl: string, widgetId: string): string {
  return [
    '<script>',
    '  window.AbrikWidget = window.AbrikWidget || function () { (window.AbrikWidget.q = window.AbrikWidget.q || []).push(arguments); };',
    `  AbrikWidget('init', { widgetId: '${widgetId}', locale: 'fa' });`,
    '</script>',
    `<script async src="${publicUrl}/widget/loader.js"></script>`,
  ].join('\n');
}

export function toWidget(row: WidgetRow, publicUrl: string): Widget {
  return {
    id: row.id,
    name: row.name,
    inboxId: row.inboxId,
    allowedOrigins: row.allowedOrigins,
    identityMode: row.identityMode,
    theme: row.theme,
    greeting: row.greeting,
    offlineText: row.offlineText,
    prechat: row.prechat,
    waitOfferSeconds: row.waitOfferSeconds,
    enabled: row.enabled,
    previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null,
    snippet: snippetOf(publicUrl, row.id),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
