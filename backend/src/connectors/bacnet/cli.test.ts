/** The discovery and browse CLI against the twin's face, over real sockets; tshark sees the Who-Is and I-Am. */
import { runCli } from './cli';
import { startCapture } from './tshark';
import { freeUdpPort, startTwinFace } from './testkit';

jest.setTimeout(30_000);

it('discovers the twin by Who-Is and browses its object list into point templates', async () => {
  const { face } = await startTwinFace({ maxApdu: 480 });
  const lines: string[] = [];
  const sock = async () => [
    '--local-port',
    String(await freeUdpPort()),
    '--local-address',
    '127.0.0.1',
    '--timeout',
    '500',
  ];
  const cap = await startCapture([face.port]);
  try {
    await runCli(['discover', '--to', `127.0.0.1:${face.port}`, '--wait', '500', ...(await sock())], (l) =>
      lines.push(l),
    );
    expect(lines).toEqual([`device 1001 at 127.0.0.1:${face.port}: max APDU 1482, segmentation none, vendor 999`]);
    lines.length = 0;
    // out of range: no answer
    await runCli(
      ['discover', '--to', `127.0.0.1:${face.port}`, '--low', '5', '--high', '9', '--wait', '300', ...(await sock())],
      (l) => lines.push(l),
    );
    expect(lines[0]).toMatch(/^no I-Am heard/);
    lines.length = 0;
    await runCli(
      ['browse', '--device', `127.0.0.1:${face.port}`, '--asset', 'hall1/-/-/crah1', ...(await sock())],
      (l) => lines.push(l),
    );
  } finally {
    await face.stop();
  }
  const pdus = await cap.stop();
  expect(lines[0]).toBe(
    `# device 1001 "hall1 BMS (Plenum twin)" (Plenum) at 127.0.0.1:${face.port}: ${face.objects.length} objects`,
  );
  expect(lines).toHaveLength(face.objects.length + 1);
  expect(lines).toContain(
    "- { asset: hall1/-/-/crah1, signal: supply_temp, quantity: temperature, unit: '°C', address: 'device=bms;object=analog-input:102' } # sim/hall1/-/-/crah1/supply_temp",
  );
  expect(lines.find((l) => l.includes('analog-value:9003'))).toMatch(
    /signal: chw_setpoint, quantity: temperature, unit: '°C', kind: setpoint/,
  );
  // tshark: Who-Is with and without limits, the I-Am, and the object-list read element by element
  expect(pdus.filter((p) => p.service === 'who-Is')).toHaveLength(3);
  expect(pdus.filter((p) => p.service === 'i-Am').length).toBe(2);
  // a 480-octet device aborts the larger batches of names and descriptions: halved until they fit, none lost
  expect(pdus.filter((p) => p.type === 'Abort').every((p) => p.abortReason === 'segmentation-not-supported')).toBe(
    true,
  );
  const listReads = pdus.filter((p) => p.type === 'Confirmed-REQ' && p.objects[0]?.object === 'device:1001');
  expect(listReads.length).toBeGreaterThan(2);
});
