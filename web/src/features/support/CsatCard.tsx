import type { Conversation, CsatView } from '@abrik/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { rateConversation } from '../../api/csat.js';
import { useServices } from '../../app/context.js';
import { conversationKey } from '../../chat/messages.js';
import { CsatForm } from './CsatForm.js';

/** Inline in the customer's resolved support conversation: rate it, or change the rating within the day. */
export function CsatCard({ conversationId, csat }: { conversationId: string; csat: CsatView }) {
  const { api } = useServices();
  const queryClient = useQueryClient();
  return (
    <CsatForm
      // A new resolve asks anew.
      key={csat.cycle}
      value={csat}
      testId="csat-card"
      onSubmit={async (rating, comment) => {
        const saved = await rateConversation(api, conversationId, { rating, comment });
        queryClient.setQueryData<Conversation>(conversationKey(conversationId), (c) =>
          c?.support ? { ...c, support: { ...c.support, csat: saved } } : c,
        );
      }}
    />
  );
}
