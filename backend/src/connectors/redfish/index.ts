import type { ConnectorDefinition } from '../types';
import { redfishOptions, type RedfishOptions } from './config';
import { createRedfish } from './redfish';

export const redfish: ConnectorDefinition<RedfishOptions> = {
  name: 'redfish',
  description:
    'Redfish BMCs: chassis power, thermal and sensors (Power/Thermal and PowerSubsystem/ThermalSubsystem/EnvironmentMetrics/Sensors), sessions or basic auth over verified TLS; writes a chassis power limit',
  options: redfishOptions,
  init: (source) => createRedfish(source),
};
