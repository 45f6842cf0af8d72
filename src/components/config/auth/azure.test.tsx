import { fireEvent, screen } from '@testing-library/react';

import { renderAuth } from './testing';

describe('Azure auth', () => {
  it('asks for tenant and client secret with client credentials only', () => {
    const latest = renderAuth({ jsonData: { auth: { type: 'azure' } } });
    expect(screen.getByLabelText('Tenant ID')).toBeInTheDocument();
    expect(screen.getByLabelText('Client secret', { selector: 'input[type="password"]' })).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Client ID'), { target: { value: 'app' } });

    fireEvent.click(screen.getByLabelText('Managed identity'));
    expect(latest.current.jsonData.auth!.azure).toEqual({ clientId: 'app', mode: 'managedIdentity' });
    expect(screen.queryByLabelText('Tenant ID')).toBeNull();
    expect(screen.queryByLabelText('Client secret', { selector: 'input[type="password"]' })).toBeNull();
    expect(screen.getByText('E.g. api://<app-id>/.default')).toBeInTheDocument();
  });
});
