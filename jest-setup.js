// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

import { webcrypto } from 'crypto';

// jsdom has no SubtleCrypto; the API key generator needs crypto.subtle.digest and getRandomValues.
if (!globalThis.crypto || !globalThis.crypto.subtle) {
  Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true });
}

// @grafana/ui components measure themselves.
if (!globalThis.ResizeObserver) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// Combobox measures option text on a canvas; the scaffold's stub returns no context.
HTMLCanvasElement.prototype.getContext = () => ({ measureText: (text) => ({ width: String(text).length * 7 }) });

// Monaco cannot run in jsdom: @grafana/ui's CodeEditor is a textarea in jest (src/test/CodeEditorMock.tsx).
jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: jest.requireActual('./src/test/CodeEditorMock').CodeEditorMock,
}));
