import { parseAddress, placeText, readValue, REDFISH_STATUS, signalPlace, statusQuality, type Place } from './address';
import { patchBody } from './redfish';

const place = (text: string): Place => {
  const r = parseAddress(`1U/${text}`);
  if (!r.ok || !('place' in r.address.target)) throw new Error(`not a place: ${text}`);
  return r.address.target.place;
};

describe('parseAddress', () => {
  it('reads signals, explicit places, the chassis itself, a BMC name and array members by property', () => {
    expect(parseAddress('1U:power')).toEqual({ ok: true, address: { chassis: '1U', target: { signal: 'power' } } });
    expect(parseAddress('bmc=A01;*:powerLimit')).toEqual({
      ok: true,
      address: { bmc: 'A01', chassis: '*', target: { signal: 'powerLimit' } },
    });
    expect(parseAddress('1U#Status/Health')).toEqual({
      ok: true,
      address: { chassis: '1U', target: { place: { resource: [], path: [{ key: 'Status' }, { key: 'Health' }] } } },
    });
    const p = place('Thermal#Temperatures[PhysicalContext=Intake]/ReadingCelsius');
    expect(p).toEqual({
      resource: ['Thermal'],
      path: [{ key: 'Temperatures', where: { key: 'PhysicalContext', value: 'Intake' } }, { key: 'ReadingCelsius' }],
    });
    expect(placeText(p)).toBe('Thermal#Temperatures[PhysicalContext=Intake]/ReadingCelsius');
    expect(place('PowerSubsystem/PowerSupplies/Bay1/Metrics#InputPowerWatts/Reading').resource).toEqual([
      'PowerSubsystem',
      'PowerSupplies',
      'Bay1',
      'Metrics',
    ]);
  });

  it('says what is expected', () => {
    const err = (t: string) => (parseAddress(t) as { error: string }).error;
    expect(err('1U:watts')).toMatch(/^unknown signal "watts"; expected one of power, powerLimit/);
    expect(err('1U/Power')).toBe('expected "#<property>" after the resource');
    expect(err('1U/Power#')).toMatch(/^no property after "#"/);
    expect(err('1U/Power#A//B')).toMatch(/^bad property step ""/);
    expect(err('bmc=;1U:power')).toBe('bad bmc name ""');
    expect(err(':power')).toMatch(/^expected <chassis>:<signal>/);
  });
});

describe('signalPlace', () => {
  const links = (...l: string[]) => new Set(l);
  it('auto: the newer resource when linked, the classic otherwise; powerLimit the classic Power first', () => {
    const all = links('Power', 'Thermal', 'EnvironmentMetrics', 'PowerSubsystem', 'ThermalSubsystem', 'Controls');
    expect(placeText(signalPlace('power', 'auto', all))).toBe('EnvironmentMetrics#PowerWatts/Reading');
    expect(placeText(signalPlace('power', 'auto', links('Power')))).toBe('Power#PowerControl/0/PowerConsumedWatts');
    expect(placeText(signalPlace('powerLimit', 'auto', all))).toBe('Power#PowerControl/0/PowerLimit/LimitInWatts');
    expect(placeText(signalPlace('powerLimit', 'auto', links('Controls')))).toBe('Controls/PowerLimit#SetPoint');
    expect(placeText(signalPlace('powerLimit', 'modern', all))).toBe('Controls/PowerLimit#SetPoint');
    expect(placeText(signalPlace('intakeTemp', 'classic', all))).toBe(
      'Thermal#Temperatures[PhysicalContext=Intake]/ReadingCelsius',
    );
    // neither linked: the newer one, so the error names what a current service should have
    expect(placeText(signalPlace('exhaustTemp', 'auto', links()))).toMatch(/^ThermalSubsystem\/ThermalMetrics#/);
  });
});

describe('statusQuality and readValue', () => {
  it('maps State and Health to quality', () => {
    const q = (State?: string, Health?: string) => statusQuality({ State, Health });
    expect(q('Enabled', 'OK')).toEqual({ quality: 'good', rawStatus: 0 });
    expect(q(undefined, undefined)).toEqual({ quality: 'good', rawStatus: 0 });
    expect(q('Enabled', 'Warning')).toMatchObject({ quality: 'uncertain', rawStatus: REDFISH_STATUS.warning });
    expect(q('Enabled', 'Critical')).toMatchObject({ quality: 'bad', rawStatus: REDFISH_STATUS.critical });
    for (const s of ['Absent', 'Disabled', 'UnavailableOffline', 'StandbyOffline'])
      expect(q(s, 'OK')).toMatchObject({ quality: 'bad', rawStatus: REDFISH_STATUS.notEnabled });
    expect(q('Updating', 'OK')).toMatchObject({ quality: 'uncertain', rawStatus: REDFISH_STATUS.transition });
  });

  it('takes the nearest Status on the way, and names what is missing', () => {
    const res = {
      Status: { State: 'Enabled', Health: 'OK' },
      PowerControl: [{ PowerConsumedWatts: 344, Status: { State: 'Enabled', Health: 'Critical' } }],
      Temperatures: [
        { Name: 'A', ReadingCelsius: 20 },
        { Name: 'A', ReadingCelsius: 21 },
      ],
      Limit: null,
    };
    const at = (t: string, vt: 'number' | 'string' = 'number') => readValue(res, place(`X#${t}`).path, vt);
    expect(at('PowerControl/0/PowerConsumedWatts')).toMatchObject({ ok: true, value: 344, quality: 'bad' });
    expect(at('Status/Health', 'string')).toMatchObject({ ok: true, value: 'OK', quality: 'good' });
    expect(at('Temperatures[Name=A]/ReadingCelsius')).toEqual({
      ok: false,
      rawStatus: REDFISH_STATUS.absent,
      error: '2 members match Temperatures[Name=A]; expected one (choose by MemberId or an index)',
    });
    expect(at('Limit')).toMatchObject({ ok: false, rawStatus: REDFISH_STATUS.noReading });
    expect(at('PowerControl/1/X')).toMatchObject({ ok: false, error: 'no member PowerControl/1' });
    expect(at('Status')).toMatchObject({ ok: false, rawStatus: REDFISH_STATUS.wrongType });
  });
});

describe('patchBody', () => {
  it('builds the PATCH of a power limit, members before n left alone; nothing else', () => {
    expect(patchBody(place('Power#PowerControl/2/PowerLimit/LimitInWatts'), 450)).toEqual({
      PowerControl: [{}, {}, { PowerLimit: { LimitInWatts: 450 } }],
    });
    expect(patchBody(place('Power#PowerControl/0/PowerLimit/LimitInWatts'), null)).toEqual({
      PowerControl: [{ PowerLimit: { LimitInWatts: null } }],
    });
    expect(patchBody(place('Controls/PowerLimit#SetPoint'), 300)).toEqual({ SetPoint: 300, ControlMode: 'Automatic' });
    expect(patchBody(place('Controls/PowerLimit#SetPoint'), null)).toEqual({ ControlMode: 'Disabled' });
    expect(patchBody(place('Power#PowerControl/0/PowerConsumedWatts'), 1)).toBeUndefined();
    expect(patchBody(place('EnvironmentMetrics#PowerLimitWatts/SetPoint'), 1)).toBeUndefined();
  });
});
