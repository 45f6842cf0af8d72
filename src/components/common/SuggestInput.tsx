import { css } from '@emotion/css';
import React, { useId, useMemo, useState } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Input, useStyles2 } from '@grafana/ui';

export interface Suggestion {
  value: string;
  /** Shown to the right, e.g. a field type or the methods a proxy rule allows. */
  detail?: string;
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  onCommit?: (value: string) => void;
  suggestions: Suggestion[];
  placeholder?: string;
  width?: number;
  'aria-label': string;
  /** Rendered under the list, e.g. a loading or error note for the suggestions. */
  footer?: React.ReactNode;
  invalid?: boolean;
}

const MAX_SHOWN = 12;

/**
 * A free-text input with a suggestion list (keyboard and mouse). Unlike a
 * select, any value may be typed: paths and selectors are open-ended.
 */
export function SuggestInput({
  value,
  onChange,
  onCommit,
  suggestions,
  placeholder,
  width,
  footer,
  invalid,
  ...rest
}: Props) {
  const styles = useStyles2(getStyles);
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  const shown = useMemo(() => {
    const q = value.toLowerCase();
    const matches = suggestions.filter((s) => s.value.toLowerCase().includes(q) && s.value !== value);
    return matches.slice(0, MAX_SHOWN);
  }, [suggestions, value]);

  const choose = (v: string) => {
    onChange(v);
    onCommit?.(v);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, shown.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, -1));
    } else if (e.key === 'Enter') {
      if (open && active >= 0 && shown[active]) {
        e.preventDefault();
        choose(shown[active].value);
      } else {
        onCommit?.(value);
        setOpen(false);
      }
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && (shown.length > 0 || footer);
  return (
    <div className={styles.wrapper} style={width ? { width: `${width * 8}px` } : undefined}>
      <Input
        {...rest}
        role="combobox"
        aria-expanded={!!showList}
        aria-controls={listId}
        aria-autocomplete="list"
        autoComplete="off"
        value={value}
        placeholder={placeholder}
        invalid={invalid}
        onChange={(e) => {
          onChange(e.currentTarget.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => {
          setOpen(false);
          onCommit?.(value);
        }}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <ul id={listId} role="listbox" className={styles.list} aria-label={`${rest['aria-label']} suggestions`}>
          {shown.map((s, i) => (
            <li
              key={s.value}
              role="option"
              aria-selected={i === active}
              className={i === active ? `${styles.item} ${styles.active}` : styles.item}
              // mousedown, not click: it fires before the input's blur closes the list
              onMouseDown={(e) => {
                e.preventDefault();
                choose(s.value);
              }}
            >
              <span className={styles.value}>{s.value}</span>
              {s.detail && <span className={styles.detail}>{s.detail}</span>}
            </li>
          ))}
          {footer && <li className={styles.footer}>{footer}</li>}
        </ul>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  wrapper: css({ position: 'relative', flexGrow: 1 }),
  list: css({
    position: 'absolute',
    zIndex: theme.zIndex.dropdown,
    top: '100%',
    left: 0,
    right: 0,
    margin: 0,
    padding: theme.spacing(0.5, 0),
    listStyle: 'none',
    background: theme.colors.background.elevated,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z3,
    maxHeight: 320,
    overflowY: 'auto',
  }),
  item: css({
    display: 'flex',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    padding: theme.spacing(0.5, 1),
    cursor: 'pointer',
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    '&:hover': { background: theme.colors.action.hover },
  }),
  active: css({ background: theme.colors.action.selected }),
  value: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  detail: css({ color: theme.colors.text.secondary, fontFamily: theme.typography.fontFamily, flexShrink: 0 }),
  footer: css({ padding: theme.spacing(0.5, 1), borderTop: `1px solid ${theme.colors.border.weak}` }),
});
