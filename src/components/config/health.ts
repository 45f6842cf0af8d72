import { createContext, useContext } from 'react';

/**
 * The backend validates settings and names every faulty field in its
 * CheckHealth message, e.g. "invalid settings: jsonData.timeouts.dial: must
 * not be negative; secureJsonData.bearerToken: required for bearer auth".
 * parseFieldErrors splits that into field → message, so each section can show
 * the backend's own words next to the input concerned.
 */
export type FieldErrors = Record<string, string>;

const FIELD = /^((?:jsonData|secureJsonData)(?:\.[A-Za-z0-9_$.\-]+|\[\d+\])*|url):\s*(.+)$/;

export function parseFieldErrors(message: string | undefined): FieldErrors {
  const out: FieldErrors = {};
  if (!message) {
    return out;
  }
  const body = message.replace(/^.*?(?:invalid settings|settings are invalid):\s*/is, '');
  for (const part of body.split(/;\s+/)) {
    const m = FIELD.exec(part.trim());
    if (m) {
      out[m[1]] = m[2];
    }
  }
  return out;
}

export const FieldErrorsContext = createContext<FieldErrors>({});

/** Every backend message, for tables that look up many fields per row. */
export function useFieldErrors(): FieldErrors {
  return useContext(FieldErrorsContext);
}

/** The backend's message for one field path, e.g. "jsonData.proxy.rules[0].path". */
export function useFieldError(path: string): string | undefined {
  return useFieldErrors()[path];
}

/** Every backend message under a prefix, e.g. "jsonData.actions[2]". */
export function useFieldErrorsUnder(prefix: string): Array<[string, string]> {
  return fieldErrorsUnder(useFieldErrors(), prefix);
}

export function fieldErrorsUnder(errs: FieldErrors, prefix: string): Array<[string, string]> {
  return Object.entries(errs).filter(([k]) => k === prefix || k.startsWith(prefix + '.') || k.startsWith(prefix + '['));
}
