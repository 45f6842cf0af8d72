import { fireEvent, screen } from '@testing-library/react';

import { renderAuth } from './testing';

describe('API key auth', () => {
  it('names a header by default and a query parameter when sent in the query', () => {
    const latest = renderAuth({ jsonData: { auth: { type: 'apiKey' } } });
    expect(screen.getByLabelText('Header name')).toHaveAttribute('placeholder', 'X-API-Key');
    fireEvent.click(screen.getByLabelText('Query parameter'));
    expect(latest.current.jsonData.auth!.apiKeyIn).toBe('query');
    fireEvent.change(screen.getByLabelText('Parameter name'), { target: { value: 'api_key' } });
    expect(latest.current.jsonData.auth!.apiKeyName).toBe('api_key');
    fireEvent.change(screen.getByLabelText('Parameter name'), { target: { value: '' } });
    expect(latest.current.jsonData.auth!.apiKeyName).toBeUndefined(); // the backend default then applies
    fireEvent.change(screen.getByLabelText('Key'), { target: { value: 'k-123' } });
    expect(latest.current.secureJsonData!.apiKeyValue).toBe('k-123');
  });
});
