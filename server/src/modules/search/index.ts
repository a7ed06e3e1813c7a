import type { Db } from '../../platform/db/client.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import { KeyedGate } from '../../platform/keyed-gate.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
import type { RateLimitFactory } from '../../platform/redis/rate-limit.js';
import { SearchRepository } from './search.repository.js';
import { searchRoutes } from './search.routes.js';
import { SearchService } from './search.service.js';
import { DEFAULT_INDEXER_OPTIONS, SearchIndexer, type SearchIndexerOptions } from './search-indexer.js';

export interface SearchModule extends Module {
  search: SearchService;
  /** Started where the job workers run (createApp); stopped with the module. */
  indexer: SearchIndexer;
}

/**
 * Search in messages: the index beside the message path (written by the indexer's sweep, edits
 * and deletes followed as the chat module announces them) and the search route.
 */
export function createSearchModule(deps: {
  db: Db;
  live: LiveEvents;
  logger: Logger;
  limits: RateLimitFactory;
  /** Searches one user may run per minute, and at once. */
  searchesPerMinute: number;
  concurrentPerUser: number;
  indexer?: Partial<SearchIndexerOptions>;
}): SearchModule {
  const log = deps.logger.child({ component: 'search' });
  const repo = new SearchRepository(deps.db);
  const search = new SearchService({
    search: repo,
    reads: {
      rate: deps.limits({ name: 'search:user:1m', points: deps.searchesPerMinute, durationSeconds: 60 }),
      gate: new KeyedGate(deps.concurrentPerUser),
    },
  });
  const indexer = new SearchIndexer(repo, deps.logger, { ...DEFAULT_INDEXER_OPTIONS, ...deps.indexer });
  // After the edit or delete committed and was answered; a lost one (a crash in between) leaves
  // an edited message under its old words until it is edited again — deleted ones never show.
  const follow = (what: string, messageId: string, work: Promise<void>) =>
    void work.catch((error: unknown) =>
      log.warn(
        { err: error, messageId },
        `search index not updated after a message ${what}; its entry is stale`,
      ),
    );
  deps.live.on('message.updated', ({ message }) => follow('edit', message.id, search.reindex(message.id)));
  deps.live.on('message.deleted', ({ message }) => follow('delete', message.id, search.remove(message.id)));
  return {
    name: 'search',
    search,
    indexer,
    routes: { authenticated: [searchRoutes({ search })] },
    stop: () => indexer.stop(),
  };
}
