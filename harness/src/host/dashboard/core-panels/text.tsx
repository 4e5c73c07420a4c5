import { PanelPlugin, renderTextPanelMarkdown, textUtil, type PanelProps } from '@grafana/data';
import { CodeEditor, useTheme2 } from '@grafana/ui';
import { coreMeta, option } from './common';

interface TextOptions {
  /** `markdown`, `html` or `code` */
  mode: 'markdown' | 'html' | 'code';
  content: string;
  code?: { language?: string };
}

function TextPanel({ options, replaceVariables, width, height }: PanelProps<TextOptions>) {
  const theme = useTheme2();
  if (options.mode === 'code') {
    return (
      <CodeEditor
        value={replaceVariables(options.content)}
        language={options.code?.language ?? 'plaintext'}
        width={width}
        height={height}
        readOnly
        showMiniMap={false}
      />
    );
  }
  // Grafana interpolates the content with the `html` format, then renders markdown and sanitizes
  const content = replaceVariables(options.content, {}, 'html');
  const html = options.mode === 'html' ? content : renderTextPanelMarkdown(content);
  return (
    <div
      data-testid="harness-text-panel"
      className="markdown-html"
      style={{ height: '100%', overflow: 'auto', color: theme.colors.text.primary }}
      dangerouslySetInnerHTML={{ __html: textUtil.sanitize(html) }}
    />
  );
}

/** Grafana's `text` panel: markdown, HTML (sanitized) or code; it runs no query. */
export function textPlugin(): PanelPlugin {
  const plugin = new PanelPlugin<TextOptions>(TextPanel).setNoPadding().setPanelOptions((builder) => {
    option(builder as never, 'mode', 'markdown');
    option(
      builder as never,
      'content',
      '# Title\n\nFor markdown syntax help: [commonmark.org/help](https://commonmark.org/help/)',
    );
    option(builder as never, 'code', { language: 'plaintext' });
  });
  plugin.meta = coreMeta('text', 'Text', true);
  return plugin as unknown as PanelPlugin;
}
