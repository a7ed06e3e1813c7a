/** Persian texts of files in messages (merged into fa.ts under `files`). */
export const filesFa = {
  photo: 'عکس',
  openPhoto: 'نمایش عکس',
  closePhoto: 'بستن',
  download: 'دریافت',
  voice: 'پیام صوتی',
  loading: 'در حال بارگیری…',
  failed: 'پرونده بارگیری نشد.',
  uploading: 'در حال فرستادن… {{percent}}',
  cancelUpload: 'لغو فرستادن',
  retryUpload: 'فرستادن دوباره',
  attach: 'پیوست عکس یا پرونده',
  ready: 'آمادهٔ فرستادن',
  captionHint: 'توضیحی بنویسید (اختیاری)',
  record: 'ضبط پیام صوتی',
  recording: 'در حال ضبط…',
  micDenied: 'میکروفون در دسترس نیست: در مرورگر به این سایت اجازه دهید و دوباره امتحان کنید.',
};
