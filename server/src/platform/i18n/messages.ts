import { type ErrorCode, LOCALES, type Locale, type SlaTargetKind, toPersianDigits } from '@abrik/protocol';

export { LOCALES, type Locale };

interface Catalog {
  /** The product's name as people read it, in SMS and notifications. */
  brand: string;
  errors: Record<ErrorCode, string>;
  otpSms: (code: string) => string;
  /** Title and body of a push notification for `count` unread messages, the latest from `sender`. */
  push: (sender: string, count: number, latest: string) => { title: string; body: string };
  /** Push to on-duty agents: a support conversation waits in the queue. */
  supportWaiting: (customer: string, latest: string) => { title: string; body: string };
  /** Push to supervisors: a conversation went past its silent agents to them. */
  supportEscalated: () => { title: string; body: string };
  /** SMS to a customer who has not seen a support reply. */
  supportReplySms: () => string;
  /** SMS to a customer away when their conversation was resolved: rate it at `link`. */
  csatSms: (link: string) => string;
  /** Push to supervisors: a conversation missed an SLA deadline. */
  supportSlaBreached: (kind: SlaTargetKind) => { title: string; body: string };
  /** To a customer who writes while support is closed: when it opens (null: not known). */
  outOfHours: (opening: string | null) => string;
  someone: string;
  /** What a push says for a message with a file (a caption, if any, follows it). */
  attachment: { image: string; voice: string; file: (name: string) => string };
  /** System notes of the support desk, beside a conversation (staff only). */
  desk: {
    offline: (agent: string, seconds: number) => string;
    noReply: (agent: string, seconds: number) => string;
    escalated: (agents: number) => string;
  };
}

const FA_BRAND = 'آبریک';
const EN_BRAND = 'Abrik';

const fa: Catalog = {
  brand: FA_BRAND,
  errors: {
    'validation/invalid': 'درخواست نامعتبر است.',
    'http/not_found': 'چنین نشانی‌ای وجود ندارد.',
    'http/bad_url': 'این نشانی درست نوشته نشده است.',
    'http/uri_too_long': 'این نشانی بیش از اندازه بلند است.',
    'http/headers_too_large': 'سرآیندهای درخواست (یا نشانی آن) بیش از اندازه بزرگ است.',
    'http/request_timeout': 'درخواست به‌موقع کامل نشد.',
    'http/bad_request': 'این درخواست HTTP درست نیست.',
    'http/payload_too_large': 'درخواست بیش از حد بزرگ است.',
    'http/unsupported_media_type': 'نوع محتوای درخواست پشتیبانی نمی‌شود.',
    'auth/invalid_phone': 'شمارهٔ تلفن همراه معتبر نیست.',
    'auth/invalid_code': 'کد واردشده درست نیست.',
    'auth/code_expired': 'کد منقضی شده است؛ کد تازه‌ای بگیرید.',
    'auth/too_many_attempts': 'تلاش‌های نادرست بیش از حد بود؛ کد تازه‌ای بگیرید.',
    'auth/unauthenticated': 'برای این کار باید وارد شوید.',
    'auth/token_expired': 'نشست شما منقضی شده است.',
    'auth/invalid_token': 'توکن دسترسی معتبر نیست.',
    'auth/invalid_refresh_token': 'نشست شما معتبر نیست؛ دوباره وارد شوید.',
    'auth/forbidden': 'اجازهٔ این کار را ندارید.',
    rate_limited: 'درخواست‌ها بیش از حد مجاز است؛ کمی بعد دوباره تلاش کنید.',
    'sms/provider_error': 'ارسال پیامک ممکن نشد؛ کمی بعد دوباره تلاش کنید.',
    'user/not_found': 'کاربری با این مشخصات پیدا نشد.',
    'user/own_role': 'نقش خودتان را نمی‌توانید تغییر دهید؛ از مدیر دیگری بخواهید.',
    'conversation/not_found': 'گفتگو پیدا نشد.',
    'conversation/forbidden': 'اجازهٔ این کار را در این گفتگو ندارید.',
    'conversation/not_group': 'این کار فقط در گفتگوی گروهی ممکن است.',
    'conversation/invalid_members': 'یک یا چند عضو انتخاب‌شده وجود ندارند.',
    'conversation/self_direct': 'نمی‌توانید با خودتان گفتگوی دونفره بسازید.',
    'conversation/too_many_members': 'تعداد اعضای گروه از حد مجاز بیشتر است.',
    'conversation/removed': 'شما از این گفتگو کنار گذاشته شده‌اید یا آن را ترک کرده‌اید.',
    'member/not_found': 'این کاربر عضو گفتگو نیست.',
    'message/not_found': 'پیام پیدا نشد.',
    'message/forbidden': 'فقط پیام‌های خودتان را می‌توانید تغییر دهید.',
    'message/deleted': 'این پیام حذف شده است.',
    'message/client_id_conflict': 'این شناسهٔ پیام پیش‌تر در گفتگوی دیگری به کار رفته است.',
    'message/reply_not_found': 'پیامی که به آن پاسخ می‌دهید در این گفتگو نیست.',
    'message/not_reactable': 'به این پیام نمی‌شود واکنش نشان داد.',
    'message/not_pinnable': 'این پیام سنجاق‌شدنی نیست.',
    'pin/too_many': 'این گفتگو بیش از این پیام سنجاق‌شده نمی‌پذیرد؛ یکی را بردارید.',
    'attachment/unavailable': 'فرستادن فایل روی این سرور فعال نیست.',
    'file/not_found': 'این پرونده پیدا نشد.',
    'file/empty': 'پرونده خالی است.',
    'file/too_large': 'این پرونده بزرگ‌تر از اندازهٔ مجاز است.',
    'file/not_an_image': 'این پرونده عکس نیست. عکس JPEG، PNG، WebP یا GIF بفرستید.',
    'file/not_audio': 'این پرونده پیام صوتی نیست. صدا را با Ogg/Opus، WebM، MP4 یا MP3 بفرستید.',
    'file/already_attached': 'این پرونده پیش‌تر با پیام دیگری فرستاده شده است.',
    'file/storage_unavailable': 'پرونده‌ها اکنون در دسترس نیستند. کمی بعد دوباره امتحان کنید.',
    'device/not_found': 'این دستگاه ثبت نشده است.',
    'device/endpoint_not_allowed': 'این نشانی اعلان پذیرفته نیست.',
    'push/not_configured': 'اعلان برای این نوع دستگاه فعال نیست.',
    'support/invalid_transition': 'این تغییر وضعیت برای این گفتگو ممکن نیست.',
    'support/version_conflict': 'این گفتگو هم‌زمان تغییر کرده است؛ دوباره بارگیری کنید.',
    'support/over_capacity': 'ظرفیت گفتگوهای این پشتیبان پر است.',
    'support/not_an_agent': 'این کاربر پشتیبانِ این صف یا تیم نیست.',
    'support/forbidden': 'اجازهٔ این کار را در پشتیبانی ندارید.',
    'support/already_assigned': 'این گفتگو را پشتیبان دیگری برداشته است.',
    'support/team_not_found': 'تیم پیدا نشد.',
    'support/team_name_taken': 'تیمی با این نام وجود دارد.',
    'support/inbox_not_found': 'صندوق پشتیبانی پیدا نشد.',
    'support/agent_not_found': 'پشتیبان پیدا نشد.',
    'support/canned_reply_not_found': 'پاسخ آماده پیدا نشد.',
    'support/shortcut_taken': 'این میان‌بر پیش‌تر به کار رفته است.',
    'support/unresolved_variable': 'متن پیام متغیرِ پرنشده دارد؛ پیش از فرستادن آن را پر کنید.',
    'calendar/not_found': 'تقویم کاری پیدا نشد.',
    'calendar/in_use': 'این تقویم ساعت کاری صندوق‌هایی است؛ اول تقویم آن‌ها را عوض کنید.',
    'calendar/day_not_found': 'برای این روز تغییر دستی‌ای ثبت نشده است.',
    'calendar/no_holiday_data': 'فهرست تعطیلات این سال را نداریم.',
    'csat/not_found': 'نظرسنجی‌ای برای این گفتگو نیست.',
    'csat/closed': 'زمان تغییر این نظر گذشته است.',
    'csat/expired': 'مهلت این پیوند نظرسنجی گذشته است.',
    'support/sla_policy_not_found': 'این سیاست سطح خدمت پیدا نشد.',
    'support/sla_policy_exists': 'برای این صندوق و این اولویت پیش‌تر سیاستی تعریف شده است.',
    'support/webhook_not_found': 'وب‌هوک پیدا نشد.',
    'support/webhook_url_not_allowed': 'این نشانی برای وب‌هوک پذیرفته نیست.',
    'widget/not_found': 'این ابزارک گفتگو پیدا نشد.',
    'widget/disabled': 'این ابزارک گفتگو غیرفعال است.',
    'widget/origin_not_allowed': 'این ابزارک برای این وب‌سایت مجاز نیست.',
    'widget/forbidden': 'اجازهٔ این کار را در تنظیمات ابزارک ندارید.',
    'widget/identity_required': 'برای گفتگو باید هویت شما از سوی وب‌سایت تأیید شود.',
    'widget/identity_invalid': 'نشانهٔ هویت نامعتبر است.',
    'widget/identity_expired': 'نشانهٔ هویت منقضی شده است.',
    'widget/identity_too_long': 'نشانهٔ هویت بیش از ۲۴ ساعت اعتبار دارد و پذیرفته نیست.',
    'widget/identity_replayed': 'این نشانهٔ هویت پیش‌تر به کار رفته است.',
    'widget/no_contact': 'هنوز پیامی نفرستاده‌اید؛ با نخستین پیام گفتگو آغاز می‌شود.',
    'widget/form_invalid': 'لطفاً فرم را کامل و درست پر کنید.',
    'widget/conversation_closed': 'این گفتگو بسته شده است؛ گفتگوی تازه‌ای آغاز کنید.',
    'db/unavailable': 'پایگاه داده در دسترس نیست؛ کمی بعد دوباره تلاش کنید.',
    'server/shutting_down': 'سرور در حال راه‌اندازی دوباره است؛ لحظه‌ای بعد تلاش کنید.',
    internal: 'خطای داخلی رخ داد.',
  },
  otpSms: (code) => `کد ورود شما به ${FA_BRAND}: ${code}\nاین کد را به کسی ندهید.`,
  push: (sender, count, latest) => ({
    title: sender,
    body: count > 1 ? `${toPersianDigits(count)} پیام تازه — ${latest}` : latest,
  }),
  supportReplySms: () =>
    `${FA_BRAND}: پاسخ درخواست پشتیبانی شما آماده است. برای دیدن آن به ${FA_BRAND} سر بزنید.`,
  csatSms: (link) =>
    `${FA_BRAND}: گفتگوی پشتیبانی شما به پایان رسید. لطفاً از ۱ تا ۵ به آن نمره دهید:\n${link}`,
  supportWaiting: (customer, latest) => ({ title: `درخواست پشتیبانی از ${customer}`, body: latest }),
  supportEscalated: () => ({
    title: 'گفتگوی پشتیبانی بی‌پاسخ',
    body: 'چند پشتیبان پاسخ ندادند؛ این گفتگو به سرپرست نیاز دارد.',
  }),
  supportSlaBreached: (kind) => ({
    title: 'مهلت سطح خدمت گذشت',
    body: {
      first_response: 'مهلت نخستین پاسخ به یک گفتگوی پشتیبانی گذشت.',
      next_response: 'مهلت پاسخ به پیام تازهٔ یک مشتری گذشت.',
      resolution: 'مهلت حل یک گفتگوی پشتیبانی گذشت.',
    }[kind],
  }),
  outOfHours: (opening) =>
    opening
      ? `اکنون خارج از ساعت کاری پشتیبانی هستیم. پیام شما رسید و ${opening} پاسخ می‌دهیم.`
      : 'اکنون خارج از ساعت کاری پشتیبانی هستیم. پیام شما رسید و در نخستین فرصت پاسخ می‌دهیم.',
  someone: 'کسی',
  attachment: { image: '📷 عکس', voice: '🎤 پیام صوتی', file: (name) => `📎 ${name}` },
  desk: {
    offline: (agent, seconds) =>
      `${agent} بیش از ${toPersianDigits(seconds)} ثانیه آفلاین بود؛ گفتگو به صف برگشت.`,
    noReply: (agent, seconds) =>
      `${agent} تا ${toPersianDigits(seconds)} ثانیه پاسخی نداد؛ گفتگو به پشتیبان دیگری می‌رود.`,
    escalated: (agents) => `پس از ${toPersianDigits(agents)} پشتیبانِ بی‌پاسخ، گفتگو به سرپرستان سپرده شد.`,
  },
};

const en: Catalog = {
  brand: EN_BRAND,
  errors: {
    'validation/invalid': 'The request is not valid.',
    'http/not_found': 'There is nothing at this address.',
    'http/bad_url': 'This address is not well formed.',
    'http/uri_too_long': 'This address is too long.',
    'http/headers_too_large': 'The request headers (or its address) are too large.',
    'http/request_timeout': 'The request did not arrive in time.',
    'http/bad_request': 'This is not a well-formed HTTP request.',
    'http/payload_too_large': 'The request is too large.',
    'http/unsupported_media_type': 'This content type is not supported.',
    'auth/invalid_phone': 'This is not a valid mobile phone number.',
    'auth/invalid_code': 'The code is not correct.',
    'auth/code_expired': 'The code has expired; ask for a new one.',
    'auth/too_many_attempts': 'Too many wrong attempts; ask for a new code.',
    'auth/unauthenticated': 'You need to sign in for this.',
    'auth/token_expired': 'Your session has expired.',
    'auth/invalid_token': 'The access token is not valid.',
    'auth/invalid_refresh_token': 'Your session is not valid; please sign in again.',
    'auth/forbidden': 'You are not allowed to do this.',
    rate_limited: 'Too many requests; please try again later.',
    'sms/provider_error': 'The SMS could not be sent; please try again later.',
    'user/not_found': 'No such user.',
    'user/own_role': 'You cannot change your own role; ask another admin.',
    'conversation/not_found': 'Conversation not found.',
    'conversation/forbidden': 'You are not allowed to do this in this conversation.',
    'conversation/not_group': 'This is possible in group conversations only.',
    'conversation/invalid_members': 'One or more of the chosen members do not exist.',
    'conversation/self_direct': 'You cannot start a direct conversation with yourself.',
    'conversation/too_many_members': 'The group would have too many members.',
    'conversation/removed': 'You were removed from this conversation or left it.',
    'member/not_found': 'This user is not a member of the conversation.',
    'message/not_found': 'Message not found.',
    'message/forbidden': 'You can change only your own messages.',
    'message/deleted': 'This message has been deleted.',
    'message/client_id_conflict': 'This clientMsgId was already used in another conversation.',
    'message/reply_not_found': 'The message you are replying to is not in this conversation.',
    'message/not_reactable': 'This message cannot take reactions.',
    'message/not_pinnable': 'This message cannot be pinned.',
    'pin/too_many': 'This conversation holds no more pinned messages; unpin one first.',
    'attachment/unavailable': 'Sending files is not enabled on this server.',
    'file/not_found': 'This file was not found.',
    'file/empty': 'The file is empty.',
    'file/too_large': 'This file is larger than allowed.',
    'file/not_an_image': 'This file is not an image. Send a JPEG, PNG, WebP or GIF picture.',
    'file/not_audio': 'This file is not a voice message. Send Ogg/Opus, WebM, MP4 or MP3 audio.',
    'file/already_attached': 'This file was already sent with another message.',
    'file/storage_unavailable': 'Files cannot be reached right now. Try again in a moment.',
    'device/not_found': 'This device is not registered.',
    'device/endpoint_not_allowed': 'This push endpoint is not accepted.',
    'push/not_configured': 'Notifications are not enabled for this kind of device.',
    'support/invalid_transition': 'This conversation cannot change to that status.',
    'support/version_conflict': 'This conversation changed meanwhile; reload it.',
    'support/over_capacity': 'This agent has no room for another conversation.',
    'support/not_an_agent': 'This user is not an agent of this inbox or team.',
    'support/forbidden': 'You are not allowed to do this in support.',
    'support/already_assigned': 'Another agent has taken this conversation.',
    'support/team_not_found': 'Team not found.',
    'support/team_name_taken': 'A team with this name exists.',
    'support/inbox_not_found': 'Support inbox not found.',
    'support/agent_not_found': 'Agent not found.',
    'support/canned_reply_not_found': 'Canned reply not found.',
    'support/shortcut_taken': 'This shortcut is taken.',
    'support/unresolved_variable': 'The message has an unfilled variable; fill it before sending.',
    'calendar/not_found': 'Calendar not found.',
    'calendar/in_use': 'Inboxes use this calendar; give them another one first.',
    'calendar/day_not_found': 'No day was set by hand on this date.',
    'calendar/no_holiday_data': 'There is no holiday data for this year.',
    'csat/not_found': 'There is no survey for this conversation.',
    'csat/closed': 'This rating can no longer be changed.',
    'csat/expired': 'This survey link has expired.',
    'support/sla_policy_not_found': 'SLA policy not found.',
    'support/sla_policy_exists': 'This inbox and priority already have a policy.',
    'support/webhook_not_found': 'Webhook not found.',
    'support/webhook_url_not_allowed': 'This URL is not allowed for a webhook.',
    'widget/not_found': 'This chat widget was not found.',
    'widget/disabled': 'This chat widget is disabled.',
    'widget/origin_not_allowed': 'This chat widget is not allowed on this website.',
    'widget/forbidden': 'You are not allowed to do this in the widget settings.',
    'widget/identity_required': 'This website must verify who you are before you can chat.',
    'widget/identity_invalid': 'The identity token is not valid.',
    'widget/identity_expired': 'The identity token has expired.',
    'widget/identity_too_long': 'The identity token is valid for more than 24 hours and is refused.',
    'widget/identity_replayed': 'This identity token was used already.',
    'widget/no_contact': 'You have not sent anything yet: your first message starts a conversation.',
    'widget/form_invalid': 'Please fill in the form completely and correctly.',
    'widget/conversation_closed': 'This conversation is closed: start a new one.',
    'db/unavailable': 'The database is unavailable; please try again shortly.',
    'server/shutting_down': 'The server is restarting; please try again in a moment.',
    internal: 'An internal error occurred.',
  },
  otpSms: (code) => `Your ${EN_BRAND} sign-in code: ${code}\nDo not share it with anyone.`,
  push: (sender, count, latest) => ({
    title: sender,
    body: count > 1 ? `${count} new messages — ${latest}` : latest,
  }),
  supportReplySms: () => `${EN_BRAND}: your support request has an answer. Open ${EN_BRAND} to read it.`,
  csatSms: (link) =>
    `${EN_BRAND}: your support conversation is resolved. Please rate it from 1 to 5:\n${link}`,
  supportWaiting: (customer, latest) => ({ title: `Support request from ${customer}`, body: latest }),
  supportEscalated: () => ({
    title: 'Unanswered support conversation',
    body: 'Several agents did not reply; this conversation needs a supervisor.',
  }),
  supportSlaBreached: (kind) => ({
    title: 'SLA deadline missed',
    body: {
      first_response: 'A support conversation missed its first-response deadline.',
      next_response: 'A customer’s new message missed its response deadline.',
      resolution: 'A support conversation missed its resolution deadline.',
    }[kind],
  }),
  outOfHours: (opening) =>
    opening
      ? `Support is closed right now. We have your message and will answer ${opening}.`
      : 'Support is closed right now. We have your message and will answer as soon as we can.',
  someone: 'Someone',
  attachment: { image: '📷 Photo', voice: '🎤 Voice message', file: (name) => `📎 ${name}` },
  desk: {
    offline: (agent, seconds) =>
      `${agent} was offline for over ${seconds} s; the conversation went back to the queue.`,
    noReply: (agent, seconds) =>
      `${agent} did not reply within ${seconds} s; the conversation goes to another agent.`,
    escalated: (agents) => `After ${agents} agents did not reply, the conversation went to the supervisors.`,
  },
};

const catalogs: Record<Locale, Catalog> = { fa, en };

export function t(locale: Locale): Catalog {
  return catalogs[locale];
}

/** Picks fa or en from an Accept-Language header (or a bare tag); Persian when nothing matches. */
export function negotiateLocale(header: string | undefined | null): Locale {
  if (!header) return 'fa';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { lang: tag.split('-')[0] ?? '', q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { lang, q } of ranked) {
    if (q > 0 && (LOCALES as readonly string[]).includes(lang)) return lang as Locale;
  }
  return 'fa';
}
