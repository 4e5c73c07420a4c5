import { z } from 'zod';
import type { ConnectorDefinition } from '../types';
import { createJobsConnector } from './jobs';

export const jobs: ConnectorDefinition<Record<string, never>> = {
  name: 'jobs',
  description: 'scheduler job webhooks (Slurm, Kubernetes) on POST /api/events, as per-rack job points',
  options: z.strictObject({}),
  init: (source) => createJobsConnector(source),
};
