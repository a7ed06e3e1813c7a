export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
