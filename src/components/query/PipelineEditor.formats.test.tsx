import { fireEvent, render, screen } from '@testing-library/react';
import React, { useState } from 'react';

import { button, radio } from '../../test/ui';
import { Pipeline } from '../../types/query';
import { parseEnum, PipelineEditor } from './PipelineEditor';

// Issue 14: the editor offers the xml, html and auto formats, a jq root and the jq step, and the new column types.

function Harness({ initial, onPipeline }: { initial: Pipeline; onPipeline: (p: Pipeline) => void }) {
  const [p, setP] = useState(initial);
  return (
    <PipelineEditor
      pipeline={p}
      onChange={(next) => {
        setP(next);
        onPipeline(next);
      }}
      documentFields={[]}
      rowFields={[]}
      documentRoots={[{ root: '/rss/channel/item', count: 10 }]}
    />
  );
}

function setup(initial: Pipeline = {}) {
  const seen: Pipeline[] = [];
  render(<Harness initial={initial} onPipeline={(p) => seen.push(p)} />);
  return () => seen[seen.length - 1];
}

describe('PipelineEditor formats', () => {
  it('offers every backend format, with the root help of each', () => {
    const last = setup();
    for (const label of ['JSON', 'NDJSON', 'CSV', 'XML', 'HTML', 'Auto']) {
      expect(radio(label)).toBeInTheDocument();
    }
    fireEvent.click(radio('XML'));
    expect(last().format).toBe('xml');
    expect(screen.getByLabelText('Rows at')).toHaveAttribute('placeholder', 'children of the document element');
    expect(screen.queryByLabelText('Root syntax')).not.toBeInTheDocument(); // jq roots read JSON only
    fireEvent.click(radio('HTML'));
    expect(screen.getByLabelText('Rows at')).toHaveAttribute('placeholder', 'rows of the first table');
  });

  it('switches the root to jq for JSON and drops it for other formats', () => {
    const last = setup({ format: 'json', root: '.items[]' });
    fireEvent.click(radio('jq'));
    expect(last().rootSyntax).toBe('jq');
    expect(screen.getByLabelText('Rows at')).toHaveAttribute('placeholder', '.data.items[]');
    fireEvent.click(radio('CSV'));
    expect(last().rootSyntax).toBeUndefined();
  });

  it('adds a jq step and edits its program', () => {
    const last = setup();
    fireEvent.click(button('jq'));
    expect(last().steps).toEqual([{ type: 'jq', expr: '' }]);
    fireEvent.change(screen.getByLabelText('Step 1 jq program'), { target: { value: 'map({id})' } });
    expect(last().steps).toEqual([{ type: 'jq', expr: 'map({id})' }]);
  });

  it('edits an enum mapping and a time zone', () => {
    const last = setup({
      columns: [
        { name: 'level', type: 'enum' },
        { name: 'at', type: 'time' },
      ],
    });
    const values = screen.getByLabelText('Column 1 enum values');
    fireEvent.change(values, { target: { value: 'ok=0, warn=1, crit=2' } });
    fireEvent.blur(values);
    expect(last().columns?.[0].enum).toEqual({ ok: 0, warn: 1, crit: 2 });
    fireEvent.change(screen.getByLabelText('Column 2 time zone'), { target: { value: 'Europe/Paris' } });
    expect(last().columns?.[1].timezone).toBe('Europe/Paris');
  });

  it('parses enum text, dropping entries without a number', () => {
    expect(parseEnum('a=1, b = 2.5, c=, =3, d=x')).toEqual({ a: 1, b: 2.5 });
    expect(parseEnum('')).toBeUndefined();
  });
});
