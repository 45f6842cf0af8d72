import { Step, StepType } from '../../../types/query';
import { appendStep } from './AppendStep';
import { computeStep } from './ComputeStep';
import { expandStep } from './ExpandStep';
import { filterStep } from './FilterStep';
import { groupByStep } from './GroupByStep';
import { joinStep } from './JoinStep';
import { jqStep } from './JqStep';
import { limitStep } from './LimitStep';
import { renameStep } from './RenameStep';
import { selectStep } from './SelectStep';
import { sortStep } from './SortStep';
import { StepDef } from './types';

/** The editor of every step type the backend registers (STEP_TYPES, generated from pkg/transform). */
export const STEP_DEFS: { [K in StepType]: StepDef<K> } = {
  filter: filterStep,
  compute: computeStep,
  rename: renameStep,
  select: selectStep,
  sort: sortStep,
  limit: limitStep,
  groupBy: groupByStep,
  expand: expandStep,
  jq: jqStep,
  join: joinStep,
  append: appendStep,
};

/** A new step of the given type with its editor's defaults. */
export function newStep(type: StepType): Step {
  return STEP_DEFS[type].create();
}
