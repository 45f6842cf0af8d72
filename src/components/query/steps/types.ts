import React from 'react';

import { Step, StepType } from '../../../types/query';

export type StepOf<K extends StepType> = Extract<Step, { type: K }>;

/** What a step's editor body receives; n is the step's 1-based position (in aria labels). */
export interface StepBodyProps<S extends Step> {
  step: S;
  n: number;
  fields: string[];
  onChange: (s: S) => void;
}

/**
 * One step type in the editor: its label, a new step's fields, and the editor body. Adding a step type is one Go file
 * (plus its test) and one of these files, listed in ./index.ts (the compiler refuses a registered type without one).
 */
export interface StepDef<K extends StepType> {
  label: string;
  create: () => StepOf<K>;
  Body: React.ComponentType<StepBodyProps<StepOf<K>>>;
}
