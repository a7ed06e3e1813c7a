import { WEBHOOK_HEADERS } from '@abrik/protocol';
import { Agent, fetch } from 'undici';
import { z } from 'zod';
import { defineJob } from '../../../platform/jobs/registry.js';
import { isTimeout, networkErrorCode, scrub } from '../../../providers/http.js';
import { guardedLookup } from './destination.js';
import { signPayload } from './signing.js';
import type { AttemptResult, OutgoingDelivery, WebhookService } from './webhook.service.js';

const DeliverSchema = z.object({ deliveryId: z.int().positive() });

declare module '../../../platform/jobs/registry.js' {
  interface Jobs {
    /** Sends one webhook delivery; retried with backoff until delivered or out of attempts. */
    'support-webhook-deliver': z.infer<typeof DeliverSchema>;
  }
}

export interface WebhookDeliverySettings {
  /** WEBHOOK_TIMEOUT_MS: the whole attempt, connecting and the answer included. */
  timeoutMs: number;
  /** WEBHOOK_MAX_ATTEMPTS: the first and its retries. */
  maxAttempts: number;
  /** WEBHOOK_RETRY_DELAY_SECONDS: before the first retry, doubled for each next; 0: at once, no backoff. */
  retryDelaySeconds: number;
  /** WEBHOOK_ALLOW_LOOPBACK. */
  allowLoopback: boolean;
}

/** The longest wait between two attempts. */
const RETRY_DELAY_MAX_SECONDS = 3600;
/** How much of a failed answer's body is kept as its error. */
const ERROR_BODY_BYTES = 300;

/**
 * POSTs signed webhook deliveries: JSON, signed at send time, over connections whose addresses
 * are checked (destination.ts), without following redirects, within the timeout.
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly settings: Pick<WebhookDeliverySettings, 'timeoutMs' | 'allowLoopback'>,
    private readonly now: () => number,
  ) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(settings.allowLoopback), timeout: settings.timeoutMs },
    });
  }

  async send(delivery: OutgoingDelivery): Promise<AttemptResult> {
    const t = Math.floor(this.now() / 1000);
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Abrik-Webhooks/1',
          [WEBHOOK_HEADERS.event]: delivery.event,
          [WEBHOOK_HEADERS.delivery]: String(delivery.deliveryId),
          [WEBHOOK_HEADERS.signature]: signPayload(delivery.secret, delivery.body, t),
        },
        body: delivery.body,
        // A redirect would send the signed body somewhere the admin did not name.
        redirect: 'manual',
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel().catch(() => {});
        return { ok: true, statusCode: response.status, error: null };
      }
      // Reading the start of the body is still under the timeout signal.
      const text = await readStart(response.body, ERROR_BODY_BYTES).catch(() => '');
      const said = text ? `: ${scrub(text, [delivery.secret])}` : '';
      return { ok: false, statusCode: response.status, error: `HTTP ${response.status}${said}` };
    } catch (error) {
      // Fetch errors are not passed on: their messages may quote the URL (and a token in it).
      return {
        ok: false,
        statusCode: null,
        error: isTimeout(error)
          ? `no answer within ${this.settings.timeoutMs} ms`
          : `network error ${networkErrorCode(error)}`,
      };
    }
  }

  /** At shutdown, after the workers stopped: an attempt still running is cut off and retried later. */
  close(): Promise<void> {
    return this.agent.destroy();
  }
}

/** The first `max` bytes of a body as text; the rest is not read. */
async function readStart(body: ReadableStream<Uint8Array> | null, max: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/**
 * The delivery job: one attempt per run. A 2xx answer delivers; anything else is recorded on the
 * delivery and thrown, so pg-boss retries it with backoff; after the last attempt it is failed.
 */
export function webhookDeliveryJob(deps: {
  webhooks: WebhookService;
  sender: WebhookSender;
  settings: WebhookDeliverySettings;
}) {
  const { webhooks, sender, settings } = deps;
  return defineJob({
    name: 'support-webhook-deliver',
    payload: DeliverSchema,
    queue: {
      retryLimit: settings.maxAttempts - 1,
      retryDelay: settings.retryDelaySeconds,
      // pg-boss waits retryDelay × 2^n (with jitter up to double) before retry n + 1.
      ...(settings.retryDelaySeconds > 0
        ? { retryBackoff: true, retryDelayMax: RETRY_DELAY_MAX_SECONDS }
        : { retryBackoff: false }),
    },
    perform: async ({ deliveryId }) => {
      const delivery = await webhooks.outgoing(deliveryId);
      if (!delivery) return;
      const result = await sender.send(delivery);
      await webhooks.recordAttempt(deliveryId, result);
      if (!result.ok) {
        throw new Error(`webhook ${delivery.webhookId} delivery ${deliveryId} not accepted: ${result.error}`);
      }
    },
    onFailed: async ({ deliveryId }, _error, { final }) => {
      if (final) await webhooks.gaveUp(deliveryId);
    },
  });
}
