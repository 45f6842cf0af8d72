import { fireEvent, render, screen } from '@testing-library/react';
import React from 'react';

import { RelayQuery } from '../../types/query';
import { RequestOptions } from './RequestOptions';

const base: RelayQuery = { refId: 'A', path: '/status' };

describe('Request options: answers as data', () => {
  it('sets acceptStatus and responseFields from comma lists, and clears them', () => {
    const onChange = jest.fn();
    render(<RequestOptions query={base} onChange={onChange} />);
    const accept = screen.getByLabelText('Accept status');
    fireEvent.change(accept, { target: { value: '2xx, 404 ,5xx,' } });
    fireEvent.blur(accept);
    expect(onChange).toHaveBeenLastCalledWith({ ...base, acceptStatus: ['2xx', '404', '5xx'] });

    const fields = screen.getByLabelText('Response columns');
    fireEvent.change(fields, { target: { value: 'status, durationMs, header:X-Request-Id' } });
    fireEvent.blur(fields);
    expect(onChange).toHaveBeenLastCalledWith({
      ...base,
      responseFields: ['status', 'durationMs', 'header:X-Request-Id'],
    });
  });

  it('shows saved values and removes an emptied list from the query', () => {
    const onChange = jest.fn();
    const saved = { ...base, acceptStatus: ['404'], responseFields: ['url'] };
    render(<RequestOptions query={saved} onChange={onChange} />);
    expect(screen.getByLabelText('Accept status')).toHaveValue('404');
    expect(screen.getByLabelText('Response columns')).toHaveValue('url');
    const accept = screen.getByLabelText('Accept status');
    fireEvent.change(accept, { target: { value: ' ' } });
    fireEvent.blur(accept);
    expect(onChange.mock.calls[0][0]).not.toHaveProperty('acceptStatus');
    expect(onChange.mock.calls[0][0]).toMatchObject({ responseFields: ['url'] });
  });
});
