import type { ConnectorDefinition } from '../types';
import { BacnetConnector } from './bacnet';
import { bacnetOptions, type BacnetOptions } from './config';
import { BacnetCovConnector } from './cov';

export const bacnet: ConnectorDefinition<BacnetOptions> = {
  name: 'bacnet',
  description:
    'BACnet/IP: ReadPropertyMultiple polling or COV subscriptions of present-value with status-flags and reliability as quality; WriteProperty at a priority, relinquish as release',
  options: bacnetOptions,
  init: (source) =>
    source.options.read === 'cov'
      ? new BacnetCovConnector(source, source.clock)
      : new BacnetConnector(source, source.clock),
};
