import { parseAddress, type AddressContext } from './address';

const ctx: AddressContext = {
  defaultOrder: 'ABCD',
  devices: [
    { name: 'pdu-a', unitId: 7, byteOrder: 'CDAB' },
    { name: 'meter', unitId: 9 },
  ],
};
const ok = (text: string, c: AddressContext = ctx) => {
  const r = parseAddress(text, c);
  if (!r.ok) throw new Error(r.error);
  return r.address;
};
const err = (text: string) => {
  const r = parseAddress(text, ctx);
  if (r.ok) throw new Error(`expected an error for ${text}`);
  return r.error;
};

describe('parseAddress', () => {
  it('reads the documented form', () => {
    expect(ok('unit=3;hr=100;float32;CDAB')).toEqual({
      unitId: 3,
      table: 'hr',
      address: 100,
      type: 'float32',
      length: 2,
      order: 'CDAB',
      scale: 1,
      offset: 0,
    });
  });

  it('takes parts in any order, any case, with spaces and a trailing ;', () => {
    expect(ok(' HR=0x10 ; Unit=1; int32 ;dcba; scale=0.1; offset=-40;')).toMatchObject({
      unitId: 1,
      table: 'hr',
      address: 16,
      type: 'int32',
      length: 2,
      order: 'DCBA',
      scale: 0.1,
      offset: -40,
    });
  });

  it('gives sizes per type and defaults', () => {
    expect(ok('unit=1;ir=5')).toMatchObject({ type: 'uint16', length: 1, order: 'ABCD' });
    expect(ok('unit=1;hr=5;float64')).toMatchObject({ length: 4 });
    expect(ok('unit=1;hr=5;string:8')).toMatchObject({ type: 'string', length: 8 });
    expect(ok('unit=1;hr=5;bit:15')).toMatchObject({ type: 'bit', bit: 15, length: 1 });
    expect(ok('unit=1;coil=2000')).toMatchObject({ table: 'coil', type: 'bool', length: 1 });
    expect(ok('unit=1;di=0;bool')).toMatchObject({ table: 'di', type: 'bool' });
    expect(ok('unit=255;hr=0')).toMatchObject({ unitId: 255 });
  });

  it('resolves device names and takes the device byte order', () => {
    expect(ok('device=pdu-a;hr=0;float32')).toMatchObject({ unitId: 7, order: 'CDAB' });
    expect(ok('unit=7;hr=0;float32')).toMatchObject({ order: 'CDAB' });
    expect(ok('device=pdu-a;hr=0;float32;ABCD')).toMatchObject({ order: 'ABCD' });
    expect(ok('device=meter;hr=0;float32', { ...ctx, defaultOrder: 'BADC' })).toMatchObject({ order: 'BADC' });
  });

  it('says what is wrong and what is expected', () => {
    expect(err('')).toMatch(/^the address is empty; expected e\.g\. "unit=3;hr=100;float32;CDAB"/);
    expect(err('hr=1;float32')).toMatch(/^no unit; expected/);
    expect(err('unit=1;float32')).toMatch(/^no register table; expected/);
    expect(err('unit=0;hr=1')).toBe(
      '"unit=0": expected a unit id 1–247 (or 255 for a Modbus TCP device addressed directly)',
    );
    expect(err('unit=248;hr=1')).toContain('expected a unit id 1–247');
    expect(err('unit=1;unit=2;hr=1')).toBe('"unit=2" repeats the unit given by "unit=1"; expected one unit');
    expect(err('unit=1;hr=1;ir=2')).toBe('"ir=2" repeats the table given by "hr=1"; expected one table');
    expect(err('unit=1;hr=65536')).toBe('"hr=65536": expected a 0-based address 0–65535 (decimal or 0x hex)');
    expect(err('unit=1;hr=-1')).toContain('expected a 0-based address');
    expect(err('unit=1;hr=65535;float32')).toBe('hr=65535 with 2 registers runs past the last address 65535');
    expect(err('unit=1;hr=1;flaot32')).toMatch(/^unknown part "flaot32" \(did you mean "float32"\?\); expected a type/);
    expect(err('unit=1;hr=1;CDBA')).toBe(
      'unknown order "CDBA"; expected one of ABCD (big-endian), CDAB (word-swapped), BADC (byte-swapped), DCBA (little-endian)',
    );
    expect(err('unit=1;holding=1')).toMatch(/^unknown key "holding"/);
    expect(err('unit=1;hr=1;string')).toBe(
      '"string": expected string:<registers> with 1–125 registers (2 characters each)',
    );
    expect(err('unit=1;hr=1;string:126')).toContain('1–125 registers');
    expect(err('unit=1;hr=1;bit:16')).toBe('"bit:16": expected bit:<0..15> (0 = least significant bit)');
    expect(err('unit=1;hr=1;float32:2')).toBe('"float32:2": type float32 takes no ":"; expected float32');
    expect(err('unit=1;coil=1;float32')).toBe(
      'coil=1 is a single bit; type float32 applies to hr= or ir= (write bool or no type)',
    );
    expect(err('unit=1;di=1;ABCD')).toBe('di=1 is a single bit; an order applies to registers only');
    expect(err('unit=1;hr=1;bool')).toBe(
      'bool applies to coil= and di=; expected bit:<0..15> for one bit of register hr=1',
    );
    expect(err('unit=1;hr=1;bit:3;scale=2')).toBe(
      'scale and offset apply to numeric types only; bit values are booleans',
    );
    expect(err('unit=1;hr=1;scale=abc')).toBe('"scale=abc": expected a finite number such as 0.1 or -40');
    expect(err('unit=1;hr=1;scale=0')).toBe('"scale=0": a scale of 0 loses the value; expected a non-zero number');
    expect(err('device=pdu-b;hr=1')).toBe(
      '"device=pdu-b": unknown device "pdu-b" (did you mean "pdu-a"?); expected one of pdu-a, meter',
    );
    expect(err('unit=1;device=pdu-a;hr=1')).toBe(
      '"device=pdu-a" repeats the unit given by "unit=1"; expected one unit',
    );
  });

  it('explains device= when no devices are declared', () => {
    const r = parseAddress('device=x;hr=1', { defaultOrder: 'ABCD', devices: [] });
    expect(r).toEqual({
      ok: false,
      error:
        '"device=x": no devices are declared in the source options; expected unit=<id> or a devices: entry named "x"',
    });
  });
});
