import React from 'react';
import { ALIAS_KEYS } from '../../data/editor-options';
import { TextField } from '../fields/TextField';

interface Props {
  value?: string;
  onCommit: (alias: string | undefined) => void;
}

/** The series' display name template. */
export function AliasField({ value, onCommit }: Props) {
  return (
    <TextField
      label="Alias"
      tooltip={`Display name template, e.g. {{rack}} {{quantity}}. Keys: ${ALIAS_KEYS.join(', ')}`}
      testId="plenum-alias"
      value={value}
      placeholder="{{rack}} {{quantity}}"
      onCommit={(alias) => onCommit(alias || undefined)}
      width={30}
    />
  );
}
