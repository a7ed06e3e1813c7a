import type { WidgetAttributes } from '@abrik/protocol';
import { and, arrayContains, asc, desc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.js';
import {
  supportWidgets,
  type WidgetContactRow,
  type WidgetConversationRow,
  type WidgetRow,
  widgetContacts,
  widgetConversations,
} from './tables.js';

export type NewWidget = Omit<
  typeof supportWidgets.$inferInsert,
  'id' | 'createdAt' | 'updatedAt' | 'previousSecret' | 'previousSecretExpiresAt'
>;
export type WidgetChanges = Partial<
  Pick<
    WidgetRow,
    | 'name'
    | 'inboxId'
    | 'allowedOrigins'
    | 'identityMode'
    | 'theme'
    | 'greeting'
    | 'offlineText'
    | 'prechat'
    | 'waitOfferSeconds'
    | 'enabled'
  >
>;

/** Widgets and their verified contacts: the only SQL of the widget module. */
export class WidgetRepository {
  constructor(private readonly db: Executor) {}

  async list(): Promise<WidgetRow[]> {
    return this.db
      .select()
      .from(supportWidgets)
      .orderBy(asc(supportWidgets.createdAt), asc(supportWidgets.id));
  }

  async getById(id: string, db: Executor = this.db): Promise<WidgetRow | undefined> {
    const [row] = await db.select().from(supportWidgets).where(eq(supportWidgets.id, id));
    return row;
  }

  async insert(values: NewWidget, db: Executor = this.db): Promise<WidgetRow> {
    const [row] = await db.insert(supportWidgets).values(values).returning();
    return row!;
  }

  async update(id: string, changes: WidgetChanges, db: Executor = this.db): Promise<WidgetRow | undefined> {
    const [row] = await db
      .update(supportWidgets)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(supportWidgets.id, id))
      .returning();
    return row;
  }

  /** The new secret; the current one becomes the previous, valid until `previousExpiresAt`. */
  async rotateSecret(
    id: string,
    secret: string,
    previousExpiresAt: Date,
    db: Executor = this.db,
  ): Promise<WidgetRow | undefined> {
    const [row] = await db
      .update(supportWidgets)
      .set({
        previousSecret: sql`${supportWidgets.secret}`,
        previousSecretExpiresAt: previousExpiresAt,
        secret,
        updatedAt: sql`now()`,
      })
      .where(eq(supportWidgets.id, id))
      .returning();
    return row;
  }

  async delete(id: string, db: Executor = this.db): Promise<WidgetRow | undefined> {
    const [row] = await db.delete(supportWidgets).where(eq(supportWidgets.id, id)).returning();
    return row;
  }

  /** True when an enabled widget lists this exact origin (answers CORS preflights). */
  async anyEnabledAllows(origin: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: supportWidgets.id })
      .from(supportWidgets)
      .where(and(eq(supportWidgets.enabled, true), arrayContains(supportWidgets.allowedOrigins, [origin])))
      .limit(1);
    return row !== undefined;
  }

  async getVerifiedContact(widgetId: string, externalId: string): Promise<WidgetContactRow | undefined> {
    const [row] = await this.db
      .select()
      .from(widgetContacts)
      .where(
        and(
          eq(widgetContacts.widgetId, widgetId),
          eq(widgetContacts.verified, true),
          eq(widgetContacts.externalId, externalId),
        ),
      );
    return row;
  }

  /** Inserts a verified contact; undefined when another request inserted it first. */
  async insertVerifiedContact(
    values: {
      widgetId: string;
      externalId: string;
      userId: string;
      name: string | null;
      email: string | null;
      phone: string | null;
    },
    db: Executor = this.db,
  ): Promise<WidgetContactRow | undefined> {
    const [row] = await db
      .insert(widgetContacts)
      .values({ ...values, verified: true })
      .onConflictDoNothing()
      .returning();
    return row;
  }

  /** What the site signed last, and when the contact was last seen. */
  async touchContact(
    id: string,
    details: { name: string | null; email: string | null; phone: string | null },
  ): Promise<void> {
    await this.db
      .update(widgetContacts)
      .set({ ...details, lastSeenAt: sql`now()` })
      .where(eq(widgetContacts.id, id));
  }

  /** One of this widget's contacts (verified or not). */
  async getContact(widgetId: string, id: string): Promise<WidgetContactRow | undefined> {
    const [row] = await this.db
      .select()
      .from(widgetContacts)
      .where(and(eq(widgetContacts.id, id), eq(widgetContacts.widgetId, widgetId)));
    return row;
  }

  /** The contact of a user (a widget's customer), when they came through a widget. */
  async contactOfUser(userId: string): Promise<WidgetContactRow | undefined> {
    const [row] = await this.db
      .select()
      .from(widgetContacts)
      .where(eq(widgetContacts.userId, userId))
      .orderBy(desc(widgetContacts.lastSeenAt))
      .limit(1);
    return row;
  }

  /**
   * The unverified contact of an anonymous visitor (keyed by their visitor id); undefined when
   * another request of theirs inserted it first.
   */
  async insertVisitorContact(
    values: {
      widgetId: string;
      visitorId: string;
      userId: string;
      name: string | null;
      email: string | null;
      phone: string | null;
      attributes: WidgetAttributes;
    },
    db: Executor = this.db,
  ): Promise<WidgetContactRow | undefined> {
    const { visitorId, ...rest } = values;
    const [row] = await db
      .insert(widgetContacts)
      .values({ ...rest, externalId: visitorId, verified: false })
      .onConflictDoNothing()
      .returning();
    return row;
  }

  async getVisitorContact(widgetId: string, visitorId: string): Promise<WidgetContactRow | undefined> {
    const [row] = await this.db
      .select()
      .from(widgetContacts)
      .where(
        and(
          eq(widgetContacts.widgetId, widgetId),
          eq(widgetContacts.verified, false),
          eq(widgetContacts.externalId, visitorId),
        ),
      );
    return row;
  }

  /** Stated details (only those given) and attributes merged in (a null attribute removes it). */
  async updateContact(
    id: string,
    changes: {
      name?: string | null | undefined;
      email?: string | null | undefined;
      phone?: string | null | undefined;
      attributes?: WidgetAttributes | undefined;
    },
  ): Promise<WidgetContactRow | undefined> {
    const { attributes, ...details } = changes;
    const set = Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
    const [row] = await this.db
      .update(widgetContacts)
      .set({
        ...set,
        ...(attributes
          ? {
              // jsonb `||` merges; then the keys set to null are removed.
              attributes: sql`jsonb_strip_nulls(${widgetContacts.attributes} || ${JSON.stringify(attributes)}::jsonb)`,
            }
          : {}),
        lastSeenAt: sql`now()`,
      })
      .where(eq(widgetContacts.id, id))
      .returning();
    return row;
  }

  async insertConversation(
    values: typeof widgetConversations.$inferInsert,
    db: Executor = this.db,
  ): Promise<void> {
    await db.insert(widgetConversations).values(values);
  }

  /** The conversation a visitor's first message (by its client id) already started. */
  async conversationStartedBy(
    contactId: string,
    clientMsgId: string,
  ): Promise<WidgetConversationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(widgetConversations)
      .where(
        and(
          eq(widgetConversations.contactId, contactId),
          eq(widgetConversations.startClientMsgId, clientMsgId),
        ),
      );
    return row;
  }

  async conversationOf(conversationId: string): Promise<WidgetConversationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(widgetConversations)
      .where(eq(widgetConversations.conversationId, conversationId));
    return row;
  }

  /** A contact's widget conversations, newest first. */
  async conversationsOfContact(contactId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: widgetConversations.conversationId })
      .from(widgetConversations)
      .where(eq(widgetConversations.contactId, contactId))
      .orderBy(desc(widgetConversations.createdAt))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** More form answers for a conversation (merged), and the offline flag once set. */
  async addToConversation(
    conversationId: string,
    form: Record<string, string>,
    offline: boolean,
  ): Promise<void> {
    await this.db
      .update(widgetConversations)
      .set({
        form: sql`${widgetConversations.form} || ${JSON.stringify(form)}::jsonb`,
        ...(offline ? { offline: true } : {}),
      })
      .where(eq(widgetConversations.conversationId, conversationId));
  }
}
