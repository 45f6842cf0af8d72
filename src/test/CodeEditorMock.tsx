import type { CodeEditor } from '@grafana/ui';
import React from 'react';

type CodeEditorProps = Omit<React.ComponentProps<typeof CodeEditor>, 'theme'>;

/**
 * @grafana/ui's CodeEditor in jest: Monaco cannot run in jsdom, so a textarea stands in (as in Grafana's own plugin
 * tests), labelled by monacoOptions.ariaLabel as Monaco labels its own. It calls onChange and onBlur with the text and
 * never onEditorDidMount: completion and markers are Monaco's, checked by the browser test (e2e/).
 */
export function CodeEditorMock({ value, onChange, onBlur, readOnly, monacoOptions }: CodeEditorProps) {
  return (
    <textarea
      aria-label={monacoOptions?.ariaLabel}
      data-testid="code-editor-mock"
      value={value}
      readOnly={readOnly}
      onChange={(e) => onChange?.(e.currentTarget.value)}
      onBlur={(e) => onBlur?.(e.currentTarget.value)}
    />
  );
}
