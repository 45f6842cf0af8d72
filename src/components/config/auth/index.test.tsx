import { fireEvent, screen } from '@testing-library/react';

import { AUTH_KINDS } from '../../../api/settings.gen';
import { AUTH_EDITORS } from './index';
import { renderAuth } from './testing';

describe('AUTH_EDITORS', () => {
  it('has an editor for every auth kind the backend generates, and none besides', () => {
    for (const kind of AUTH_KINDS) {
      const e = AUTH_EDITORS[kind];
      expect(e).toBeDefined();
      expect(e.label).not.toBe('');
      expect(e.description).not.toBe('');
    }
    expect(Object.keys(AUTH_EDITORS).sort()).toEqual([...AUTH_KINDS].sort());
  });

  it('offers the kinds in the backend order with their labels', () => {
    renderAuth({});
    const radios = screen.getAllByRole('radio');
    AUTH_KINDS.forEach((kind, i) => {
      expect(screen.getByRole('radio', { name: AUTH_EDITORS[kind].label })).toBe(radios[i]);
    });
  });

  it('resets only the secrets the new kind does not use', () => {
    const latest = renderAuth({
      jsonData: { auth: { type: 'basic', basicUser: 'u' } },
      secureJsonFields: { basicAuthPassword: true, bearerToken: true },
    });
    fireEvent.click(screen.getByLabelText('Digest'));
    expect(latest.current.jsonData.auth!.type).toBe('digest');
    expect(latest.current.secureJsonFields.basicAuthPassword).toBe(true); // digest uses it too
    expect(screen.getByLabelText('User')).toHaveValue('u');
    fireEvent.click(screen.getByLabelText('Bearer token'));
    expect(latest.current.secureJsonFields.basicAuthPassword).toBe(false);
    expect(latest.current.secureJsonFields.bearerToken).toBe(true); // not the old kind's: left alone
  });

  it('turns Grafana oauthPassThru on for forwardOAuth only, and reads it as that kind', () => {
    const latest = renderAuth({ jsonData: { oauthPassThru: true } });
    expect(screen.getByText("Forwarding the user's OAuth token")).toBeInTheDocument();
    fireEvent.click(screen.getByLabelText('API key'));
    expect(latest.current.jsonData.oauthPassThru).toBeUndefined();
    fireEvent.click(screen.getByLabelText('Forward OAuth'));
    expect(latest.current.jsonData.oauthPassThru).toBe(true);
  });
});
