import type { Resources } from './fa.js';

/** English texts of files in messages (merged into en.ts under `files`). */
export const filesEn: Resources['files'] = {
  photo: 'Photo',
  openPhoto: 'Show the photo',
  closePhoto: 'Close',
  download: 'Download',
  voice: 'Voice message',
  loading: 'Loading…',
  failed: 'The file could not be loaded.',
  uploading: 'Sending… {{percent}}',
  cancelUpload: 'Cancel sending',
  retryUpload: 'Send again',
  attach: 'Attach a photo or file',
  ready: 'Ready to send',
  captionHint: 'Add a caption (optional)',
  record: 'Record a voice message',
  recording: 'Recording…',
  micDenied: 'The microphone is not available: allow it for this site in the browser, then try again.',
};
