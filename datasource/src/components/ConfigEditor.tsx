import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, InlineField, InlineSwitch, Input, SecretInput, SecretTextArea, Stack } from '@grafana/ui';
import { backendUrlError, withJsonData, withSecret, withSecretReset } from '../data/editor-config';
import type { PlenumOptions, PlenumSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<PlenumOptions, PlenumSecureJsonData>;

/** width of the text inputs, in 8 px units */
const INPUT_WIDTH = 60;
/** label width of the TLS switches, in 8 px units */
const SWITCH_LABEL_WIDTH = 36;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};
  // a new data source has no URL yet: explain in the description rather than greet with an error
  const urlError = jsonData.url === undefined ? undefined : backendUrlError(jsonData.url);

  const setJson = (patch: Partial<PlenumOptions>) => onOptionsChange(withJsonData(options, patch));
  const secret = (key: keyof PlenumSecureJsonData) => ({
    isConfigured: !!secureJsonFields?.[key],
    value: secureJsonData[key] ?? '',
    onReset: () => onOptionsChange(withSecretReset(options, key)),
    onChange: (e: React.FormEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      onOptionsChange(withSecret(options, key, e.currentTarget.value)),
  });
  const certificate = (key: 'tlsCACert' | 'tlsClientCert' | 'tlsClientKey', label: string, description: string) => (
    <Field label={label} description={description}>
      <SecretTextArea
        {...secret(key)}
        id={`plenum-${key}`}
        aria-label={label}
        data-testid={`plenum-config-${key}`}
        placeholder={key === 'tlsClientKey' ? '-----BEGIN PRIVATE KEY-----' : '-----BEGIN CERTIFICATE-----'}
        rows={6}
        cols={INPUT_WIDTH}
      />
    </Field>
  );

  return (
    <>
      <FieldSet label="Connection">
        <Field
          label="Backend URL"
          description="Where Grafana's server reaches the Plenum backend, e.g. http://plenum:8080. Browsers never call it: requests go through Grafana's data source proxy."
          required
          invalid={!!urlError}
          error={urlError}
        >
          <Input
            id="plenum-backend-url"
            aria-label="Backend URL"
            data-testid="plenum-config-url"
            value={jsonData.url ?? ''}
            placeholder="http://plenum:8080"
            width={INPUT_WIDTH}
            onChange={(e) => setJson({ url: e.currentTarget.value.trim() })}
          />
        </Field>
        <Field
          label="API token"
          description="The backend's PLENUM_API_TOKEN. Grafana stores it encrypted and its server adds it to each request as a bearer token, so it is never sent to browsers."
        >
          <SecretInput
            {...secret('apiToken')}
            id="plenum-api-token"
            aria-label="API token"
            data-testid="plenum-config-api-token"
            placeholder="PLENUM_API_TOKEN"
            width={INPUT_WIDTH}
          />
        </Field>
        <Field
          label="Operate token"
          description="The backend's PLENUM_OPERATE_TOKEN, for approving proposals, setting rule modes and the emergency stop (the automation panel). Grafana adds it only on the operate route, which it opens to Editors and Admins; Viewers get 403. Leave empty for a read-only data source."
        >
          <SecretInput
            {...secret('operateToken')}
            id="plenum-operate-token"
            aria-label="Operate token"
            data-testid="plenum-config-operate-token"
            placeholder="PLENUM_OPERATE_TOKEN"
            width={INPUT_WIDTH}
          />
        </Field>
      </FieldSet>

      <FieldSet label="TLS">
        <Stack direction="column" gap={0}>
          <InlineField
            label="Skip TLS certificate verification"
            tooltip="Accepts any certificate, so a man in the middle goes unnoticed: for a lab with self-signed certificates only"
            labelWidth={SWITCH_LABEL_WIDTH}
          >
            <InlineSwitch
              id="plenum-tls-skip-verify"
              aria-label="Skip TLS certificate verification"
              value={!!jsonData.tlsSkipVerify}
              onChange={(e) => setJson({ tlsSkipVerify: e.currentTarget.checked })}
            />
          </InlineField>
          <InlineField
            label="Verify with CA certificate"
            tooltip="Trust the backend's certificate when a private CA signed it"
            labelWidth={SWITCH_LABEL_WIDTH}
          >
            <InlineSwitch
              id="plenum-tls-ca"
              aria-label="Verify with CA certificate"
              value={!!jsonData.tlsAuthWithCACert}
              onChange={(e) => setJson({ tlsAuthWithCACert: e.currentTarget.checked })}
            />
          </InlineField>
          <InlineField
            label="TLS client authentication"
            tooltip="Present a client certificate, for a backend behind mutual TLS"
            labelWidth={SWITCH_LABEL_WIDTH}
          >
            <InlineSwitch
              id="plenum-tls-client-auth"
              aria-label="TLS client authentication"
              value={!!jsonData.tlsAuth}
              onChange={(e) => setJson({ tlsAuth: e.currentTarget.checked })}
            />
          </InlineField>
        </Stack>
        {jsonData.tlsAuthWithCACert &&
          certificate('tlsCACert', 'CA certificate', 'PEM certificate of the CA that signed the backend certificate')}
        {(jsonData.tlsAuthWithCACert || jsonData.tlsAuth) && (
          <Field
            label="Server name"
            description="The name in the backend's certificate, when it differs from the host in the backend URL"
          >
            <Input
              id="plenum-tls-server-name"
              aria-label="Server name"
              data-testid="plenum-config-server-name"
              value={jsonData.serverName ?? ''}
              placeholder="plenum.example.com"
              width={INPUT_WIDTH}
              onChange={(e) => setJson({ serverName: e.currentTarget.value.trim() || undefined })}
            />
          </Field>
        )}
        {jsonData.tlsAuth && (
          <>
            {certificate('tlsClientCert', 'Client certificate', 'PEM certificate Grafana presents to the backend')}
            {certificate('tlsClientKey', 'Client key', 'PEM private key of the client certificate; stored encrypted')}
          </>
        )}
      </FieldSet>
    </>
  );
}
