import { fireEvent, screen } from '@testing-library/react';

import { renderAuth } from './testing';

describe('SigV4 auth', () => {
  it('asks for access keys unless the AWS default chain is chosen', () => {
    const latest = renderAuth({ jsonData: { auth: { type: 'sigv4' } } });
    fireEvent.change(screen.getByLabelText('Region'), { target: { value: 'eu-west-1' } });
    fireEvent.change(screen.getByLabelText('Service'), { target: { value: 'es' } });
    expect(latest.current.jsonData.auth!.sigv4).toEqual({ region: 'eu-west-1', service: 'es' });
    expect(screen.getByLabelText('Secret access key')).toBeInTheDocument();

    fireEvent.click(screen.getByLabelText('AWS default chain'));
    expect(latest.current.jsonData.auth!.sigv4!.authMode).toBe('default');
    expect(screen.queryByLabelText('Secret access key')).toBeNull();
    fireEvent.click(screen.getByLabelText('Access keys'));
    expect(latest.current.jsonData.auth!.sigv4).not.toHaveProperty('authMode');

    fireEvent.change(screen.getByLabelText('Assume role ARN'), { target: { value: 'arn:aws:iam::1:role/g' } });
    fireEvent.change(screen.getByLabelText('Assume role ARN'), { target: { value: '' } });
    expect(latest.current.jsonData.auth!.sigv4).not.toHaveProperty('assumeRoleArn');
  });
});
