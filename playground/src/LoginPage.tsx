import React, { FormEvent, useState } from 'react';
import { Alert, Button, Field, Input, Stack, Text } from '@grafana/ui';

/** Grafana's login: POST /login sets the session cookie; the page then reloads with the user's boot data. */
export function LoginPage() {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const r = await fetch('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user, password }),
    });
    if (r.ok) {
      window.location.assign('/');
      return;
    }
    const body = await r.json().catch(() => ({}));
    setError(body.message ?? `HTTP ${r.status}`);
  };

  return (
    <form onSubmit={submit} aria-label="Sign in" style={{ maxWidth: 360, margin: '10vh auto' }}>
      <Stack direction="column" gap={2}>
        <Text element="h1" variant="h3">
          Relay playground
        </Text>
        <Text color="secondary">
          Sign in as one of the dev host&apos;s users (its -users file; with make dev: dev/users.yaml).
        </Text>
        <Field label="User" noMargin>
          <Input
            id="login-user"
            autoComplete="username"
            value={user}
            onChange={(e) => setUser(e.currentTarget.value)}
          />
        </Field>
        <Field label="Password" noMargin>
          <Input
            id="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        {error && <Alert severity="error" title={error} />}
        <Button type="submit">Sign in</Button>
      </Stack>
    </form>
  );
}
