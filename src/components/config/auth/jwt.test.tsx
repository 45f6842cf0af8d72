import { fireEvent, screen } from '@testing-library/react';

import { renderAuth } from './testing';

describe('JWT bearer auth', () => {
  it('takes a key file or a PEM key, and how the token is sent', () => {
    const latest = renderAuth({ jsonData: { auth: { type: 'jwt' } } });
    expect(screen.getByLabelText('Token URL')).toHaveAttribute('placeholder', 'from the key file');
    fireEvent.change(screen.getByLabelText('Google service-account key file'), { target: { value: '{"k":1}' } });
    expect(latest.current.secureJsonData!.googleServiceAccountJSON).toBe('{"k":1}');
    fireEvent.change(screen.getByLabelText('Token header'), { target: { value: 'X-Auth' } });
    fireEvent.change(screen.getByLabelText('Token format'), { target: { value: '{{token}}' } });
    expect(latest.current.jsonData.auth!.jwt).toEqual({ tokenHeader: 'X-Auth', tokenFormat: '{{token}}' });
    fireEvent.change(screen.getByLabelText('Token header'), { target: { value: '' } });
    expect(latest.current.jsonData.auth!.jwt).toEqual({ tokenFormat: '{{token}}' });
  });
});
