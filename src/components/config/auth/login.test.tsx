import { fireEvent, screen } from '@testing-library/react';

import { loginSecretKeys } from './login';
import { renderAuth } from './testing';

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
