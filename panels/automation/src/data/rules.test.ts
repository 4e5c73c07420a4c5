import type { RuleStatus } from './model';
import { modeLevel, MODE_OPTIONS, needsConfirmation, ruleRows, ruleState } from './rules';

const rule = (patch: Partial<RuleStatus> = {}): RuleStatus => ({
  id: 'inlet-high',
  version: 1,
  origin: 'file',
  description: 'an inlet above 27 °C lowers the CRAH supply setpoints',
  mode: 'dry-run',
  priority: 5,
  kind: 'threshold',
  active: false,
  summary: 'none of 40 above 27',
  locked: false,
  holds: [],
  ...patch,
});

describe('rules', () => {
  it('shows the most telling state of a rule', () => {
    expect(ruleState(rule())).toBe('idle');
    expect(ruleState(rule({ active: true }))).toBe('active');
    expect(ruleState(rule({ active: true, holds: ['x'] }))).toBe('holding');
    expect(ruleState(rule({ holds: ['x'], locked: true }))).toBe('locked');
    expect(ruleState(rule({ locked: true, error: 'boom' }))).toBe('error');
  });

  it('rows carry mode, version and origin, and the points held in short', () => {
    const [row] = ruleRows([
      rule({ version: 3, origin: 'api', mode: 'auto', holds: ['sim/hall1/-/-/crah1/supply_setpoint'], active: true }),
    ]);
    expect(row).toMatchObject({
      id: 'inlet-high',
      mode: 'auto',
      version: 'v3 · api',
      state: 'holding',
      holds: ['crah1/supply_setpoint'],
    });
  });

  it('orders modes by what they let a rule do, and asks twice before auto', () => {
    expect(MODE_OPTIONS.map((m) => modeLevel(m.value))).toEqual([0, 1, 2, 3]);
    expect(needsConfirmation('approve', 'auto')).toBe(true);
    expect(needsConfirmation('auto', 'auto')).toBe(false);
    expect(needsConfirmation('auto', 'observe')).toBe(false);
  });
});
