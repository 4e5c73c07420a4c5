import React, { useId } from 'react';
import { InlineField, InlineSwitch } from '@grafana/ui';
import { LABEL_WIDTH } from './layout';

interface Props {
  /** also the switch's aria-label */
  label: string;
  tooltip: string;
  testId: string;
  value?: boolean;
  onChange: (on: boolean) => void;
}

/** An on/off query option (live, problems only, open only). */
export function SwitchField({ label, tooltip, testId, value, onChange }: Props) {
  const id = useId();
  return (
    <InlineField label={label} tooltip={tooltip} labelWidth={LABEL_WIDTH} htmlFor={id}>
      <InlineSwitch
        id={id}
        aria-label={label}
        data-testid={testId}
        value={!!value}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    </InlineField>
  );
}
