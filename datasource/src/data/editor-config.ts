import type { DataSourceSettings } from '@grafana/data';
import type { PlenumOptions, PlenumSecureJsonData } from '../types';

export type PlenumSettings = DataSourceSettings<PlenumOptions, PlenumSecureJsonData>;

/** Why a backend URL will not work, or undefined when it will. Grafana's server fetches it, so only http(s) URLs. */
export function backendUrlError(url: string | undefined): string | undefined {
  const trimmed = url?.trim();
  if (!trimmed) {
    return 'Enter the backend URL, e.g. http://plenum:8080';
  }
  if (!/^https?:\/\//i.test(trimmed)) {
    return 'The URL must start with http:// or https://, e.g. http://plenum:8080';
  }
  try {
    new URL(trimmed);
  } catch {
    return `${trimmed} is not a valid URL`;
  }
  return undefined;
}

export const withJsonData = (options: PlenumSettings, patch: Partial<PlenumOptions>): PlenumSettings => ({
  ...options,
  jsonData: { ...options.jsonData, ...patch },
});

export const withSecret = (
  options: PlenumSettings,
  key: keyof PlenumSecureJsonData,
  value: string
): PlenumSettings => ({
  ...options,
  secureJsonData: { ...options.secureJsonData, [key]: value },
});

/** Grafana's convention for "Reset": forget that the secret is set and send an empty value, which deletes it. */
export const withSecretReset = (options: PlenumSettings, key: keyof PlenumSecureJsonData): PlenumSettings => ({
  ...options,
  secureJsonFields: { ...options.secureJsonFields, [key]: false },
  secureJsonData: { ...options.secureJsonData, [key]: '' },
});
