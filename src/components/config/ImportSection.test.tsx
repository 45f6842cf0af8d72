import { fireEvent, render, screen, within } from '@testing-library/react';
import React from 'react';

import { ImportSection } from './ImportSection';

describe('ImportSection', () => {
  it('imports an Infinity data source pasted as JSON and lists the secrets to enter again', () => {
    const onImport = jest.fn();
    render(<ImportSection onImport={onImport} />);
    fireEvent.click(screen.getByText('Import from Infinity or JSON API'));
    fireEvent.change(screen.getByLabelText('Data source JSON to import'), {
      target: {
        value: JSON.stringify({
          type: 'yesoreyeram-infinity-datasource',
          url: 'https://api.example.com',
          jsonData: { auth_method: 'apiKey', apiKeyKey: 'X-Key', allowedHosts: ['https://other.example.org'] },
          secureJsonData: { apiKeyValue: 'do-not-copy-me' },
        }),
      },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Import settings' }));
    expect(onImport).toHaveBeenCalledTimes(1);
    const [url, jsonData] = onImport.mock.calls[0];
    expect(url).toBe('https://api.example.com');
    expect(jsonData.auth).toEqual({ type: 'apiKey', apiKeyName: 'X-Key', apiKeyIn: 'header' });
    expect(jsonData.upstreams[0].name).toBe('other-example-org');
    expect(JSON.stringify(onImport.mock.calls)).not.toContain('do-not-copy-me');
    const secrets = screen.getByRole('list', { name: 'Secrets to enter again' });
    expect(within(secrets).getByText('apiKeyValue')).toBeInTheDocument();
    expect(within(secrets).getByText('upstreams.other-example-org.apiKeyValue (was apiKeyValue)')).toBeInTheDocument();
  });

  it('says why it refuses other JSON and changes nothing', () => {
    const onImport = jest.fn();
    render(<ImportSection onImport={onImport} />);
    fireEvent.click(screen.getByText('Import from Infinity or JSON API'));
    fireEvent.change(screen.getByLabelText('Data source JSON to import'), {
      target: { value: '{"type":"prometheus"}' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Import settings' }));
    expect(onImport).not.toHaveBeenCalled();
    expect(screen.getByText(/type is "prometheus"/)).toBeInTheDocument();
  });
});
