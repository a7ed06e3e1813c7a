/**
 * The loader's build entry (web/vite.widget.config.ts → web/dist/widget/loader.js, one IIFE file):
 * a site includes it with the snippet in docs/widget.md. The chat frame lives on the origin this
 * script came from.
 */
import { installWidget } from './embed';

const script = document.currentScript as HTMLScriptElement | null;
if (script?.src) installWidget(window, script.src);
else console.warn('[AbrikWidget] include the loader as <script async src=".../widget/loader.js">');
