import { backendUrlError, withJsonData, withSecret, withSecretReset, type PlenumSettings } from './editor-config';

const settings = {
  jsonData: { url: 'http://plenum:8080' },
  secureJsonFields: { apiToken: true },
  secureJsonData: {},
} as unknown as PlenumSettings;

describe('backendUrlError', () => {
  it.each(['http://plenum:8080', 'https://plenum.example.com/api-root', ' HTTP://10.0.0.5 '])('accepts %s', (url) => {
    expect(backendUrlError(url)).toBeUndefined();
  });
  it('asks for a URL when blank', () => {
    expect(backendUrlError('')).toBe('Enter the backend URL, e.g. http://plenum:8080');
    expect(backendUrlError(undefined)).toBeDefined();
  });
  it.each(['plenum:8080', 'ftp://plenum', 'ws://plenum:8080'])('says %s needs http(s)', (url) => {
    expect(backendUrlError(url)).toMatch(/must start with http:\/\/ or https:\/\//);
  });
  it('refuses a URL that does not parse', () => {
    expect(backendUrlError('http://')).toBe('http:// is not a valid URL');
  });
});

describe('settings updates', () => {
  it('merges jsonData', () => {
    expect(withJsonData(settings, { tlsSkipVerify: true }).jsonData).toEqual({
      url: 'http://plenum:8080',
      tlsSkipVerify: true,
    });
  });
  it('sets a secret', () => {
    expect(withSecret(settings, 'apiToken', 's3cret').secureJsonData).toEqual({ apiToken: 's3cret' });
  });
  it('sets the operate token beside the API token, in secureJsonData only', () => {
    const both = withSecret(withSecret(settings, 'apiToken', 'read-1'), 'operateToken', 'op-1');
    expect(both.secureJsonData).toEqual({ apiToken: 'read-1', operateToken: 'op-1' });
    expect(both.jsonData).toEqual(settings.jsonData);
  });
  it('resets a secret as Grafana expects', () => {
    const reset = withSecretReset(settings, 'apiToken');
    expect(reset.secureJsonFields).toEqual({ apiToken: false });
    expect(reset.secureJsonData).toEqual({ apiToken: '' });
  });
});
