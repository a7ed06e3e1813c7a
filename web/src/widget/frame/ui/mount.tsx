/** @jsxImportSource preact */
import { render } from 'preact';
import type { UiModule } from '../shell';
import { App } from './App';
import './frame.css';

/**
 * The UI chunk (Preact and the panel's components, and its stylesheet, which Vite emits as a file:
 * nothing inline, for the frame's strict CSP). Loaded on first open, or when something is unread.
 */
export const mountUi: UiModule['mountUi'] = (root, chat, { locale, onClose }) => {
  render(<App chat={chat} locale={locale} onClose={onClose} />, root);
};
