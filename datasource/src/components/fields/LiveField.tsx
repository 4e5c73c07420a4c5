import React, { useId } from 'react';
import { InlineField, InlineSwitch } from '@grafana/ui';
import { LABEL_WIDTH } from './layout';

interface Props {
  value?: boolean;
  onChange: (live: boolean) => void;
}

/** Keeps the panel updating from the backend's stream instead of re-running the query. */
export function LiveField({ value, onChange }: Props) {
  const id = useId();
  return (
    <InlineField
      label="Live"
      tooltip="Updates every second from /api/stream, without re-querying history"
      labelWidth={LABEL_WIDTH}
      htmlFor={id}
    >
      <InlineSwitch
        id={id}
        aria-label="Live"
        data-testid="plenum-live"
        value={!!value}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    </InlineField>
  );
}
