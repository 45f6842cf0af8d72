import { fireEvent } from '@testing-library/react';
import userEventLib, { PointerEventsCheckLevel } from '@testing-library/user-event';

/**
 * user-event without pointer-events checks (each walks the computed styles of the element's ancestors) or delays:
 * the editors are large trees and jsdom is slow.
 */
export const userEvent = userEventLib.setup({ pointerEventsCheck: PointerEventsCheckLevel.Never, delay: null });

/** Sets an input's text at once: the editors re-render per change, so typing char by char in jsdom is slow. */
export const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });
