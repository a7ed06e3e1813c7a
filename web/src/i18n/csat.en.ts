import type { Resources } from './fa.js';

/** English texts of the satisfaction survey (merged into en.ts under `csat`). */
export const csatEn: Resources['csat'] = {
  title: 'Were you happy with our support?',
  intro: 'Rate this support conversation from 1 to 5.',
  legend: 'Your rating',
  rating: {
    r1: 'Very dissatisfied',
    r2: 'Dissatisfied',
    r3: 'Neutral',
    r4: 'Satisfied',
    r5: 'Very satisfied',
  },
  ratingLabel: '{{n}} of 5: {{text}}',
  comment: 'Comment (optional)',
  commentHint: 'At most {{max}} characters',
  submit: 'Send rating',
  update: 'Save change',
  thanks: 'Thank you for your feedback!',
  yourRating: 'Your rating: {{n}} of 5 ({{text}})',
  change: 'Change rating',
  editableUntil: 'You can change it until {{date}}, {{time}}.',
  pageTitle: 'Support survey',
  agent: 'Agent: {{name}}',
  subject: 'Subject: {{subject}}',
  linkUntil: 'This link works until {{date}}.',
  expired: 'This survey link has expired.',
  notFound: 'This survey link is not valid.',
};
