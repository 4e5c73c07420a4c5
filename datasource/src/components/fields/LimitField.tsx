import React, { useId, useState } from 'react';
import { InlineField, Input } from '@grafana/ui';
import { MAX_LIMIT, parseLimit } from '../../data/editor-query';
import { LABEL_WIDTH } from './layout';

interface Props {
  value?: number;
  /** undefined: the backend's default, 1000 */
  onCommit: (limit: number | undefined) => void;
}

/** Most rows to return; saved on blur when valid, the error shown beside it otherwise. */
export function LimitField({ value, onCommit }: Props) {
  const id = useId();
  const saved = value === undefined ? '' : String(value);
  const [text, setText] = useState(saved);
  const [shown, setShown] = useState(saved);
  if (shown !== saved) {
    setShown(saved);
    setText(saved);
  }
  const { limit, error } = parseLimit(text);
  return (
    <InlineField
      label="Limit"
      tooltip={`Most rows to return, 1 to ${MAX_LIMIT}; 1000 when empty`}
      labelWidth={LABEL_WIDTH}
      htmlFor={id}
      invalid={!!error}
      error={error}
    >
      <Input
        id={id}
        aria-label="Limit"
        data-testid="plenum-limit"
        type="number"
        min={1}
        max={MAX_LIMIT}
        value={text}
        placeholder="1000"
        width={12}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          if (!error && limit !== value) {
            onCommit(limit);
          }
        }}
      />
    </InlineField>
  );
}
