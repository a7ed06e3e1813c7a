import { randomBytes } from 'node:crypto';
import type { Widget, WidgetIdentityMode, WidgetPrechat } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import type { Transactor } from '../../platform/db/client.js';
import { NotFoundError, pgErrorCode } from '../../platform/errors.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import { widgetSubject } from './events.js';
import { mayReadWidgets, mayWriteWidgets } from './policies.js';
import { toWidget } from './presenters.js';
import type { WidgetRow, WidgetTexts, WidgetTheme } from './tables.js';
import type { WidgetChanges, WidgetRepository } from './widget.repository.js';

export interface WidgetInput {
  name: string;
  inboxId: string;
  allowedOrigins: string[];
  identityMode: WidgetIdentityMode;
  theme: WidgetTheme;
  greeting: WidgetTexts;
  offlineText: WidgetTexts;
  prechat: WidgetPrechat;
  waitOfferSeconds: number;
  enabled: boolean;
}

/** A new widget secret: 32 random bytes, base64url (what the site keeps to sign with). */
const newSecret = () => randomBytes(32).toString('base64url');

/** Widgets' settings: admins write, supervisors read; every write is on the audit trail. */
export class WidgetAdminService {
  constructor(
    private readonly deps: {
      db: Transactor;
      widgets: WidgetRepository;
      events: Pick<DomainEvents, 'record'>;
      publicUrl: string;
      now: () => number;
      /** How long the secret before a rotation stays valid unless the admin says otherwise. */
      rotationGraceSeconds: number;
    },
  ) {}

  async list(actor: Actor): Promise<Widget[]> {
    mayReadWidgets(actor);
    return (await this.deps.widgets.list()).map((row) => this.view(row));
  }

  async get(actor: Actor, id: string): Promise<Widget> {
    mayReadWidgets(actor);
    return this.view(await this.row(id));
  }

  /** The widget and its secret, shown this once. */
  async create(actor: Actor, input: WidgetInput): Promise<Widget & { secret: string }> {
    mayWriteWidgets(actor);
    const secret = newSecret();
    const row = await this.inboxChecked(() =>
      this.deps.db.transaction(async (tx) => {
        const created = await this.deps.widgets.insert({ ...input, secret }, tx);
        await this.saved(tx, actor, created, true);
        return created;
      }),
    );
    return { ...this.view(row), secret };
  }

  async update(actor: Actor, id: string, changes: WidgetChanges): Promise<Widget> {
    mayWriteWidgets(actor);
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, v]) => v !== undefined),
    ) as WidgetChanges;
    const row = await this.inboxChecked(() =>
      this.deps.db.transaction(async (tx) => {
        const updated = await this.deps.widgets.update(id, defined, tx);
        if (!updated) throw new NotFoundError('widget/not_found');
        await this.saved(tx, actor, updated, false);
        return updated;
      }),
    );
    return this.view(row);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    mayWriteWidgets(actor);
    await this.deps.db.transaction(async (tx) => {
      const deleted = await this.deps.widgets.delete(id, tx);
      if (!deleted) throw new NotFoundError('widget/not_found');
      await this.deps.events.record(tx, {
        type: 'widget.deleted',
        actorId: actor.id,
        subject: widgetSubject(id),
        payload: { name: deleted.name },
      });
    });
  }

  /** A new secret, shown this once; the one before stays valid for the grace. */
  async rotateSecret(
    actor: Actor,
    id: string,
    graceSeconds: number | undefined,
  ): Promise<Widget & { secret: string }> {
    mayWriteWidgets(actor);
    const secret = newSecret();
    const until = new Date(this.deps.now() + (graceSeconds ?? this.deps.rotationGraceSeconds) * 1000);
    const row = await this.deps.db.transaction(async (tx) => {
      const rotated = await this.deps.widgets.rotateSecret(id, secret, until, tx);
      if (!rotated) throw new NotFoundError('widget/not_found');
      await this.deps.events.record(tx, {
        type: 'widget.secret_rotated',
        actorId: actor.id,
        subject: widgetSubject(id),
        payload: { previousSecretExpiresAt: until.toISOString() },
      });
      return rotated;
    });
    return { ...this.view(row), secret };
  }

  private async row(id: string): Promise<WidgetRow> {
    const row = await this.deps.widgets.getById(id);
    if (!row) throw new NotFoundError('widget/not_found');
    return row;
  }

  private view(row: WidgetRow): Widget {
    return toWidget(row, this.deps.publicUrl);
  }

  /** An inbox that does not exist fails the foreign key: answered as the desk answers it. */
  private async inboxChecked<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (pgErrorCode(error) === '23503') throw new NotFoundError('support/inbox_not_found');
      throw error;
    }
  }

  private async saved(
    tx: Parameters<DomainEvents['record']>[0],
    actor: Actor,
    row: WidgetRow,
    created: boolean,
  ) {
    await this.deps.events.record(tx, {
      type: 'widget.saved',
      actorId: actor.id,
      subject: widgetSubject(row.id),
      payload: {
        name: row.name,
        inboxId: row.inboxId,
        allowedOrigins: row.allowedOrigins,
        identityMode: row.identityMode,
        enabled: row.enabled,
        created,
      },
    });
  }
}
