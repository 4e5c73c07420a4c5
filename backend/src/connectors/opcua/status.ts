/** Raw OPC UA StatusCodes the connector sets itself (no node-opcua import: pure modules and tests use them). */
export const STATUS = {
  good: 0,
  /** the connection to the server was lost or could not be opened (the gap marker) */
  badCommunicationError: 0x80050000,
  badTimeout: 0x800a0000,
  badNodeIdUnknown: 0x80340000,
  badOutOfRange: 0x803c0000,
  badTypeMismatch: 0x80740000,
  badUnexpectedError: 0x80010000,
} as const;
