import React, { useState } from 'react';
import { Button, Stack } from '@grafana/ui';

import { ActionSettings } from '../../types/settings';
import { Section } from '../common/Section';
import { ActionEditor } from './ActionEditor';
import { ConfigApi } from './configApi';

/**
 * Named actions: fixed upstream requests with typed parameters, which users
 * run by name (POST /actions/{name}) without being allowed the raw path.
 */
export function ActionsSection({ cfg }: { cfg: ConfigApi }) {
  const actions = cfg.jsonData.actions ?? [];
  const setAction = (i: number, fn: (a: ActionSettings) => void) => cfg.update((jd) => fn((jd.actions ?? [])[i]));
  // A new action opens for editing; saved ones stay folded except the first.
  const [added, setAdded] = useState(-1);
  const add = () => {
    setAdded(actions.length);
    cfg.update(
      (jd) =>
        (jd.actions = [
          ...(jd.actions ?? []),
          { name: `action-${(jd.actions?.length ?? 0) + 1}`, method: 'POST', path: '/', minRole: 'Editor' },
        ])
    );
  };
  const remove = (i: number) =>
    cfg.update((jd) => {
      jd.actions = (jd.actions ?? []).filter((_, j) => j !== i);
      if (!jd.actions.length) {
        delete jd.actions;
      }
    });

  return (
    <Section
      title="Actions"
      description={
        <>
          Named upstream calls users can run from dashboards and scripts without being allowed the raw path. Write{' '}
          <code>{'{{param}}'}</code> in the path, query or body; the backend validates each parameter against its type
          before substituting it. Actions default to Editor.
        </>
      }
    >
      <Stack direction="column" gap={1}>
        {actions.map((a, i) => (
          <ActionEditor
            key={i}
            index={i}
            open={i === 0 || i === added}
            action={a}
            upstreams={(cfg.jsonData.upstreams ?? []).map((u) => u.name)}
            onChange={(fn) => setAction(i, fn)}
            onRemove={() => remove(i)}
          />
        ))}
        <div>
          <Button size="sm" variant="secondary" icon="plus" onClick={add}>
            Add action
          </Button>
        </div>
      </Stack>
    </Section>
  );
}
