import { qualityFromCode, qualityFromOpcUaStatus, QUALITY_CODE } from './quality';

describe('quality', () => {
  it('maps OPC UA StatusCode severity bits', () => {
    expect(qualityFromOpcUaStatus(0)).toBe('good');
    expect(qualityFromOpcUaStatus(0x40920000)).toBe('uncertain'); // UncertainSensorNotAccurate
    expect(qualityFromOpcUaStatus(0x808a0000)).toBe('bad'); // BadCommunicationError
    expect(qualityFromOpcUaStatus(0x80000000)).toBe('bad');
  });

  it('round-trips storage codes and rejects unknown ones', () => {
    for (const [q, code] of Object.entries(QUALITY_CODE)) expect(qualityFromCode(code)).toBe(q);
    expect(() => qualityFromCode(7)).toThrow('unknown quality code 7');
  });
});
