import React, { Key, ReactNode } from 'react';
import { Button, IconButton, Stack, useStyles2 } from '@grafana/ui';

import { getTableStyles } from './styles';

/** What a cell renderer gets: the row, its position, and this column's validation message. */
export interface CellProps<Row> {
  row: Row;
  index: number;
  /** 1-based, for labels such as "Rule 3 path". */
  n: number;
  /** The message of the column's validate, so the editor can mark itself invalid. */
  error?: string;
}

export interface Column<Row> {
  header: string;
  /** Tooltip of the header cell. */
  headerTitle?: string;
  className?: string;
  render: (cell: CellProps<Row>) => ReactNode;
  /** A message for this cell's value, or undefined when it is fine; shown under the row. */
  validate?: (row: Row, index: number) => string | undefined;
}

export interface EditableTableProps<Row> {
  /** The table's accessible name. */
  label: string;
  rows: Row[];
  columns: Array<Column<Row>>;
  rowKey?: (row: Row, index: number) => Key;
  rowTestId?: (row: Row, index: number) => string;
  /** Messages about the whole row (e.g. the backend's, for fields without a column), after the columns' own. */
  rowErrors?: (row: Row, index: number) => Array<string | undefined>;
  /** Shown instead of the table while there are no rows. */
  empty?: ReactNode;
  onAdd?: () => void;
  addLabel?: string;
  addDisabled?: boolean;
  onRemove?: (index: number) => void;
  /** Accessible name of a row's remove button, e.g. n => `Remove rule ${n}`. */
  removeLabel?: (n: number) => string;
  /** More buttons beside "add". */
  actions?: ReactNode;
}

/**
 * Rows of editors under a header, with add and remove, and each row's
 * validation messages on a line of their own just below it. The caller owns
 * the rows: every change goes through its callbacks.
 */
export function EditableTable<Row>(props: EditableTableProps<Row>) {
  const { label, rows, columns, onRemove, onAdd, actions } = props;
  const styles = useStyles2(getTableStyles);
  const width = columns.length + (onRemove ? 1 : 0);
  return (
    <>
      {rows.length > 0 ? (
        <table className={styles.table} aria-label={label}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.header} title={c.headerTitle}>
                  {c.header}
                </th>
              ))}
              {onRemove && <th />}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <TableRow key={props.rowKey?.(row, index) ?? index} {...props} row={row} index={index} width={width} />
            ))}
          </tbody>
        </table>
      ) : (
        props.empty
      )}
      {(onAdd || actions) && (
        <Stack direction="row" gap={1}>
          {onAdd && (
            <Button size="sm" variant="secondary" icon="plus" disabled={props.addDisabled} onClick={onAdd}>
              {props.addLabel ?? 'Add'}
            </Button>
          )}
          {actions}
        </Stack>
      )}
    </>
  );
}

function TableRow<Row>({
  row,
  index,
  width,
  columns,
  rowTestId,
  rowErrors,
  onRemove,
  removeLabel = (n) => `Remove row ${n}`,
}: EditableTableProps<Row> & { row: Row; index: number; width: number }) {
  const styles = useStyles2(getTableStyles);
  const n = index + 1;
  const cellErrors = columns.map((c) => c.validate?.(row, index));
  const errors = [...cellErrors, ...(rowErrors?.(row, index) ?? [])].filter((e): e is string => !!e);
  return (
    <>
      <tr data-testid={rowTestId?.(row, index)}>
        {columns.map((c, i) => (
          <td key={c.header} className={c.className}>
            {c.render({ row, index, n, error: cellErrors[i] })}
          </td>
        ))}
        {onRemove && (
          <td>
            <IconButton name="trash-alt" tooltip={removeLabel(n)} onClick={() => onRemove(index)} />
          </td>
        )}
      </tr>
      {errors.length > 0 && (
        <tr>
          <td colSpan={width} className={styles.error}>
            {errors.join(' · ')}
          </td>
        </tr>
      )}
    </>
  );
}
