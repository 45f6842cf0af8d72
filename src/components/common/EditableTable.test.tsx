import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, { useState } from 'react';

import { Column, EditableTable, EditableTableProps } from './EditableTable';

interface Pet {
  name: string;
  legs: number;
}

const columns: Array<Column<Pet>> = [
  {
    header: 'Name',
    validate: (p) => (p.name ? undefined : 'Name is required'),
    render: ({ row, n, error }) => (
      <input aria-label={`Pet ${n} name`} aria-invalid={!!error} value={row.name} readOnly />
    ),
  },
  {
    header: 'Legs',
    headerTitle: 'How many',
    validate: (p) => (p.legs < 0 ? 'Must not be negative' : undefined),
    render: ({ row }) => String(row.legs),
  },
];

/** Owns the rows as a section does, so add and remove go round the whole loop. */
function Pets(props: Partial<EditableTableProps<Pet>> & { initial: Pet[] }) {
  const [rows, setRows] = useState(props.initial);
  return (
    <EditableTable<Pet>
      label="Pets"
      rows={rows}
      columns={columns}
      rowTestId={(_, i) => `pet-${i + 1}`}
      addLabel="Add pet"
      onAdd={() => setRows([...rows, { name: '', legs: 4 }])}
      onRemove={(i) => setRows(rows.filter((_, j) => j !== i))}
      removeLabel={(n) => `Remove pet ${n}`}
      {...props}
    />
  );
}

describe('EditableTable', () => {
  it('renders the header and one row per item through the column renderers', () => {
    render(
      <Pets
        initial={[
          { name: 'Rex', legs: 4 },
          { name: 'Tweety', legs: 2 },
        ]}
      />
    );
    const table = screen.getByRole('table', { name: 'Pets' });
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((h) => h.textContent)).toEqual(['Name', 'Legs', '']);
    expect(headers[1]).toHaveAttribute('title', 'How many');
    expect(screen.getByLabelText('Pet 2 name')).toHaveValue('Tweety');
    expect(within(screen.getByTestId('pet-2')).getByText('2')).toBeInTheDocument();
  });

  it('adds and removes rows through the callbacks, naming each remove button by row', async () => {
    render(
      <Pets
        initial={[
          { name: 'Rex', legs: 4 },
          { name: 'Tweety', legs: 2 },
        ]}
      />
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove pet 1' }));
    expect(screen.getByLabelText('Pet 1 name')).toHaveValue('Tweety');
    expect(screen.queryByTestId('pet-2')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /Add pet/ }));
    expect(screen.getByTestId('pet-2')).toBeInTheDocument();
  });

  it("shows each row's messages on the line just below it and hands the cell its own message", () => {
    render(
      <Pets
        initial={[
          { name: 'Rex', legs: 4 },
          { name: '', legs: -1 },
        ]}
        rowErrors={(p) => [p.name ? undefined : 'backend: rejected']}
      />
    );
    expect(screen.getByTestId('pet-1').nextElementSibling).toBe(screen.getByTestId('pet-2'));
    const line = screen.getByTestId('pet-2').nextElementSibling as HTMLElement;
    expect(line).toHaveTextContent('Name is required · Must not be negative · backend: rejected');
    expect(line.querySelector('td')).toHaveAttribute('colSpan', '3');
    expect(screen.getByLabelText('Pet 2 name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Pet 1 name')).toHaveAttribute('aria-invalid', 'false');
  });

  it('shows the empty state instead of the table, and returns to the table on add', () => {
    render(<Pets initial={[]} empty={<p>No pets yet</p>} />);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.getByText('No pets yet')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /Add pet/ }));
    expect(screen.getByRole('table', { name: 'Pets' })).toBeInTheDocument();
    expect(screen.queryByText('No pets yet')).not.toBeInTheDocument();
  });

  it('disables add on request and leaves out add and remove for a fixed list', () => {
    const { rerender } = render(<Pets initial={[{ name: 'Rex', legs: 4 }]} addDisabled />);
    expect(screen.getByRole('button', { name: /Add pet/ })).toBeDisabled();
    rerender(
      <EditableTable<Pet> label="Pets" rows={[{ name: 'Rex', legs: 4 }]} columns={columns} actions={<b>extra</b>} />
    );
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(screen.getAllByRole('columnheader')).toHaveLength(2);
    expect(screen.getByText('extra')).toBeInTheDocument();
  });
});
