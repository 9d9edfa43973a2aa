// edge-impulse-linux's DataForwarder (the library behind edge-impulse-data-forwarder) against a
// tinyloop server on localhost:4810: HMAC-signed JSON uploads arrive intact (float32-exact
// values, percent-encoded labels, device, category), duplicates and bad keys are refused and
// store nothing.
'use strict';

const { DataForwarder } = require('edge-impulse-linux/build/library/data-forwarder');
const {
  env, listSamples, totalSamples, sampleValues, assertFloat32Rows, step, main, assert,
} = require('./lib');

const SENSORS = [
  { name: 'accX', units: 'm/s2' },
  { name: 'accY', units: 'm/s2' },
  { name: 'accZ', units: 'm/s2' },
];

function forwarder(overrides) {
  return new DataForwarder({
    deviceId: 'ac:87:a3:0a:2d:1b',
    deviceType: 'TINYLOOP_E2E_BOARD',
    sensors: SENSORS,
    intervalMs: 10,
    apiKey: env.apiKey,
    hmacKey: env.hmacKey,
    host: 'localhost',  // the only host the library sends to over plain HTTP (port 4810)
    ...overrides,
  });
}

// Uploads `rows` and returns what the library returned (the stored file name) or throws.
async function upload(df, rows, opts) {
  for (const row of rows) df.addData(row);
  return df.upload(opts);
}

async function expectRejected(df, rows, opts, pattern) {
  let thrown;
  try {
    await upload(df, rows, opts);
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `upload ${JSON.stringify(opts)} should have been refused`);
  const text = String(thrown && thrown.message ? thrown.message : thrown);
  assert.match(text, pattern, `refusal message for ${JSON.stringify(opts)}`);
  return text;
}

main(async () => {
  const cases = [
    {
      device: 'e2e-forwarder-1', label: 'wave x', category: 'training', file: 'wave x.01',
      rows: [[-9.81, 0.03, 1.21], [0.1, -0.2, 3.3333333], [1e-7, 123456.789, -4000],
        [16777217, 2.5e-39, 3.4e38]],
    },
    {
      device: 'e2e-forwarder-2', label: 'ruhe ü', category: 'testing', file: 'ruhe.02',
      rows: [[1.5, -2.25, 0.001], [-1e-30, 65504.125, 7], [0.3, 0.6, 0.9]],
    },
  ];

  for (const c of cases) {
    await step(`DataForwarder HS256 upload, label '${c.label}', ${c.category}`, async () => {
      const before = await totalSamples();
      const stored = await upload(forwarder({ deviceId: c.device }), c.rows,
        { filename: c.file, label: c.label, category: c.category });
      assert.equal(typeof stored, 'string');
      assert.ok(stored.length > 0, 'the 200 body names the stored file');
      assert.equal(await totalSamples(), before + 1);

      const samples = await listSamples({ device: c.device });
      assert.equal(samples.length, 1, `one sample from ${c.device}`);
      const s = samples[0];
      assert.equal(s.label, c.label, 'label percent-decoded intact');
      assert.equal(s.category, c.category);
      assert.equal(s.device_name, c.device);
      assert.equal(s.device_type, 'TINYLOOP_E2E_BOARD');
      assert.equal(s.file_name, stored, 'file_name equals the 200 body');
      assert.equal(s.interval_ms, 10);
      assert.equal(s.length, c.rows.length);
      assert.deepEqual(s.axes, SENSORS);
      assert.equal(s.signed, true, 'HS256 signature verified and recorded');

      const v = await sampleValues(s.id);
      assert.equal(v.interval_ms, 10);
      assert.deepEqual(v.axes, SENSORS);
      assertFloat32Rows(v.values, c.rows, `${c.device} values`);
    });
  }

  await step('same values again (x-disallow-duplicates: 1) are refused', async () => {
    const before = await totalSamples();
    const c = cases[0];
    await expectRejected(forwarder({ deviceId: 'e2e-forwarder-dup' }), c.rows,
      { filename: 'dup.01', label: c.label, category: c.category }, /duplicate|already/i);
    assert.equal(await totalSamples(), before, 'nothing stored');
    assert.equal((await listSamples({ device: 'e2e-forwarder-dup' })).length, 0);
  });

  await step('wrong HMAC key is refused, nothing stored', async () => {
    const before = await totalSamples();
    await expectRejected(forwarder({ deviceId: 'e2e-bad-hmac', hmacKey: 'not-the-project-key' }),
      [[1, 2, 3], [4, 5, 6]], { filename: 'badsig.01', label: 'bad', category: 'training' },
      /signature|hmac/i);
    assert.equal(await totalSamples(), before, 'nothing stored');
    assert.equal((await listSamples({ device: 'e2e-bad-hmac' })).length, 0);
  });

  await step('wrong API key is refused, nothing stored', async () => {
    const before = await totalSamples();
    await expectRejected(forwarder({ deviceId: 'e2e-bad-key', apiKey: 'ei_0000000000wrong' }),
      [[1, 2, 3]], { filename: 'badkey.01', label: 'bad', category: 'training' },
      /key|auth/i);
    assert.equal(await totalSamples(), before, 'nothing stored');
    assert.equal((await listSamples({ device: 'e2e-bad-key' })).length, 0);
  });
});
