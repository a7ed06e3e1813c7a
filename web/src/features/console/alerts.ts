import { Store } from '../../lib/store.js';

export interface AlertSettings {
  sound: boolean;
  desktop: boolean;
}

const KEY = 'abrik.console.alerts';

function read(): AlertSettings {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<AlertSettings>;
    return { sound: raw.sound !== false, desktop: raw.desktop !== false };
  } catch {
    return { sound: true, desktop: true };
  }
}

/** The agent's choice of a sound and a desktop notification, kept in this browser. */
export const alertSettings = new Store<AlertSettings>(read());

export function setAlertSettings(next: AlertSettings): void {
  alertSettings.set(next);
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage unavailable: the choice lasts for this page.
  }
}

/** A short two-note chime, made on the spot (no file to fetch, nothing to cache). */
export function chime(): void {
  const AudioContextClass = globalThis.AudioContext;
  if (!AudioContextClass) return;
  try {
    const audio = new AudioContextClass();
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.5);
    for (const [i, frequency] of [880, 1320].entries()) {
      const tone = audio.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(audio.currentTime + i * 0.12);
      tone.stop(audio.currentTime + 0.5);
    }
    setTimeout(() => void audio.close(), 800);
  } catch {
    // No sound device, or the page has not been interacted with yet: the badge still shows.
  }
}
