import type { ConnectorDefinition } from '../types';
import { snmpOptions, type SnmpOptions } from './config';
import { createSnmp } from './snmp';

export const snmp: ConnectorDefinition<SnmpOptions> = {
  name: 'snmp',
  description:
    'SNMP v2c/v3 (USM, SHA-2, AES) polling of PDUs, UPSes and sensors: GET and GETBULK table walks through MIB profiles',
  options: snmpOptions,
  init: (source) => createSnmp(source, source.clock),
};
