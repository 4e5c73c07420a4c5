import React from 'react';
import { PREDICTIONS_OUTPUT_OPTIONS } from '../../data/editor-options';
import type { PredictionsOutput, PredictionsQuery } from '../../types';
import { ChoiceField } from '../fields/ChoiceField';
import type { QueryTypeEditorProps } from './types';

export function PredictionsEditor({ query, onChange }: QueryTypeEditorProps<PredictionsQuery>) {
  return (
    <ChoiceField<PredictionsOutput>
      label="Output"
      tooltip="Scores: one row per asset with its largest anomaly score. Detectors: every detector with its state"
      testId="plenum-predictions-output"
      value={query.output ?? 'scores'}
      options={PREDICTIONS_OUTPUT_OPTIONS}
      onChange={(output) => onChange({ ...query, output })}
    />
  );
}
