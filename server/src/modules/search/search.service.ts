import { findHighlights, type SearchMessagesPage, searchWords } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import type { KeyedGate } from '../../platform/keyed-gate.js';
import type { RateLimit } from '../../platform/redis/rate-limit.js';
import type { SearchPosition, SearchRepository } from './search.repository.js';

export interface SearchServiceDeps {
  search: Pick<SearchRepository, 'search' | 'isMember' | 'reindex' | 'remove'>;
  /** A search is a heavy read: a rate per user, and a gate that lets one user run few at once. */
  reads?: { rate: RateLimit; gate: KeyedGate } | undefined;
}

/** Search in the messages of one's conversations. */
export class SearchService {
  private readonly repo: SearchServiceDeps['search'];
  private readonly reads: SearchServiceDeps['reads'];

  constructor(deps: SearchServiceDeps) {
    this.repo = deps.search;
    this.reads = deps.reads;
  }

  /**
   * Messages whose words begin with every word of `q` (Persian letters, digits, ZWNJ and
   * diacritics folded), newest first, in the conversations the actor is a member of now — or in
   * `conversationId`, which must be one of them (else 404).
   */
  async messages(
    actor: Actor,
    input: { q: string; conversationId?: string | undefined; limit: number; cursor?: string | undefined },
  ): Promise<SearchMessagesPage> {
    const words = searchWords(input.q);
    if (words.length === 0) throw new ValidationError();
    const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    const read = async () => {
      if (input.conversationId && !(await this.repo.isMember(actor.id, input.conversationId)))
        throw new NotFoundError('conversation/not_found');
      return this.repo.search({
        userId: actor.id,
        words,
        conversationId: input.conversationId,
        before,
        limit: input.limit,
      });
    };
    if (this.reads) await this.reads.rate.consume(actor.id);
    const rows = this.reads ? await this.reads.gate.run(actor.id, read) : await read();
    const last = rows.at(-1);
    return {
      items: rows.map((r) => ({
        conversationId: r.conversationId,
        messageId: r.messageId,
        seq: r.seq,
        senderId: r.senderId,
        senderName: r.senderName,
        createdAt: r.createdAt.toISOString(),
        body: r.body,
        highlights: findHighlights(r.body, words),
      })),
      nextCursor: last && rows.length === input.limit ? encodeCursor(last) : null,
    };
  }

  /** An edited message: its entry follows its new text (or goes, if it is no longer searchable). */
  reindex(messageId: string): Promise<void> {
    return this.repo.reindex(messageId);
  }

  /** A deleted message leaves the index. */
  remove(messageId: string): Promise<void> {
    return this.repo.remove(messageId);
  }
}

/** A page's end as an opaque cursor: base64url of "<epoch ms>.<conversation id>.<seq>". */
export function encodeCursor(position: SearchPosition): string {
  const text = `${position.createdAt.getTime()}.${position.conversationId}.${position.seq}`;
  return Buffer.from(text).toString('base64url');
}

export function decodeCursor(cursor: string): SearchPosition {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^(\d{1,15})\.([0-9a-f-]{36})\.(\d{1,15})$/.exec(text);
  if (!match) throw new ValidationError('validation/invalid', { cursor: 'not a cursor of this search' });
  return { createdAt: new Date(Number(match[1])), conversationId: match[2]!, seq: Number(match[3]) };
}
