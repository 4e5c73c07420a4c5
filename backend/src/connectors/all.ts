import { bacnet } from './bacnet';
import { generator } from './generator';
import { jobs } from './jobs';
import { modbus } from './modbus';
import { opcua } from './opcua';
import { prometheus } from './prometheus';
import { redfish } from './redfish';
import { snmp } from './snmp';
import type { ConnectorDefinition } from './types';

/** Every connector Plenum ships, by the name a source's `connector:` field uses. One explicit list. */
export const CONNECTORS: ReadonlyArray<ConnectorDefinition<never>> = [
  generator as ConnectorDefinition<never>,
  opcua as ConnectorDefinition<never>,
  modbus as ConnectorDefinition<never>,
  prometheus as ConnectorDefinition<never>,
  redfish as ConnectorDefinition<never>,
  jobs as ConnectorDefinition<never>,
  snmp as ConnectorDefinition<never>,
  bacnet as ConnectorDefinition<never>,
];

export const CONNECTOR_NAMES: readonly string[] = CONNECTORS.map((c) => c.name);

export function connectorByName(name: string): ConnectorDefinition<never> | undefined {
  return CONNECTORS.find((c) => c.name === name);
}
