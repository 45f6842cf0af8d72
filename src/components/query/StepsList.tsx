import React from 'react';
import { Button, Stack, Text } from '@grafana/ui';

import { STEP_TYPES } from '../../api/contract';
import { Pipeline, Step } from '../../types/query';
import { StepEditor } from './StepEditor';
import { newStep, STEP_DEFS } from './steps';

interface Props {
  steps: Step[];
  set: (patch: Partial<Pipeline>) => void;
  /** Names available to steps. */
  stepFields: string[];
}

/** The pipeline's steps in order, each with its editor, and the buttons that add one. */
export function StepsList({ steps, set, stepFields }: Props) {
  const setStep = (i: number, s: Step) => set({ steps: steps.map((x, j) => (j === i ? s : x)) });
  const moveStep = (i: number, d: -1 | 1) => {
    const next = [...steps];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    set({ steps: next });
  };

  return (
    <>
      <Text variant="bodySmall" color="secondary">
        Steps {steps.length === 0 && '— none'}
      </Text>
      {steps.map((s, i) => (
        <StepEditor
          key={i}
          index={i}
          step={s}
          fields={stepFields}
          onChange={(x) => setStep(i, x)}
          onRemove={() => set({ steps: steps.filter((_, j) => j !== i) })}
          onMoveUp={i > 0 ? () => moveStep(i, -1) : undefined}
          onMoveDown={i < steps.length - 1 ? () => moveStep(i, 1) : undefined}
        />
      ))}
      <Stack direction="row" gap={0.5} alignItems="center">
        <Text variant="bodySmall" color="secondary">
          Add step:
        </Text>
        {STEP_TYPES.map((t) => (
          <Button
            key={t}
            size="sm"
            variant="secondary"
            icon="plus"
            onClick={() => set({ steps: [...steps, newStep(t)] })}
          >
            {STEP_DEFS[t].label}
          </Button>
        ))}
      </Stack>
    </>
  );
}
