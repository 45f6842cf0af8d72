import { css } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { SuggestInput } from '../../common/SuggestInput';

/** A field-name input with the row's fields as suggestions. */
export function FieldInput(props: {
  n: number;
  label: string;
  value: string;
  fields: string[];
  onChange: (v: string) => void;
}) {
  return (
    <SuggestInput
      aria-label={`Step ${props.n} ${props.label}`}
      width={22}
      placeholder="field"
      value={props.value}
      suggestions={props.fields.map((f) => ({ value: f }))}
      onChange={props.onChange}
    />
  );
}

/** Monospace class for expression inputs. */
export function useMono(): string {
  return useStyles2(getStyles).mono;
}

const getStyles = (theme: GrafanaTheme2) => ({
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
