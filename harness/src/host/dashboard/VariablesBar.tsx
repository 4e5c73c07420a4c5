import type { SelectableValue } from '@grafana/data';
import { Input, MultiSelect, Select, useTheme2 } from '@grafana/ui';
import { useState } from 'react';
import type { ResolvedVariable } from './variables';

interface VariablesBarProps {
  variables: ResolvedVariable[];
  /** variable name → why its options could not be read */
  errors: Record<string, string>;
  onChange: (name: string, value: string | string[]) => void;
}

/** Grafana's submenu of variable pickers: a label and a dropdown (or text box) per variable that is not hidden. */
export function VariablesBar({ variables, errors, onChange }: VariablesBarProps) {
  const theme = useTheme2();
  const shown = variables.filter((v) => v.hide !== 2);
  if (shown.length === 0) return null;
  return (
    <div
      data-testid="harness-dashboard-variables"
      style={{ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), marginBottom: theme.spacing(2) }}
    >
      {shown.map((v) => (
        <div key={v.name} style={{ display: 'flex', alignItems: 'center' }} data-testid={`harness-variable-${v.name}`}>
          {v.hide !== 1 && (
            <label
              htmlFor={`var-${v.name}`}
              style={{
                padding: theme.spacing(0, 1),
                height: theme.spacing(4),
                display: 'flex',
                alignItems: 'center',
                background: theme.colors.background.secondary,
                border: `1px solid ${theme.colors.border.weak}`,
                borderRadius: theme.shape.radius.default,
                fontWeight: theme.typography.fontWeightMedium,
                marginRight: -1,
              }}
            >
              {v.label || v.name}
            </label>
          )}
          <VariablePicker variable={v} onChange={(value) => onChange(v.name, value)} />
          {errors[v.name] && (
            <span data-testid="harness-variable-error" style={{ color: theme.colors.error.text, marginLeft: 8 }}>
              {errors[v.name]}
            </span>
          )}
        </div>
      ))}
    </div>
  );
}

function VariablePicker({
  variable,
  onChange,
}: {
  variable: ResolvedVariable;
  onChange: (v: string | string[]) => void;
}) {
  const [text, setText] = useState(String(variable.current.value));
  if (variable.type === 'textbox') {
    return (
      <Input
        id={`var-${variable.name}`}
        width={20}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => onChange(text)}
        onKeyDown={(e) => e.key === 'Enter' && onChange(text)}
      />
    );
  }
  const options: SelectableValue<string>[] = variable.options.map((o) => ({ label: o.text, value: o.value }));
  const width = Math.min(40, Math.max(12, ...variable.options.map((o) => o.text.length + 6)));
  if (variable.multi) {
    return (
      <MultiSelect<string>
        inputId={`var-${variable.name}`}
        width={width + 10}
        options={options}
        value={([] as string[]).concat(variable.current.value)}
        onChange={(selected) => onChange(selected.map((s) => s.value!).filter((s) => s !== undefined))}
      />
    );
  }
  return (
    <Select<string>
      inputId={`var-${variable.name}`}
      width={width}
      options={options}
      value={String(variable.current.value)}
      onChange={(selected) => selected.value !== undefined && onChange(selected.value)}
    />
  );
}
