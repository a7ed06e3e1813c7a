/** Persian texts of the snooze screens (merged into staff.fa.ts under `snooze`). */
export const snoozeFa = {
  title: 'تعویق گفتگو',
  quick: 'انتخاب سریع',
  preset: {
    hour: 'یک ساعت دیگر',
    evening: 'امروز عصر، ساعت {{time}}',
    tomorrow: 'فردا، ساعت {{time}}',
    week: 'هفتهٔ بعد — شنبه، ساعت {{time}}',
    reply: 'تا پاسخ مشتری',
  },
  custom: 'تاریخ و ساعت دلخواه',
  prevMonth: 'ماه قبل',
  nextMonth: 'ماه بعد',
  monthYear: '{{month}} {{year}}',
  months: {
    farvardin: 'فروردین',
    ordibehesht: 'اردیبهشت',
    khordad: 'خرداد',
    tir: 'تیر',
    mordad: 'مرداد',
    shahrivar: 'شهریور',
    mehr: 'مهر',
    aban: 'آبان',
    azar: 'آذر',
    dey: 'دی',
    bahman: 'بهمن',
    esfand: 'اسفند',
  },
  /** Column headers of the calendar, Saturday first. */
  weekdaysShort: { sat: 'ش', sun: 'ی', mon: 'د', tue: 'س', wed: 'چ', thu: 'پ', fri: 'ج' },
  weekdays: {
    sat: 'شنبه',
    sun: 'یکشنبه',
    mon: 'دوشنبه',
    tue: 'سه‌شنبه',
    wed: 'چهارشنبه',
    thu: 'پنجشنبه',
    fri: 'جمعه',
  },
  /** A day in the calendar, read out in full. */
  fullDate: '{{weekday}} {{day}} {{month}} {{year}}',
  /** A preset's day, next to its time. */
  shortDate: '{{day}} {{month}}',
  today: 'امروز',
  time: 'ساعت',
  timePlaceholder: '۰۹:۰۰',
  /** The chosen moment; the Persian text leaves out the Gregorian date that the English one adds. */
  chosen: 'تا {{date}}، ساعت {{time}}',
  timeInvalid: 'ساعت را به شکل «ساعت:دقیقه» بنویسید، مثلاً ۱۴:۳۰.',
  past: 'این زمان گذشته است؛ زمانی بعد از اکنون انتخاب کنید.',
  confirm: 'تعویق',
  cancel: 'انصراف',
};
