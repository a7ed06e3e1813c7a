/**
 * The frame's own small dictionary (i18next would not fit its budget): Persian first, English.
 * Numbers are written with the locale's digits; dates in the Jalali calendar (Intl, no library).
 */

export type Locale = 'fa' | 'en';

/** The loader's locale as one the frame speaks: English when asked for, Persian otherwise. */
export const localeOf = (tag: string | null | undefined): Locale =>
  /^en(-|$)/i.test(tag ?? '') ? 'en' : 'fa';

const fa = {
  title: 'پشتیبانی',
  close: 'بستن گفتگو',
  greeting: 'سلام! چطور می‌توانیم کمکتان کنیم؟',
  loading: 'در حال بارگذاری…',
  composer: 'پیام شما',
  placeholder: 'پیامی بنویسید…',
  send: 'ارسال',
  you: 'شما',
  agent: 'پشتیبان',
  servedBy: 'پاسخگوی شماست',
  typing: 'در حال نوشتن…',
  sending: 'در حال ارسال',
  sent: 'ارسال شد',
  read: 'خوانده شد',
  failed: 'ارسال نشد.',
  retry: 'ارسال دوباره',
  tryAgain: 'دوباره تلاش کنید',
  deleted: 'این پیام حذف شد.',
  edited: 'ویرایش‌شده',
  queue: (position: string) => `شما نفر ${position} صف هستید.`,
  eta: (minutes: string) => `زمان تقریبی انتظار: ${minutes} دقیقه`,
  waiting: 'به‌زودی یکی از همکاران ما پاسخ می‌دهد.',
  waitOffer: 'انتظار طولانی شد. می‌خواهید پیام بگذارید تا بعداً پاسخ دهیم؟',
  leaveMessage: 'پیام می‌گذارم',
  leaveIntro: 'پیامتان را بگذارید تا در اولین فرصت پاسخ دهیم.',
  prechatTitle: 'پیش از شروع گفتگو',
  prechatSubmit: 'شروع گفتگو',
  offlineTitle: 'پیام بگذارید',
  offlineText: 'الان کسی پاسخگو نیست. پیامتان را بگذارید تا در اولین فرصت پاسخ دهیم.',
  nextOpening: (when: string) => `زمان کاری بعدی: ${when}`,
  offlineSubmit: 'ارسال پیام',
  offlineSent: 'پیامتان رسید. در اولین فرصت پاسخ می‌دهیم.',
  fields: { name: 'نام', phone: 'شماره تلفن', email: 'ایمیل', text: 'پاسخ', message: 'پیام' },
  optional: 'اختیاری',
  invalid: {
    required: 'این بخش را پر کنید.',
    phone: 'شماره تلفن درست نیست.',
    email: 'نشانی ایمیل درست نیست.',
    contact: 'شماره تلفن یا ایمیل بگذارید تا بتوانیم پاسخ دهیم.',
  },
  csatQuestion: 'از این گفتگو چقدر راضی بودید؟',
  csatRating: (n: string) => `${n} از ۵`,
  csatComment: 'توضیح (اختیاری)',
  csatSend: 'ارسال نظر',
  csatThanks: 'از نظرتان سپاسگزاریم.',
  closed: 'این گفتگو بسته شده است.',
  newConversation: 'شروع گفتگوی تازه',
  notInFrame: 'این صفحه فقط درون ابزارک گفتگوی سایت‌ها کار می‌کند.',
  errors: {
    unavailable: 'گفتگو در این سایت در دسترس نیست.',
    identityRequired: 'برای گفتگو با پشتیبانی، اول باید در همین سایت وارد حساب کاربری‌تان شوید.',
    identityInvalid: 'هویت شما تأیید نشد. صفحه را دوباره باز کنید.',
    rateLimited: 'تلاش‌ها زیاد بود. کمی بعد دوباره امتحان کنید.',
    network: 'اتصال برقرار نیست. اینترنت خود را بررسی کنید.',
    generic: 'مشکلی پیش آمد. دوباره امتحان کنید.',
  },
};

export type Texts = typeof fa;

const en: Texts = {
  title: 'Support',
  close: 'Close chat',
  greeting: 'Hi! How can we help?',
  loading: 'Loading…',
  composer: 'Your message',
  placeholder: 'Write a message…',
  send: 'Send',
  you: 'You',
  agent: 'Support',
  servedBy: 'is helping you',
  typing: 'typing…',
  sending: 'Sending',
  sent: 'Sent',
  read: 'Read',
  failed: 'Not sent.',
  retry: 'Send again',
  tryAgain: 'Try again',
  deleted: 'This message was deleted.',
  edited: 'edited',
  queue: (position) => `You are number ${position} in the queue.`,
  eta: (minutes) => `Estimated wait: ${minutes} min`,
  waiting: 'Someone from our team will be with you shortly.',
  waitOffer: 'This is taking a while. Would you like to leave a message, and we will answer later?',
  leaveMessage: 'Leave a message',
  leaveIntro: 'Leave your message and we will answer as soon as we can.',
  prechatTitle: 'Before we start',
  prechatSubmit: 'Start chat',
  offlineTitle: 'Leave a message',
  offlineText: 'Nobody is available right now. Leave a message and we will answer as soon as we can.',
  nextOpening: (when) => `We are back: ${when}`,
  offlineSubmit: 'Send message',
  offlineSent: 'We got your message and will answer as soon as we can.',
  fields: { name: 'Name', phone: 'Phone number', email: 'E-mail', text: 'Answer', message: 'Message' },
  optional: 'optional',
  invalid: {
    required: 'Please fill this in.',
    phone: 'This phone number does not look right.',
    email: 'This e-mail address does not look right.',
    contact: 'Leave a phone number or an e-mail so we can answer.',
  },
  csatQuestion: 'How satisfied were you with this conversation?',
  csatRating: (n) => `${n} of 5`,
  csatComment: 'Comment (optional)',
  csatSend: 'Send comment',
  csatThanks: 'Thank you for your feedback.',
  closed: 'This conversation is closed.',
  newConversation: 'Start a new conversation',
  notInFrame: 'This page works only inside a website’s chat widget.',
  errors: {
    unavailable: 'Chat is not available on this website.',
    identityRequired: 'Please sign in on this website to chat with support.',
    identityInvalid: 'We could not confirm who you are. Please reload the page.',
    rateLimited: 'Too many attempts. Please try again in a minute.',
    network: 'No connection. Please check your internet.',
    generic: 'Something went wrong. Please try again.',
  },
};

export const texts = (locale: Locale): Texts => (locale === 'fa' ? fa : en);

const tag = (locale: Locale) => (locale === 'fa' ? 'fa-IR' : 'en-US');

/** A number in the locale's digits (Persian digits for fa). */
export const formatNumber = (locale: Locale, value: number) =>
  new Intl.NumberFormat(tag(locale)).format(value);

/** A message's time of day. */
export const formatTime = (locale: Locale, iso: string) =>
  new Intl.DateTimeFormat(tag(locale), { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

/** A moment in the Jalali calendar, in the inbox's time zone: «یکشنبه ۳ فروردین، ساعت ۰۹:۰۰». */
export const formatOpening = (locale: Locale, iso: string, timeZone: string) =>
  new Intl.DateTimeFormat(`${tag(locale)}-u-ca-persian`, {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));

/** Which message of `texts().errors` explains an error code. */
export function errorText(t: Texts, code: string): string {
  if (['widget/not_found', 'widget/disabled', 'widget/origin_not_allowed'].includes(code))
    return t.errors.unavailable;
  if (code === 'widget/identity_required') return t.errors.identityRequired;
  if (code.startsWith('widget/identity_')) return t.errors.identityInvalid;
  if (code === 'rate_limited') return t.errors.rateLimited;
  if (code === 'network') return t.errors.network;
  return t.errors.generic;
}
