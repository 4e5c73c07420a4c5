import { CANONICAL_UNITS, convert, QUANTITIES, SOURCE_UNITS, unitConversion } from './units';

const to = (value: number, unit: string, quantity: Parameters<typeof unitConversion>[1]) =>
  convert(value, unitConversion(unit, quantity));

describe('unit conversion at ingest', () => {
  it.each([
    [212, '°F', 'temperature', 100],
    [32, 'degF', 'temperature', 0],
    [-40, 'F', 'temperature', -40],
    [273.15, 'K', 'temperature', 0],
    [1500, 'W', 'power', 1.5],
    [2.5, 'MW', 'power', 2500],
    [12_000, 'Wh', 'energy', 12],
    [3.6e6, 'J', 'energy', 1],
    [10, 'gpm', 'flow', 37.85411784],
    [1, 'l/s', 'flow', 60],
    [6, 'm3/h', 'flow', 100],
    [100, 'cfm', 'airflow', 169.90107955],
    [1, 'bar', 'pressure', 100],
    [1, 'psi', 'pressure', 6.894757293],
    [0.42, 'ratio', 'utilization', 42],
    [55, '%', 'speed', 55],
    [0.3, 'ratio', 'position', 30],
    [230_000, 'mV', 'voltage', 230],
  ] as const)('%p %s → %s = %p', (value, unit, quantity, expected) => {
    expect(to(value, unit, quantity)).toBeCloseTo(expected, 6);
  });

  it('leaves canonical values bit-identical', () => {
    expect(to(0.1 + 0.2, '°C', 'temperature')).toBe(0.1 + 0.2);
    expect(to(42.125, 'kW', 'power')).toBe(42.125);
  });

  it('names the unit and lists the accepted spellings when the unit is unknown', () => {
    expect(() => unitConversion('degrees', 'temperature')).toThrow(
      /unknown unit "degrees" for temperature; expected one of "°C".*"°F"/,
    );
  });

  it("takes a quantity's canonical symbol as its unit even where the symbol is another quantity's source unit", () => {
    expect(unitConversion('Pa', 'differentialPressure')).toEqual({
      quantity: 'differentialPressure',
      scale: 1,
      offset: 0,
    });
    expect(unitConversion('Pa', 'pressure')).toMatchObject({ quantity: 'pressure', scale: 0.001 });
  });

  it('refuses a unit of another quantity', () => {
    expect(() => unitConversion('kW', 'temperature')).toThrow('unit "kW" measures power, not temperature');
  });

  it('has a canonical unit with a Grafana unit id for every quantity and every source unit', () => {
    for (const q of QUANTITIES) expect(CANONICAL_UNITS[q].grafanaUnit).toMatch(/\S/);
    for (const conv of Object.values(SOURCE_UNITS)) expect(QUANTITIES).toContain(conv.quantity);
  });
});
