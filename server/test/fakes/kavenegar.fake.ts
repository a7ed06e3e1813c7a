import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_KAVENEGAR_API_KEY = 'fake-kavenegar-api-key';

export interface FakeKavenegarRequest {
  path: 'verify/lookup' | 'sms/send';
  apiKey: string;
  params: Record<string, string>;
}

export interface FakeKavenegar {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  apiKey: string;
  /** Every request to a known method, in arrival order, whatever it was answered. */
  requests: FakeKavenegarRequest[];
  /** Answers the next `times` requests with Kavenegar's error reply for `status`. */
  failNext(status: number, message?: string, times?: number): void;
  /** Never answers the next request (until `close`). */
  hangNext(): void;
  /** Answers the next request with an HTML page, as a proxy in front of Kavenegar would. */
  htmlNext(status: number): void;
  /** The account's remaining credit (Rials) that `account/info` answers; 1,500,000 at first. */
  credit: number;
  /** The token of the last lookup to `receptor` (national `0912…` or `00…` form). */
  lastOtp(receptor: string): string | undefined;
  close(): Promise<void>;
}

/** Kavenegar's Persian `return.message` for the error statuses tests use. */
const MESSAGES: Record<number, string> = {
  400: 'پارامترها ناقص هستند',
  401: 'حساب کاربری غیرفعال شده است',
  402: 'عملیات ناموفق بود',
  403: 'کد شناسائی API-Key معتبر نمیباشد',
  404: 'متدی با این نام پیدا نشده است',
  405: 'متد فراخوانی Get یا Post اشتباه است',
  409: 'سرور قادر به پاسخگوئی نیست بعدا تلاش کنید',
  411: 'شماره گیرنده پیام معتبر نمی باشد',
  412: 'شماره فرستنده معتبر نمیباشد',
  413: 'پیام خالی است و یا طول پیام بیش از حد مجاز میباشد',
  418: 'اعتبار حساب شما کافی نیست',
  422: 'داده ها به دلیل وجود کاراکتر نامناسب قابل پردازش نیست',
  424: 'الگوی مورد نظر پیدا نشد یا هنوز تائید نشده',
  431: 'ساختار کد صحیح نمیباشد',
  432: 'پارامتر کد در متن پیام پیدا نشد',
  500: 'خطای داخلی سرور',
  502: 'سرور در دسترس نیست',
  503: 'سرویس موقتا در دسترس نیست',
};

type Behaviour =
  | { kind: 'fail'; status: number; message: string }
  | { kind: 'hang' }
  | { kind: 'html'; status: number };

const PATH = /^\/v1\/([^/]+)\/([a-z]+\/[a-z]+)\.json$/;
const RECEPTOR = /^(09\d{9}|00[1-9]\d{5,14})$/;
// Kavenegar refuses tokens with whitespace, underscores or separators (431).
const BAD_TOKEN = /[\s_,،]/;

/**
 * Starts a fake Kavenegar REST API on 127.0.0.1 with an ephemeral port. It speaks the real wire
 * format: `/v1/{apiKey}/{section}/{method}.json`, GET query or POST form parameters, JSON replies
 * `{return: {status, message}, entries}` with the HTTP status equal to `return.status`.
 */
export async function startFakeKavenegar(options: { apiKey?: string } = {}): Promise<FakeKavenegar> {
  const apiKey = options.apiKey ?? FAKE_KAVENEGAR_API_KEY;
  const requests: FakeKavenegarRequest[] = [];
  const behaviours: Behaviour[] = [];
  let nextMessageId = 8792343;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);

    const behaviour = behaviours.shift();
    const match = PATH.exec(url.pathname);
    const method = match?.[2];
    const key = match ? decodeURIComponent(match[1]!) : '';
    const params = Object.fromEntries(url.searchParams);
    if (
      req.method === 'POST' &&
      (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    ) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
    }
    if (method === 'verify/lookup' || method === 'sms/send')
      requests.push({ path: method, apiKey: key, params });

    if (behaviour?.kind === 'hang') return;
    if (behaviour?.kind === 'html') return sendHtml(res, behaviour.status);
    if (behaviour?.kind === 'fail') return sendError(res, behaviour.status, behaviour.message);

    if (!match) return sendError(res, 404);
    if (key !== apiKey) return sendError(res, 403);
    if (req.method !== 'GET' && req.method !== 'POST') return sendError(res, 405);

    const now = Math.floor(Date.now() / 1000);
    if (method === 'verify/lookup') {
      const { receptor, token, template } = params;
      if (!receptor || !token || !template) return sendError(res, 400);
      if (BAD_TOKEN.test(token)) return sendError(res, 431);
      if (!RECEPTOR.test(receptor)) return sendError(res, 411);
      return sendJson(res, 200, {
        return: { status: 200, message: 'تایید شد' },
        entries: [entry(nextMessageId++, `کد تایید شما: ${token}`, '10008663', receptor, now)],
      });
    }
    if (method === 'sms/send') {
      const { receptor, message, sender } = params;
      if (!receptor || message === undefined) return sendError(res, 400);
      if (message === '') return sendError(res, 413);
      const receptors = receptor.split(',');
      if (receptors.some((r) => !RECEPTOR.test(r))) return sendError(res, 411);
      return sendJson(res, 200, {
        return: { status: 200, message: 'تایید شد' },
        entries: receptors.map((r) => entry(nextMessageId++, message, sender ?? '10004346', r, now)),
      });
    }
    if (method === 'account/info') {
      // https://kavenegar.com/rest.html#account-info: remaining credit in Rials, expiry as Unix time.
      return sendJson(res, 200, {
        return: { status: 200, message: 'تایید شد' },
        entries: { remaincredit: fake.credit, expiredate: now + 365 * 86_400, type: 'master' },
      });
    }
    return sendError(res, 404);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const fake: FakeKavenegar = {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    credit: 1_500_000,
    failNext(status, message = MESSAGES[status] ?? 'خطای ناشناخته', times = 1) {
      for (let i = 0; i < times; i++) behaviours.push({ kind: 'fail', status, message });
    },
    hangNext() {
      behaviours.push({ kind: 'hang' });
    },
    htmlNext(status) {
      behaviours.push({ kind: 'html', status });
    },
    lastOtp(receptor) {
      return requests.findLast((r) => r.path === 'verify/lookup' && r.params.receptor === receptor)?.params
        .token;
    },
    close() {
      // Hung requests keep their sockets open; close would otherwise wait for them forever.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
  return fake;
}

function entry(messageid: number, message: string, sender: string, receptor: string, date: number) {
  // Field names as Kavenegar sends them (`statustext` in lower case).
  return { messageid, message, status: 5, statustext: 'ارسال به مخابرات', sender, receptor, date, cost: 120 };
}

function sendError(res: ServerResponse, status: number, message = MESSAGES[status] ?? 'خطای ناشناخته'): void {
  sendJson(res, status, { return: { status, message }, entries: null });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number): void {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end(
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
