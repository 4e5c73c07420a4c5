import React from 'react';
import { SwitchField } from './SwitchField';

interface Props {
  value?: boolean;
  onChange: (live: boolean) => void;
}

/** Keeps the panel updating from the backend's stream instead of re-running the query. */
export function LiveField({ value, onChange }: Props) {
  return (
    <SwitchField
      label="Live"
      tooltip="Updates every second from /api/stream, without re-querying history"
      testId="plenum-live"
      value={value}
      onChange={onChange}
    />
  );
}
