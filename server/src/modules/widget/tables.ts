import { WIDGET_IDENTITY_MODES, type WidgetAttributes, type WidgetPrechat } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { conversations } from '../chat/tables.js';
import { users } from '../identity/tables.js';
import { supportInboxes } from '../support/tables.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export interface WidgetTheme {
  primaryColor?: string | undefined;
  textColor?: string | undefined;
  position?: 'left' | 'right' | undefined;
}
/** A text per locale. */
export type WidgetTexts = { fa?: string | undefined; en?: string | undefined };

/**
 * A website widget: where its conversations go, which sites may embed it, and how visitors'
 * identity is checked. `secret` signs the site's identity tokens; after a rotation the previous
 * one stays valid until `previous_secret_expires_at` (both are needed as HMAC keys, so they are
 * stored as they are and never answered after creation or rotation).
 */
export const supportWidgets = pgTable(
  'support_widgets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => supportInboxes.id, { onDelete: 'restrict' }),
    /** Exact origins (`https://shop.example.ir`), as browsers send them in `Origin`. */
    allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
    identityMode: text('identity_mode', { enum: WIDGET_IDENTITY_MODES }).notNull().default('optional'),
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: at('previous_secret_expires_at'),
    theme: jsonb('theme').$type<WidgetTheme>().notNull().default({}),
    greeting: jsonb('greeting').$type<WidgetTexts>().notNull().default({}),
    offlineText: jsonb('offline_text').$type<WidgetTexts>().notNull().default({}),
    prechat: jsonb('prechat').$type<WidgetPrechat>().notNull().default({ enabled: false, fields: [] }),
    /** A visitor waiting this long in the queue is offered to leave a message; 0: never. */
    waitOfferSeconds: integer('wait_offer_seconds').notNull().default(180),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('support_widgets_identity_mode_check', sql`${t.identityMode} in ('off', 'optional', 'required')`),
    // The CORS preflight asks whether any enabled widget lists an origin.
    index('support_widgets_origins_idx').using('gin', t.allowedOrigins),
    index('support_widgets_inbox_idx').on(t.inboxId),
  ],
);

/**
 * A widget's visitor who became a contact: verified ones by the site's `sub` (the same customer
 * user every time), unverified ones (a later step) by their visitor id. `verified` is part of the
 * key, so an unverified contact can never be taken for, or merged into, a verified one.
 */
export const widgetContacts = pgTable(
  'widget_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    widgetId: uuid('widget_id')
      .notNull()
      .references(() => supportWidgets.id, { onDelete: 'cascade' }),
    /** Verified: the identity token's `sub` (or the HMAC mode's user id). */
    externalId: text('external_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    verified: boolean('verified').notNull(),
    /** As the site last stated them (signed when verified); never used to find another contact. */
    name: text('name'),
    email: text('email'),
    phone: text('phone'),
    /** The site's `setAttributes` values: unsigned, shown to agents as unverified. */
    attributes: jsonb('attributes').$type<WidgetAttributes>().notNull().default({}),
    createdAt: at('created_at').notNull().defaultNow(),
    lastSeenAt: at('last_seen_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('widget_contacts_external_idx').on(t.widgetId, t.verified, t.externalId),
    index('widget_contacts_user_idx').on(t.userId),
  ],
);

export type WidgetRow = typeof supportWidgets.$inferSelect;
export type WidgetContactRow = typeof widgetContacts.$inferSelect;

/**
 * A support conversation a widget's visitor started: which widget and contact, the page's origin,
 * and the pre-chat (or offline) form's answers. Keyed also by the first message's client id, so
 * a retried start finds the conversation it already made instead of making a second.
 */
export const widgetConversations = pgTable(
  'widget_conversations',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    widgetId: uuid('widget_id')
      .notNull()
      .references(() => supportWidgets.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => widgetContacts.id, { onDelete: 'cascade' }),
    startClientMsgId: text('start_client_msg_id').notNull(),
    form: jsonb('form').$type<Record<string, string>>().notNull().default({}),
    /** Left through the offline form (the inbox was closed, or nobody was available). */
    offline: boolean('offline').notNull().default(false),
    hostOrigin: text('host_origin'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('widget_conversations_start_idx').on(t.contactId, t.startClientMsgId),
    index('widget_conversations_contact_idx').on(t.contactId, t.createdAt),
  ],
);

export type WidgetConversationRow = typeof widgetConversations.$inferSelect;
