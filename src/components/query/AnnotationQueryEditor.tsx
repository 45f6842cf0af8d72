import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Alert } from '@grafana/ui';

import type { DataSource } from '../../datasource';
import { AnnotationMapping, RelayQuery } from '../../types/query';
import { RelayJsonData } from '../../types/settings';
import { MappingFields } from './MappingFields';
import { QueryEditor } from './QueryEditor';

type Props = QueryEditorProps<DataSource, RelayQuery, RelayJsonData>;

const TARGETS: Array<{ key: keyof AnnotationMapping; label: string; tooltip: string }> = [
  { key: 'time', label: 'Time', tooltip: 'Field with the annotation time (required)' },
  { key: 'timeEnd', label: 'End time', tooltip: 'Field with the end of a region annotation' },
  { key: 'title', label: 'Title', tooltip: 'Field with the title' },
  { key: 'text', label: 'Text', tooltip: 'Field with the text' },
  { key: 'tags', label: 'Tags', tooltip: 'Field with the tags (a list, or comma-separated text)' },
];

/** An annotation query: the usual query editor plus which result fields are time, end time, title, text and tags. */
export function AnnotationQueryEditor(props: Props) {
  const query = props.query;
  return (
    <>
      <Alert severity="info" title="Annotation fields">
        Map result fields to the annotation&apos;s time, end time, title, text and tags; fields already named so need no
        mapping.
      </Alert>
      <MappingFields
        testId="relay-annotation-mapping"
        targets={TARGETS}
        value={query.annotation}
        onChange={(annotation) => props.onChange({ ...query, annotation })}
      />
      <QueryEditor {...props} onRunQuery={props.onRunQuery ?? (() => {})} />
    </>
  );
}
