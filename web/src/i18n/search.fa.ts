/** Persian texts of search in messages (merged into fa.ts under `search`). */
export const searchFa = {
  open: 'جستجو در پیام‌ها',
  openHere: 'جستجو در این گفتگو',
  placeholder: 'جستجو در همهٔ پیام‌ها',
  placeholderHere: 'جستجو در پیام‌های این گفتگو',
  close: 'بستن جستجو',
  results: 'نتیجه‌های جستجو',
  searching: 'در حال جستجو…',
  empty: 'پیامی با این کلمه‌ها پیدا نشد.',
  more: 'نتیجه‌های قدیمی‌تر',
  you: 'شما',
  unknownConversation: 'گفتگو',
};
