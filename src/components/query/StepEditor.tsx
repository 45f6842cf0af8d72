import { css } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { IconButton, InlineFieldRow, Stack, Text, useStyles2 } from '@grafana/ui';

import { Step } from '../../types/query';
import { STEP_DEFS } from './steps';
import { StepBodyProps } from './steps/types';

interface Props {
  index: number;
  step: Step;
  fields: string[];
  onChange: (s: Step) => void;
  onRemove: () => void;
  onMoveUp?: () => void;
  onMoveDown?: () => void;
}

/** One pipeline step: a header (position, type, move and remove) around the step type's own editor (./steps). */
export function StepEditor({ index, step, fields, onChange, onRemove, onMoveUp, onMoveDown }: Props) {
  const styles = useStyles2(getStyles);
  const n = index + 1;
  const def = STEP_DEFS[step.type];
  // The compiler cannot pair step.type with its def's props; STEP_DEFS is keyed by type, so the pair is right.
  const Body = def.Body as React.ComponentType<StepBodyProps<Step>>;
  return (
    <div className={styles.step} data-testid={`step-${n}`}>
      <div className={styles.header}>
        <Text variant="bodySmall" weight="medium">{`${n}. ${def.label}`}</Text>
        <Stack direction="row" gap={0}>
          {onMoveUp && <IconButton name="arrow-up" size="sm" tooltip="Move up" onClick={onMoveUp} />}
          {onMoveDown && <IconButton name="arrow-down" size="sm" tooltip="Move down" onClick={onMoveDown} />}
          <IconButton name="trash-alt" size="sm" tooltip={`Remove step ${n}`} onClick={onRemove} />
        </Stack>
      </div>
      <InlineFieldRow>
        <Body step={step} n={n} fields={fields} onChange={onChange} />
      </InlineFieldRow>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  step: css({
    borderLeft: `3px solid ${theme.colors.primary.border}`,
    background: theme.colors.background.secondary,
    padding: theme.spacing(0.5, 1, 0.5, 1),
    borderRadius: theme.shape.radius.default,
  }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginBottom: theme.spacing(0.5),
  }),
});
