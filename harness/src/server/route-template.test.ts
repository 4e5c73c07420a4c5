import { renderRouteTemplate, RouteTemplateError } from './route-template';

const data = {
  JsonData: { url: 'http://127.0.0.1:9000/base', port: 4840, tls: true, nested: { region: 'eu' } },
  SecureJsonData: { apiToken: 's3cret' },
};

describe('renderRouteTemplate', () => {
  it('reads JsonData and SecureJsonData, with or without spaces inside the braces', () => {
    expect(renderRouteTemplate('{{ .JsonData.url }}', data)).toBe('http://127.0.0.1:9000/base');
    expect(renderRouteTemplate('Bearer {{.SecureJsonData.apiToken}}', data)).toBe('Bearer s3cret');
    expect(renderRouteTemplate('{{   .JsonData.nested.region   }}-x', data)).toBe('eu-x');
  });

  it('prints numbers and booleans as Go does', () => {
    expect(renderRouteTemplate('{{ .JsonData.port }}/{{ .JsonData.tls }}', data)).toBe('4840/true');
  });

  it('prints <no value> for a missing key, or nothing through orEmpty', () => {
    expect(renderRouteTemplate('Bearer {{ .SecureJsonData.missing }}', data)).toBe('Bearer <no value>');
    expect(renderRouteTemplate('Bearer {{ .SecureJsonData.missing | orEmpty }}', data)).toBe('Bearer ');
  });

  it('honours Go trim markers', () => {
    expect(renderRouteTemplate('a   {{- .JsonData.port -}}   b', data)).toBe('a4840b');
    expect(renderRouteTemplate('a {{ .JsonData.port }} b', data)).toBe('a 4840 b');
  });

  it('rejects actions it cannot render instead of forwarding them verbatim', () => {
    expect(() => renderRouteTemplate('{{ .Other.x }}', data)).toThrow(RouteTemplateError);
    expect(() => renderRouteTemplate('{{ printf "%s" .JsonData.url }}', data)).toThrow(/unsupported route template/);
  });

  it('leaves text without actions alone', () => {
    expect(renderRouteTemplate('https://example.com/a?b=c', data)).toBe('https://example.com/a?b=c');
  });
});
