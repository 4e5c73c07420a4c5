import { foreignPointId, parseTopic, placeOf, plenumPointId, slugOf, topicOf } from './namespace';

describe('Sparkplug namespace', () => {
  it('places rack points on a <row>:<rack> device and hall-level assets on their own, and maps them back', () => {
    expect(placeOf('sim/hall1/A/A01/pdu/power')).toEqual({ device: 'A:A01', name: 'pdu/power' });
    expect(placeOf('sim/hall1/-/-/crah1/supply_temp')).toEqual({ device: 'crah1', name: 'supply_temp' });
    expect(plenumPointId('sim', 'hall1', 'A:A01', 'pdu/power')).toBe('sim/hall1/A/A01/pdu/power');
    expect(plenumPointId('sim', 'hall1', 'crah1', 'supply_temp')).toBe('sim/hall1/-/-/crah1/supply_temp');
    // names of another shape are not a Plenum edge's
    expect(plenumPointId('sim', 'hall1', 'A:A01', 'power')).toBeUndefined();
    expect(plenumPointId('sim', 'hall1', 'crah1', 'a/b')).toBeUndefined();
    expect(placeOf('not/an/id')).toBeUndefined();
  });

  it('builds and parses topics, refusing the malformed', () => {
    expect(topicOf({ type: 'DDATA', group: 'sim', edge: 'hall1', device: 'A:A01' })).toBe(
      'spBv1.0/sim/DDATA/hall1/A:A01',
    );
    expect(parseTopic('spBv1.0/sim/NBIRTH/hall1')).toEqual({ type: 'NBIRTH', group: 'sim', edge: 'hall1' });
    expect(parseTopic('spBv1.0/STATE/hub')).toEqual({ type: 'STATE', group: '', edge: 'hub' });
    expect(parseTopic('spBv1.0/sim/DDATA/hall1')).toBeUndefined(); // a device message without a device
    expect(parseTopic('spBv1.0/sim/NDATA/hall1/x')).toBeUndefined();
    expect(parseTopic('spAv1.0/sim/NDATA/hall1')).toBeUndefined();
    expect(parseTopic('spBv1.0/sim/FOO/hall1')).toBeUndefined();
  });

  it('maps foreign names to slugs', () => {
    expect(slugOf('Inputs/temp')).toBe('Inputs.temp');
    expect(slugOf('Node Control/Rebirth')).toBe('Node_Control.Rebirth');
    expect(slugOf('-x')).toBe('_-x');
    expect(foreignPointId('Sparkplug B Devices', 'Edge 1', undefined, 'Outputs/LEDs/Green')).toBe(
      'Sparkplug_B_Devices/Edge_1/-/-/_node/Outputs.LEDs.Green',
    );
    expect(foreignPointId('g', 'e', 'Emulated Device', 'temp')).toBe('g/e/-/-/Emulated_Device/temp');
  });
});
