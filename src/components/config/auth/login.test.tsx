import { fireEvent, render, screen } from '@testing-library/react';
import React, { useState } from 'react';

import { RelaySettings } from '../../types/settings';
import { AuthSection } from './AuthSection';
import { makeConfigApi } from './configApi';
import { loginSecretKeys } from './LoginFields';

function renderAuth(initial: Partial<RelaySettings>) {
  const latest = { current: { jsonData: {}, secureJsonFields: {}, ...initial } as RelaySettings };
  function Host() {
    const [o, setO] = useState(latest.current);
    const cfg = makeConfigApi(o, (n) => {
      latest.current = n;
      setO(n);
    });
    return <AuthSection cfg={cfg} />;
  }
  render(<Host />);
  return latest;
}

describe('login auth', () => {
  it('names the secrets a body refers to', () => {
    expect(
      loginSecretKeys({
        body: { u: 'x', p: '{{secure.password}}', n: { otp: '{{ secure.otp }}' } },
        headers: { K: '{{secure.password}}' },
      })
    ).toEqual(['otp', 'password']);
  });

  it('picks login, starts from a user/password body and stores the password as login.password', () => {
    const latest = renderAuth({});
    fireEvent.click(screen.getByLabelText('Login'));
    const auth = latest.current.jsonData.auth!;
    expect(auth.type).toBe('login');
    expect(auth.login).toEqual({
      path: '/login',
      body: { username: '', password: '{{secure.password}}' },
      tokenPath: 'token',
    });

    fireEvent.change(screen.getByLabelText('login field 1 value'), { target: { value: 'relay' } });
    expect(latest.current.jsonData.auth!.login!.body).toEqual({ username: 'relay', password: '{{secure.password}}' });
    fireEvent.change(screen.getByLabelText('Secret password'), { target: { value: 's3cret' } });
    expect(latest.current.secureJsonData!['login.password']).toBe('s3cret');
    expect(JSON.stringify(latest.current.jsonData)).not.toContain('s3cret');
  });

  it('moves the token location and sends the token as a cookie', () => {
    const latest = renderAuth({
      jsonData: { auth: { type: 'login', login: { path: '/login', tokenPath: 'auth.token' } } },
    });
    fireEvent.click(screen.getByLabelText('Response header'));
    expect(latest.current.jsonData.auth!.login).toEqual({ path: '/login', tokenHeader: 'auth.token' });
    fireEvent.change(screen.getByLabelText('Answer header'), { target: { value: 'X-Subject-Token' } });
    fireEvent.change(screen.getByLabelText('Lifetime'), { target: { value: '15m' } });
    expect(latest.current.jsonData.auth!.login).toMatchObject({ tokenHeader: 'X-Subject-Token', expiresIn: '15m' });

    fireEvent.click(screen.getByLabelText('Cookie'));
    expect(latest.current.jsonData.auth).toMatchObject({ tokenCookie: 'session' });
    expect(latest.current.jsonData.auth!.tokenHeader).toBeUndefined();
  });
});

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
