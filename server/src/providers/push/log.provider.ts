import type { PushMessage, PushOutcome, PushProvider, PushTarget } from './push.provider.js';

/**
 * Development push provider: prints each notification it would send as one JSON line, so a fresh
 * `npm start` shows the whole pipeline working without Firebase or a browser. Device tokens are
 * not printed. Production refuses it.
 */
export class LogPushProvider implements PushProvider {
  readonly name = 'log' as const;

  constructor(private readonly out: (line: string) => void = (line) => process.stdout.write(line)) {}

  async send(target: PushTarget, message: PushMessage): Promise<PushOutcome> {
    const line = {
      level: 'info',
      time: new Date().toISOString(),
      component: 'push.log',
      msg: 'notification not sent (log provider)',
      deviceId: target.deviceId,
      platform: target.platform,
      title: message.title,
      body: message.body,
      badge: message.badge,
      collapseKey: message.collapseKey,
      data: message.data,
    };
    this.out(`${JSON.stringify(line)}\n`);
    return { outcome: 'sent', providerMessageId: `log-${Date.now()}` };
  }

  async checkCredentials(): Promise<void> {}

  async close(): Promise<void> {}
}
