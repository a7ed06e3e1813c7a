/** Where a satisfaction answer came from. */
export const CSAT_CHANNELS = ['app', 'sms'] as const;
