import type { ConnectorDefinition } from '../types';
import { opcuaOptions, type OpcUaOptions } from './config';
import { createOpcUa } from './connector';

export const opcua: ConnectorDefinition<OpcUaOptions> = {
  name: 'opcua',
  description:
    'OPC UA client: subscriptions (batched monitored items, deadbands) or polled reads, nsu= node ids, security, reconnection',
  options: opcuaOptions,
  init: (source) => createOpcUa(source),
};
