import type { Resources } from './fa.js';

/** English texts of search in messages (merged into en.ts under `search`). */
export const searchEn: Resources['search'] = {
  open: 'Search messages',
  openHere: 'Search in this conversation',
  placeholder: 'Search all messages',
  placeholderHere: 'Search this conversation',
  close: 'Close search',
  results: 'Search results',
  searching: 'Searching…',
  empty: 'No message has these words.',
  more: 'Older results',
  you: 'You',
  unknownConversation: 'Conversation',
};
