import type { ConnectorDefinition } from '../types';
import { modbusOptions, type ModbusOptions } from './config';
import { createModbus } from './modbus';

export const modbus: ConnectorDefinition<ModbusOptions> = {
  name: 'modbus',
  description: 'Modbus TCP, RTU over TCP and serial RTU: batched register reads, one request queue per connection',
  options: modbusOptions,
  init: (source) => createModbus(source, source.clock),
};
