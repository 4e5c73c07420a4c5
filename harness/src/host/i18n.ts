import { initializeI18n } from '@grafana/i18n/internal';

/**
 * Initialises the shared i18next instance as Grafana's start-up does, in English with no bundled translations, so
 * `t()` and `<Trans>` in @grafana/ui and in plugins return their default (English) text, and a plugin's own
 * `initPluginTranslations` finds an initialised instance instead of creating another.
 */
export async function initI18n(): Promise<void> {
  await initializeI18n({ language: 'en-US', ns: ['grafana'] });
}
