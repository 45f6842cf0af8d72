import { fireEvent, screen } from '@testing-library/react';

import { renderAuth } from './testing';

describe('OAuth2 grants', () => {
  it('switches to the password grant with its owner and secret, and sets audience and token headers', () => {
    const latest = renderAuth({
      jsonData: { auth: { type: 'oauth2', oauth2: { tokenUrl: 'https://a.example/token', clientId: 'c' } } },
    });
    expect(screen.queryByLabelText('Resource owner')).toBeNull();
    fireEvent.click(screen.getByLabelText('Password'));
    expect(latest.current.jsonData.auth!.oauth2!.grantType).toBe('password');
    fireEvent.change(screen.getByLabelText('Resource owner'), { target: { value: 'grafana' } });
    fireEvent.change(screen.getByLabelText('Resource owner password'), { target: { value: 'pw' } });
    fireEvent.change(screen.getByLabelText('Audience'), { target: { value: 'https://api' } });
    expect(latest.current.jsonData.auth!.oauth2).toMatchObject({ username: 'grafana', audience: 'https://api' });
    expect(latest.current.secureJsonData!.oauth2Password).toBe('pw');

    fireEvent.click(screen.getByLabelText('Refresh token', { selector: 'input[type="radio"]' }));
    expect(latest.current.jsonData.auth!.oauth2!.grantType).toBe('refresh_token');
    expect(screen.getByLabelText('Refresh token', { selector: 'input:not([type="radio"])' })).toBeInTheDocument();
    fireEvent.click(screen.getByLabelText('Client credentials'));
    expect(latest.current.jsonData.auth!.oauth2).not.toHaveProperty('grantType');
  });
});
