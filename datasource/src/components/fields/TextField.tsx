import React, { useId, useState } from 'react';
import { InlineField, Input } from '@grafana/ui';
import { LABEL_WIDTH } from './layout';

interface Props {
  /** also the input's aria-label */
  label: string;
  tooltip?: string;
  testId: string;
  value?: string;
  placeholder?: string;
  /** called on blur with the trimmed text, only when it changed; '' means cleared */
  onCommit: (text: string) => void;
  /** in 8 px units */
  width?: number;
}

/** Free text saved on blur, as Grafana's editors do, so a query is not run on every keystroke. */
export function TextField({ label, tooltip, testId, value = '', placeholder, onCommit, width = 40 }: Props) {
  const id = useId();
  const [text, setText] = useState(value);
  // follow a value changed elsewhere (query type switched, undo) without an effect
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value);
  }
  return (
    <InlineField label={label} tooltip={tooltip} labelWidth={LABEL_WIDTH} htmlFor={id}>
      <Input
        id={id}
        aria-label={label}
        data-testid={testId}
        value={text}
        placeholder={placeholder}
        width={width}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          if (text.trim() !== value) {
            onCommit(text.trim());
          }
        }}
      />
    </InlineField>
  );
}
