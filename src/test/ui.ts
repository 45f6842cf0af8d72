import { fireEvent, screen } from '@testing-library/react';
import userEventLib, { PointerEventsCheckLevel } from '@testing-library/user-event';

/**
 * user-event without pointer-events checks (each walks the computed styles of the element's ancestors) or delays:
 * the editors are large trees and jsdom is slow.
 */
export const userEvent = userEventLib.setup({ pointerEventsCheck: PointerEventsCheckLevel.Never, delay: null });

/** Sets an input's text at once: the editors re-render per change, so typing char by char in jsdom is slow. */
export const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });

type Scope = Pick<typeof screen, 'queryAllByLabelText' | 'queryAllByText'>;

/*
 * getByRole computes the role and accessible name of every element of its container, and getByLabelText the labels
 * of every element: over a whole editor that is seconds per query in jsdom (the cause of the editors' tests crossing
 * jest's time limit). These find radios and buttons by the text of their label or their own text first, a query
 * that only reads the labels or buttons.
 */

const one = <T extends Element>(found: Array<T | null | undefined>, what: string): T => {
  const set = new Set(found.filter((el): el is T => !!el));
  if (set.size !== 1) {
    throw new Error(`found ${set.size} ${what}`);
  }
  return [...set][0];
};

const radios = (name: string, scope: Scope) =>
  scope
    .queryAllByText(name, { selector: 'label, label *' })
    .map((el) => el.closest('label')?.control)
    .filter((c): c is HTMLInputElement => c instanceof HTMLInputElement && c.type === 'radio');

/** The radio button labelled `name` (a RadioButtonGroup option), like getByRole('radio', { name }). */
export const radio = (name: string, scope: Scope = screen) => one(radios(name, scope), `radios labelled ${name}`);

/** Whether a radio button labelled `name` is there. */
export const hasRadio = (name: string, scope: Scope = screen) => radios(name, scope).length > 0;

/** The button named `name`: by its text or its aria-label (icon buttons), like getByRole('button', { name }). */
export function button(name: string | RegExp, scope: Scope = screen): HTMLButtonElement {
  const byText = scope.queryAllByText(name, { selector: 'button, button *' }).map((el) => el.closest('button'));
  if (byText.length > 0) {
    return one(byText, `buttons named ${name}`);
  }
  return one(scope.queryAllByLabelText(name, { selector: 'button' }) as HTMLButtonElement[], `buttons named ${name}`);
}
