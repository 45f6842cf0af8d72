import React, { createContext, useContext } from 'react';

import { SuggestInput } from '../../common/SuggestInput';

/**
 * The refIds of the panel's other queries, which join and append steps (and forEach) read. The query editor
 * provides them (Grafana gives it the panel's queries); the steps' editors offer them, and any refId may be typed.
 */
export const OtherQueriesContext = createContext<string[]>([]);

export function useOtherQueries(): string[] {
  return useContext(OtherQueriesContext);
}

/** A refId input with the panel's other queries as suggestions. */
export function QueryRefInput(props: { label: string; value: string; onChange: (v: string) => void; width?: number }) {
  const refs = useOtherQueries();
  return (
    <SuggestInput
      aria-label={props.label}
      width={props.width ?? 10}
      placeholder={refs[0] ?? 'refId'}
      value={props.value}
      suggestions={refs.map((r) => ({ value: r }))}
      invalid={!!props.value && refs.length > 0 && !refs.includes(props.value)}
      onChange={props.onChange}
    />
  );
}
