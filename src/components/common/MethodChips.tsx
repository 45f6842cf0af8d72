import { css, cx } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

interface Props {
  methods: readonly string[];
  value: string[];
  onChange: (v: string[]) => void;
  label: string;
}

/** A compact multi-select of HTTP methods: one toggle per method. */
export function MethodChips({ methods, value, onChange, label }: Props) {
  const styles = useStyles2(getStyles);
  const toggle = (m: string) =>
    onChange(value.includes(m) ? value.filter((x) => x !== m) : methods.filter((x) => x === m || value.includes(x)));
  return (
    <div role="group" aria-label={label} className={styles.group}>
      {methods.map((m) => {
        const on = value.includes(m);
        return (
          <button
            key={m}
            type="button"
            aria-pressed={on}
            className={cx(styles.chip, on && styles.on)}
            onClick={() => toggle(m)}
          >
            {m}
          </button>
        );
      })}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  group: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.25) }),
  chip: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    padding: theme.spacing(0.25, 0.75),
    borderRadius: theme.shape.radius.default,
    border: `1px solid ${theme.colors.border.medium}`,
    background: theme.colors.background.primary,
    color: theme.colors.text.secondary,
    cursor: 'pointer',
    '&:hover': { borderColor: theme.colors.border.strong },
  }),
  on: css({
    background: theme.colors.primary.transparent,
    borderColor: theme.colors.primary.border,
    color: theme.colors.primary.text,
  }),
});
