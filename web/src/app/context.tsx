import type { i18n as I18n } from 'i18next';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import type { ApiClient } from '../api/client.js';
import type { Session } from '../api/session.js';
import { SupportApi } from '../api/support.js';
import type { ChatEngine } from '../chat/engine.js';

export interface Services {
  api: ApiClient;
  session: Session;
  i18n: I18n;
}

const ServicesContext = createContext<Services | null>(null);
const EngineContext = createContext<ChatEngine | null>(null);

export function ServicesProvider({ value, children }: { value: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}
export function EngineProvider({ value, children }: { value: ChatEngine; children: ReactNode }) {
  return <EngineContext.Provider value={value}>{children}</EngineContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesProvider');
  return services;
}
export function useEngine(): ChatEngine {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine outside EngineProvider');
  return engine;
}

/** The support desk's routes (the console, the admin pages), over the app's API client. */
export function useSupportApi(): SupportApi {
  const { api } = useServices();
  return useMemo(() => new SupportApi(api), [api]);
}
