import type { WidgetIdentityMode } from '@abrik/protocol';

/** The widget module's durable events: admin actions, in the audit trail (never a secret). */
declare module '../../platform/events/domain-events.js' {
  interface DomainEventMap {
    'widget.saved': {
      name: string;
      inboxId: string;
      allowedOrigins: string[];
      identityMode: WidgetIdentityMode;
      enabled: boolean;
      created: boolean;
    };
    'widget.deleted': { name: string };
    'widget.secret_rotated': { previousSecretExpiresAt: string };
  }
}

export const widgetSubject = (id: string) => `widget:${id}`;
