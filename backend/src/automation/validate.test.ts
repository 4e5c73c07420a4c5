import { ConfigError, parseConfig } from '../config/load';
import { AutomationSchema } from './config';
import { validateRules } from './validate';

/**
 * A site with two writable CRAH setpoints (own range 14…27 °C) and one rack inlet; `automation` is appended as
 * YAML. The error lines are the loader's: `<file>: <path>: <message>`.
 */
const SITE = `
site:
  id: s1
  halls:
    - id: hall1
      assets:
        - { id: crah1, type: crah }
        - { id: crah2, type: crah }
      rows:
        - id: A
          racks:
            - { id: A01, x: 1, y: 1, assets: [{ id: env, type: sensor }] }
sources:
  - name: gen
    connector: generator
    points:
      - { asset: hall1/-/-/crah1, signal: supply_setpoint, quantity: temperature, kind: setpoint, writable: true, min: 14, max: 27 }
      - { asset: hall1/-/-/crah2, signal: supply_setpoint, quantity: temperature, kind: setpoint, writable: true, min: 14, max: 27 }
      - { asset: hall1/-/-/crah2, signal: fan_speed, quantity: utilization }
      - { asset: hall1/A/A01/env, signal: inlet_temp, quantity: temperature }
`;
const SP1 = 's1/hall1/-/-/crah1/supply_setpoint';
const SP2 = 's1/hall1/-/-/crah2/supply_setpoint';
const INLET = 's1/hall1/A/A01/env/inlet_temp';

const FILE = 'rules-site.yaml';

/** The loader's error lines for the site with this `automation:` section; fails when the file loads. */
function errors(automation: string): string[] {
  try {
    parseConfig(`${SITE}automation:\n${automation}`, FILE, { connectors: ['generator'], env: {} });
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const LIMITS = `  points:
    - { ids: ['s1/hall1/-/-/crah*/supply_setpoint'], min: 16, max: 24 }
`;

describe('rule files the loader refuses, naming the file, the rule and the field', () => {
  it('loads the good file these cases start from (so every refusal below is the broken field)', () => {
    const cfg = parseConfig(
      `${SITE}automation:\n${LIMITS}  rules:
    - id: inlet-high
      when: { threshold: { ids: ['${INLET}'], above: 27 } }
      then: [{ write: { ids: ['${SP1}'], relative: -1 } }]
`,
      FILE,
      { connectors: ['generator'], env: {} },
    );
    expect(cfg.automation?.rules.map((r) => r.id)).toEqual(['inlet-high']);
  });

  it('an unknown point in a trigger', () => {
    expect(
      errors(`${LIMITS}  rules:
    - id: good
      when: { threshold: { ids: ['${INLET}'], above: 27 } }
      then: [{ event: { title: ok } }]
    - id: inlet-high
      when: { threshold: { ids: ['s1/hall1/A/A99/env/inlet_temp'], above: 27 } }
      then: [{ write: { ids: ['${SP1}'], relative: -1 } }]
`),
    ).toEqual([
      `${FILE}: automation.rules[1].when.threshold.ids: rule "inlet-high": no point matches "s1/hall1/A/A99/env/inlet_temp"`,
    ]);
  });

  it('an unknown point written, and an unlisted one (the guard would refuse every write)', () => {
    const lines = errors(`${LIMITS}  rules:
    - id: trim
      when: { always: {} }
      then:
        - { event: { title: first } }
        - { write: { ids: ['s1/hall1/-/-/crah9/supply_setpoint'], value: 18 } }
        - { write: { ids: ['s1/hall1/-/-/crah2/fan_speed'], value: 50 } }
`);
    expect(lines).toEqual([
      `${FILE}: automation.rules[0].then[1].write.ids: rule "trim": no point matches "s1/hall1/-/-/crah9/supply_setpoint"`,
      `${FILE}: automation.rules[0].then[2].write.ids: rule "trim": point "s1/hall1/-/-/crah2/fan_speed" is not writable (writable: false in the site config)`,
    ]);
  });

  it('a writable point with no automation.points entry', () => {
    expect(
      errors(`  rules:
    - id: trim
      when: { always: {} }
      then: [{ write: { ids: ['${SP2}'], value: 18 } }]
`),
    ).toEqual([
      `${FILE}: automation.rules[0].then[0].write.ids: rule "trim": point "${SP2}" has no entry in automation.points: the guard would refuse every write`,
    ]);
  });

  it('an impossible bound: min above max', () => {
    const lines = errors(`  points:
    - { ids: ['${SP1}'], min: 24, max: 16 }
  rules:
    - id: trim
      when: { always: {} }
      then: [{ write: { ids: ['${SP1}'], value: 18 } }]
`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^${FILE}: automation\\.points\\[0\\]\\.min: min is above max; expected min ≤ max`),
    );
  });

  it("an impossible bound: automation bounds entirely outside the point's own range", () => {
    const lines = errors(`  points:
    - { ids: ['${SP1}'], min: 30, max: 35 }
  rules:
    - id: hot
      when: { always: {} }
      then: [{ write: { ids: ['${SP1}'], relative: 1 } }]
`);
    expect(lines).toEqual([
      `${FILE}: automation.rules[0].then[0].write.ids: rule "hot": point "${SP1}": the automation bounds 30…35 leave nothing within the point's own 14…27`,
    ]);
  });

  it('a value or a ramp target outside the bounds (automation ∩ the point)', () => {
    const lines = errors(`  points:
    - { ids: ['${SP1}'], min: 10, max: 24 }
  rules:
    - id: cold
      when: { always: {} }
      then:
        - { write: { ids: ['${SP1}'], value: 12 } }
        - { write: { ids: ['${SP1}'], ramp: { to: 25, over: 10m } } }
`);
    // the point's own min (14) wins over automation's 10; automation's max (24) over the point's 27
    expect(lines).toEqual([
      `${FILE}: automation.rules[0].then[0].write.value: rule "cold": 12 is outside the bounds 14…24 of "${SP1}"`,
      `${FILE}: automation.rules[0].then[1].write.ramp.to: rule "cold": 25 is outside the bounds 14…24 of "${SP1}"`,
    ]);
  });

  it('a cycle: a rule whose writes reach, through another rule, the point its trigger reads', () => {
    const lines = errors(`${LIMITS}  rules:
    - id: a
      when: { threshold: { ids: ['${SP2}'], above: 20 } }
      then: [{ write: { ids: ['${SP1}'], relative: -1 } }]
    - id: b
      when: { threshold: { ids: ['${SP1}'], below: 18 } }
      then: [{ write: { ids: ['${SP2}'], relative: 1 } }]
`);
    expect(lines).toEqual([
      `${FILE}: automation.rules[0].then: rule "a": a cycle: a writes what b writes what a reads; a rule must not drive its own trigger`,
      `${FILE}: automation.rules[1].then: rule "b": a cycle: b writes what a writes what b reads; a rule must not drive its own trigger`,
    ]);
  });

  it('a rule driving its own trigger, and a trim & respond whose requests are what it resets', () => {
    const lines = errors(`${LIMITS}  rules:
    - id: self
      when: { threshold: { ids: ['${SP1}'], above: 20 } }
      then: [{ write: { ids: ['${SP1}'], relative: -1 } }]
    - id: tr
      then: [{ trimRespond: { ids: ['${SP2}'], requests: { ids: ['${SP2}'], above: 20 }, trim: 0.2, respond: -0.5, maxRespond: 1 } }]
      when: { always: {} }
`);
    expect(lines).toEqual([
      `${FILE}: automation.rules[0].then: rule "self": a cycle: self writes what self reads; a rule must not drive its own trigger`,
      `${FILE}: automation.rules[1].then: rule "tr": a cycle: tr writes what tr reads; a rule must not drive its own trigger`,
    ]);
  });

  it('no cycle when one rule only reads what another writes', () => {
    const rules = AutomationSchema.parse({
      rules: [
        { id: 'a', when: { threshold: { ids: [INLET], above: 27 } }, then: [{ write: { ids: [SP1], relative: -1 } }] },
        { id: 'b', when: { threshold: { ids: [SP1], below: 18 } }, then: [{ event: { title: 'cold' } }] },
      ],
    }).rules;
    expect(
      validateRules(rules, points(), [{ ids: [SP1], min: 16, max: 24, release: 'restore', tolerance: 0.01 }]),
    ).toEqual([]);
  });

  it('an unknown trigger, naming the trigger kinds there are', () => {
    const lines = errors(`${LIMITS}  rules:
    - id: typo
      when: { thresold: { ids: ['${INLET}'], above: 27 } }
      then: [{ event: { title: x } }]
`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${FILE}: automation\\.rules\\[0\\]\\.when: `));
    expect(lines[0]).toContain('threshold, rate, job, schedule, connector, prediction, always');
  });

  it('an unknown action and a threshold with neither above nor below', () => {
    const lines = errors(`${LIMITS}  rules:
    - id: r
      when: { threshold: { ids: ['${INLET}'] } }
      then: [{ email: { to: x } }]
`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^${FILE}: automation\\.rules\\[0\\]\\.when\\.threshold\\.above: expected above or below`),
        ),
        expect.stringMatching(
          new RegExp(`^${FILE}: automation\\.rules\\[0\\]\\.then\\[0\\]: .*write, trimRespond, event`),
        ),
      ]),
    );
  });

  it('validateRules names the rule and the field of each problem, and a duplicate id', () => {
    const rules = AutomationSchema.parse({
      rules: [
        { id: 'dup', when: { rate: { ids: ['nowhere/*'], perMinuteAbove: 1 } }, then: [] },
        { id: 'dup', when: { always: {} }, then: [{ event: { title: 'x' } }] },
      ],
    }).rules;
    expect(validateRules(rules, points(), [])).toEqual([
      { rule: 'dup', field: 'when.rate.ids', message: 'no point matches "nowhere/*"' },
      { rule: 'dup', field: 'id', message: 'duplicate rule id "dup"' },
    ]);
  });
});

/** The site's points, as the loader resolves them. */
function points() {
  return parseConfig(SITE, FILE, { connectors: ['generator'], env: {} }).points;
}
