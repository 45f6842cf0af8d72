import { fireEvent, screen } from '@testing-library/react';
import userEventLib, { PointerEventsCheckLevel } from '@testing-library/user-event';

/**
 * user-event without pointer-events checks (each walks the computed styles of the element's ancestors) or delays:
 * the editors are large trees and jsdom is slow.
 */
export const userEvent = userEventLib.setup({ pointerEventsCheck: PointerEventsCheckLevel.Never, delay: null });

/** Sets an input's text at once: the editors re-render per change, so typing char by char in jsdom is slow. */
export const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });

type Scope = Pick<typeof screen, 'getByLabelText' | 'queryByLabelText' | 'queryAllByText'>;

/*
 * getByRole computes the role and accessible name of every element of its container: over a whole editor that is
 * seconds per query in jsdom (the cause of the editors' tests crossing jest's time limit). These find the same
 * elements by their label or text, in milliseconds.
 */

/** The radio button labelled `name` (a RadioButtonGroup option), like getByRole('radio', { name }). */
export const radio = (name: string, scope: Scope = screen) =>
  scope.getByLabelText(name, { selector: 'input[type="radio"]' });

/** Whether a radio button labelled `name` is there. */
export const hasRadio = (name: string, scope: Scope = screen) =>
  scope.queryByLabelText(name, { selector: 'input[type="radio"]' }) !== null;

/** The button named `name`: by its aria-label (icon buttons) or its text, like getByRole('button', { name }). */
export function button(name: string | RegExp, scope: Scope = screen): HTMLButtonElement {
  const labelled = scope.queryByLabelText(name, { selector: 'button' });
  if (labelled) {
    return labelled as HTMLButtonElement;
  }
  const found = new Set(
    scope.queryAllByText(name, { selector: 'button, button *' }).map((el) => el.closest('button') as HTMLButtonElement)
  );
  if (found.size !== 1) {
    throw new Error(`${found.size} buttons named ${name}`);
  }
  return [...found][0];
}
