import type { FastifyInstance } from 'fastify';
import type { AnyJobDefinition } from './jobs/registry.js';
import type { SocketModule } from './realtime/gateway.js';

/** A set of HTTP routes: a Fastify plugin that closes over its module's services. */
export type Routes = (app: FastifyInstance) => Promise<void>;

/**
 * What a feature module gives the composition root to register: its HTTP routes (public, or
 * behind the access token), its socket handlers and deliveries, and its jobs.
 */
export interface Module {
  readonly name: string;
  routes?: { public?: Routes[]; authenticated?: Routes[] };
  socket?: SocketModule;
  jobs?: AnyJobDefinition[];
  /** At shutdown, after the edges closed: write what is buffered. */
  stop?(): Promise<void>;
}
