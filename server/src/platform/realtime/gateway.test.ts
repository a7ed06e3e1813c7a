import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { capturingLogger } from '../../../test/support/logs.js';
import { Metrics } from '../metrics.js';
import { RealtimeGateway, type SocketModule } from './gateway.js';

function gateway(modules: SocketModule[]) {
  return new RealtimeGateway(createServer(), {
    verifyAccessToken: async () => ({ actor: { id: 'u', role: 'customer' }, expiresAt: 0 }),
    modules,
    metrics: new Metrics({ poolStats: () => ({ total: 0, idle: 0, waiting: 0, max: 0 }) }),
    logger: capturingLogger().logger,
    maxPayloadBytes: 1024,
    authGraceSeconds: 1,
    corsOrigins: [],
  });
}

describe(RealtimeGateway.name, () => {
  const sync: SocketModule = { handlers: { sync: async () => ({ conversations: [], removed: [] }) } };

  it('refuses a socket event that two modules handle, and the gateway’s own auth:refresh', () => {
    expect(() => gateway([sync, sync])).toThrow('socket event sync is handled twice');
    const refresh: SocketModule = { handlers: { 'auth:refresh': async () => ({ expiresAt: '' }) } };
    expect(() => gateway([refresh])).toThrow('socket event auth:refresh is handled twice');
  });

  it('gives every module its deliveries once', () => {
    let delivered = 0;
    const g = gateway([sync, { deliver: () => delivered++ }]);
    expect(delivered).toBe(1);
    void g.io.close();
  });
});
