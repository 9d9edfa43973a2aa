// The Edge Impulse uploader's own code from edge-impulse-linux (cli-common/config.js for the
// Studio-API login with EI_HOST=127.0.0.1, cli-common/make-image.js upload() for the
// multipart request) against a tinyloop server on 127.0.0.1:4800/4810: a JSON acquisition
// file, a CSV with a timestamp column and a 16-bit PCM WAV arrive with their labels,
// categories, metadata, original bytes and values; a wrong API key is refused with 401.
'use strict';

const { Config } = require('edge-impulse-linux/build/cli-common/config');
const { EdgeImpulseApi } = require('edge-impulse-linux/build/sdk/studio/api');
const makeImage = require('edge-impulse-linux/build/cli-common/make-image');
const {
  env, listSamples, totalSamples, sampleValues, sampleRaw, assertFloat32Rows,
  signAcquisitionJson, step, main, assert,
} = require('./lib');

function wav16(sampleRate, samples) {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);          // fmt chunk size
  h.writeUInt16LE(1, 20);           // PCM
  h.writeUInt16LE(1, 22);           // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);           // block align
  h.writeUInt16LE(16, 34);          // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

main(async () => {
  let config;
  const configFactory = new Config();
  let projectId;

  const loggedIn = await step('uploader login: Config.verifyLogin with EI_HOST=127.0.0.1',
    async () => {
      assert.equal(process.env.EI_HOST, '127.0.0.1');
      // The Studio SDK refuses keys that do not start with "ei_" before sending anything.
      assert.ok(env.apiKey.startsWith('ei_'),
        'Edge Impulse tools only accept API keys starting with "ei_"; the project key is ' +
        `"${env.apiKey.slice(0, 6)}..."`);
      config = await configFactory.verifyLogin(false, env.apiKey);  // GET /v1/api/projects
      assert.equal(config.endpoints.internal.ingestion, 'http://127.0.0.1:4810');
    });
  if (!loggedIn) {
    // Go on with the same SDK objects the login would have made, with the key set directly
    // (skipping the SDK's "ei_" prefix check), so the rest still runs the real client code.
    const api = new EdgeImpulseApi({ endpoint: 'http://127.0.0.1:4800' });
    api.projects.setApiKey(0, env.apiKey);
    config = { api, endpoints: { internal: { ingestion: 'http://127.0.0.1:4810' } } };
  }
  projectId = env.projectId;

  await step('Studio-API subset via the SDK: projects, project info, HMAC dev key', async () => {
    const projects = await config.api.projects.listProjects();
    assert.equal(projects.projects.length, 1, 'a project API key sees exactly its project');
    assert.equal(projects.projects[0].id, env.projectId);
    const info = await config.api.projects.getProjectInfo(projectId);
    assert.equal(info.project.id, env.projectId);
    const devkeys = await config.api.projects.getHmacDevkey(projectId);
    assert.equal(devkeys.hmacKey, env.hmacKey, 'devkeys/hmac returns the project HMAC key');
  });

  const jsonRows = [[0.5, -1.25, 9.80665], [1e-3, 2e-3, -3e-3], [-0.1, 0.2, 1024.0001]];
  const jsonDoc = {
    protected: { ver: 'v1', alg: 'HS256', iat: 1700000000 },
    signature: '',
    payload: {
      device_name: 'e2e-uploader-json', device_type: 'NRF5340DK', interval_ms: 16,
      sensors: [{ name: 'gyrX', units: 'dps' }, { name: 'gyrY', units: 'dps' },
        { name: 'gyrZ', units: 'dps' }],
      values: jsonRows,
    },
  };
  const csvRows = [[0.5, -1.25, 3], [0.75, 2.5e-6, -4], [1, 1e10, 0.1], [1.25, -0.3, 7]];
  const csvText = 'timestamp,accX,accY,accZ\n' +
    csvRows.map((r, i) => [i * 20, ...r].join(',')).join('\n') + '\n';
  const wavSamples = [0, 1, -1, 32767, -32768, 1234, -4321, 100, -100, 2];

  const files = [
    {
      filename: 'idle.01.json', label: 'idle x', category: 'training',
      buffer: signAcquisitionJson(jsonDoc, env.hmacKey),
      check: async (s) => {
        assert.equal(s.device_name, 'e2e-uploader-json');
        assert.equal(s.device_type, 'NRF5340DK');
        assert.equal(s.interval_ms, 16);
        assert.deepEqual(s.axes, jsonDoc.payload.sensors);
        assert.equal(s.signed, true, 'HS256 file signature verified');
        const v = await sampleValues(s.id);
        assertFloat32Rows(v.values, jsonRows, 'json values');
      },
    },
    {
      filename: 'wave.02.csv', label: 'wave', category: 'testing',
      buffer: Buffer.from(csvText, 'utf-8'),
      check: async (s) => {
        assert.equal(s.interval_ms, 20, 'interval from the timestamp column');
        assert.deepEqual(s.axes.map((a) => a.name), ['accX', 'accY', 'accZ'],
          'timestamp is not an axis');
        const v = await sampleValues(s.id);
        assertFloat32Rows(v.values, csvRows, 'csv values');
      },
    },
    {
      filename: 'noise.03.wav', label: 'noise', category: 'anomaly',
      buffer: wav16(16000, wavSamples),
      check: async (s) => {
        assert.equal(s.interval_ms, 0.0625, '16 kHz');
        assert.equal(s.axes.length, 1);
        assert.equal(s.length, wavSamples.length);
        const v = await sampleValues(s.id);
        assertFloat32Rows(v.values, wavSamples.map((x) => [x]), 'wav values (raw int16)');
      },
    },
  ];

  for (const f of files) {
    await step(`make-image upload ${f.filename} -> ${f.category} '${f.label}'`, async () => {
      const before = await totalSamples();
      await makeImage.upload({
        projectId,
        filename: f.filename,
        buffer: f.buffer,
        label: { type: 'label', label: f.label },
        allowDuplicates: false,
        apiKey: env.apiKey,
        config,
        category: f.category,
        boundingBoxes: undefined,
        metadata: { site: 'lab', run: 'e2e' },
        addDateId: false,
        attachments: undefined,
        configFactory,
      });
      assert.equal(await totalSamples(), before + 1);
      const samples = await listSamples({ label: f.label });
      assert.equal(samples.length, 1, `one sample labelled '${f.label}'`);
      const s = samples[0];
      assert.equal(s.label, f.label);
      assert.equal(s.category, f.category);
      assert.equal(s.metadata.site, 'lab', 'x-metadata stored');
      assert.equal(s.metadata.run, 'e2e', 'x-metadata stored');
      assert.ok(s.file_name.startsWith(f.filename.split('.')[0]), `file name ${s.file_name}`);
      assert.ok((await sampleRaw(s.id)).equals(f.buffer), 'raw body is the original file');
      await f.check(s);
    });
  }

  await step('wrong API key: upload() throws, 401, nothing stored', async () => {
    const before = await totalSamples();
    const buffer = Buffer.from('timestamp,a\n0,1\n10,2\n', 'utf-8');
    let thrown;
    try {
      await makeImage.upload({
        projectId, filename: 'nokey.01.csv', buffer, label: { type: 'label', label: 'nokey' },
        allowDuplicates: true, apiKey: 'ei_0000000000wrong', config, category: 'training',
        boundingBoxes: undefined, metadata: undefined, addDateId: false, attachments: undefined,
        configFactory,
      });
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown, 'upload with a wrong API key must throw');
    assert.match(String(thrown.message), /key|auth/i);
    // The same request the uploader makes, to see the status code it got.
    const form = new FormData();
    form.append('data', new Blob([buffer], { type: 'text/csv' }), 'nokey.01.csv');
    const res = await fetch('http://127.0.0.1:4810/api/training/files', {
      method: 'POST', headers: { 'x-api-key': 'ei_0000000000wrong', 'x-label': 'nokey' },
      body: form,
    });
    assert.equal(res.status, 401);
    const body = await res.json();
    assert.equal(body.success, false);
    assert.equal(typeof body.error, 'string');
    assert.equal(await totalSamples(), before, 'nothing stored');
    assert.equal((await listSamples({ label: 'nokey' })).length, 0);
  });
});
