import React, { useId, useState } from 'react';
import { InlineField, Input } from '@grafana/ui';
import { parseNumber, type NumberRule } from '../../data/editor-query';
import { LABEL_WIDTH } from './layout';

interface Props {
  /** also the input's aria-label */
  label: string;
  tooltip: string;
  testId: string;
  /** in the unit shown (see `scale`) */
  value?: number;
  /** what the backend uses when the field is empty, shown as the placeholder */
  placeholder: string;
  rule: Omit<NumberRule, 'label'>;
  /** the saved value is the shown one times this (minutes shown, ms saved: 60000), @default 1 */
  scale?: number;
  /** undefined: cleared, the backend's default */
  onCommit: (value: number | undefined) => void;
}

/** A number saved on blur when valid (scaled to the saved unit), the error shown beside it otherwise. */
export function NumberField({ label, tooltip, testId, value, placeholder, rule, scale = 1, onCommit }: Props) {
  const id = useId();
  const saved = value === undefined ? '' : String(value / scale);
  const [text, setText] = useState(saved);
  const [shown, setShown] = useState(saved);
  if (shown !== saved) {
    setShown(saved);
    setText(saved);
  }
  const { value: parsed, error } = parseNumber(text, { label, ...rule });
  return (
    <InlineField label={label} tooltip={tooltip} labelWidth={LABEL_WIDTH} htmlFor={id} invalid={!!error} error={error}>
      <Input
        id={id}
        aria-label={label}
        data-testid={testId}
        type="number"
        min={rule.min}
        max={rule.max}
        value={text}
        placeholder={placeholder}
        width={12}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          const next = parsed === undefined ? undefined : parsed * scale;
          if (!error && next !== value) {
            onCommit(next);
          }
        }}
      />
    </InlineField>
  );
}
