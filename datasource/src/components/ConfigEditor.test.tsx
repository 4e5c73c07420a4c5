import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { PlenumSettings } from '../data/editor-config';
import { ConfigEditor } from './ConfigEditor';

const settings = (patch: Partial<PlenumSettings> = {}): PlenumSettings =>
  ({
    id: 1,
    uid: 'plenum',
    name: 'Plenum',
    type: 'plenum-itot-datasource',
    jsonData: {},
    secureJsonFields: {},
    ...patch,
  }) as PlenumSettings;

function renderConfig(options: PlenumSettings) {
  const onOptionsChange = jest.fn();
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return onOptionsChange;
}

describe('ConfigEditor', () => {
  it('writes the backend URL to jsonData.url', () => {
    const onOptionsChange = renderConfig(settings());
    fireEvent.change(screen.getByLabelText('Backend URL'), { target: { value: 'http://plenum:8080' } });
    expect(onOptionsChange).toHaveBeenCalledWith(expect.objectContaining({ jsonData: { url: 'http://plenum:8080' } }));
  });

  it('says under the field when the URL is not http(s)', () => {
    renderConfig(settings({ jsonData: { url: 'plenum:8080' } }));
    expect(screen.getByText(/must start with http:\/\/ or https:\/\//)).toBeInTheDocument();
  });

  it('does not greet a new data source with an error', () => {
    renderConfig(settings());
    expect(screen.queryByText(/must start with/)).not.toBeInTheDocument();
    expect(screen.queryByText(/Enter the backend URL/)).not.toBeInTheDocument();
  });

  it('writes the API token to secureJsonData.apiToken', () => {
    const onOptionsChange = renderConfig(settings());
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: 's3cret' } });
    expect(onOptionsChange).toHaveBeenCalledWith(expect.objectContaining({ secureJsonData: { apiToken: 's3cret' } }));
  });

  it('shows a stored token as configured, and reset clears it', () => {
    const onOptionsChange = renderConfig(settings({ secureJsonFields: { apiToken: true } }));
    expect(screen.getByLabelText('API token')).toHaveValue('configured');
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onOptionsChange).toHaveBeenCalledWith(
      expect.objectContaining({ secureJsonFields: { apiToken: false }, secureJsonData: { apiToken: '' } })
    );
  });

  it('writes the operate token to secureJsonData.operateToken, never to jsonData', () => {
    const onOptionsChange = renderConfig(settings({ jsonData: { url: 'http://plenum:8080' } }));
    fireEvent.change(screen.getByLabelText('Operate token'), { target: { value: 'op-s3cret' } });
    const saved = onOptionsChange.mock.calls[0][0] as PlenumSettings;
    expect(saved.secureJsonData).toEqual({ operateToken: 'op-s3cret' });
    expect(saved.jsonData).toEqual({ url: 'http://plenum:8080' });
    expect(JSON.stringify(saved.jsonData)).not.toContain('op-s3cret');
  });

  it('shows a stored operate token as configured, and its reset clears only it', () => {
    const onOptionsChange = renderConfig(settings({ secureJsonFields: { apiToken: true, operateToken: true } }));
    expect(screen.getByLabelText('Operate token')).toHaveValue('configured');
    expect(screen.getByLabelText('API token')).toHaveValue('configured');
    // one Reset button per configured secret, in the order of the fields
    fireEvent.click(screen.getAllByRole('button', { name: 'Reset' })[1]!);
    expect(onOptionsChange).toHaveBeenCalledWith(
      expect.objectContaining({
        secureJsonFields: { apiToken: true, operateToken: false },
        secureJsonData: { operateToken: '' },
      })
    );
  });

  it('asks for the certificates only when their TLS mode is on', () => {
    const { rerender } = render(<ConfigEditor options={settings()} onOptionsChange={jest.fn()} />);
    expect(screen.queryByLabelText('CA certificate')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Client key')).not.toBeInTheDocument();
    rerender(<ConfigEditor options={settings({ jsonData: { tlsAuth: true } })} onOptionsChange={jest.fn()} />);
    expect(screen.getByLabelText('Client certificate')).toBeInTheDocument();
    expect(screen.getByLabelText('Client key')).toBeInTheDocument();
    expect(screen.getByLabelText('Server name')).toBeInTheDocument();
  });

  it('turns TLS verification off through jsonData.tlsSkipVerify', () => {
    const onOptionsChange = renderConfig(settings());
    fireEvent.click(screen.getByLabelText('Skip TLS certificate verification'));
    expect(onOptionsChange).toHaveBeenCalledWith(expect.objectContaining({ jsonData: { tlsSkipVerify: true } }));
  });
});
