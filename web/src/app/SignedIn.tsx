import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ChatEngine } from '../chat/engine.js';
import { currentLang } from '../i18n/index.js';
import { EngineProvider, useServices } from './context.js';
import { Shell } from './Shell.js';

/**
 * Everything after sign-in: the chat engine (socket, outbox) and the shell. A chunk of its own
 * (App.tsx imports it lazily), so the sign-in page loads none of it.
 */
export default function SignedIn({ meId }: { meId: string }) {
  const { api, session, i18n } = useServices();
  const queryClient = useQueryClient();
  const [engine] = useState(() => new ChatEngine(api, session, queryClient, meId, () => currentLang(i18n)));
  useEffect(() => {
    engine.start();
    return () => engine.stop();
  }, [engine]);
  return (
    <EngineProvider value={engine}>
      <Shell />
    </EngineProvider>
  );
}
