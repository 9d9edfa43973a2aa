// Helpers shared by the real-client scripts: the tinyloop native REST API (port 4800) and
// float32-exact comparisons. Configuration comes from the environment set by run.sh.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const API = 'http://127.0.0.1:4800';
const env = {
  projectId: Number(process.env.TL_PROJECT_ID),
  apiKey: process.env.TL_API_KEY,
  hmacKey: process.env.TL_HMAC_KEY,
};
assert.ok(env.projectId > 0 && env.apiKey && env.hmacKey,
  'TL_PROJECT_ID, TL_API_KEY and TL_HMAC_KEY must be set (run through run.sh)');

async function apiGet(path, { raw = false } = {}) {
  const res = await fetch(API + path, { headers: { 'x-api-key': env.apiKey } });
  if (raw) {
    assert.equal(res.status, 200, `GET ${path} -> ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text);
}

const projectPath = () => `/api/v1/projects/${env.projectId}`;

// Samples matching `query` (label, category, device); the API pages them, so follow it.
async function listSamples(query = {}) {
  const out = [];
  for (let offset = 0; ; offset += 100) {
    const q = new URLSearchParams({ ...query, limit: '100', offset: String(offset) });
    const page = await apiGet(`${projectPath()}/samples?${q}`);
    out.push(...page.samples);
    if (page.samples.length === 0 || out.length >= page.total) {
      assert.equal(out.length, page.total, `paging ${JSON.stringify(query)}`);
      return out;
    }
  }
}

async function totalSamples() {
  return (await apiGet(`${projectPath()}/samples?limit=1`)).total;
}

async function sampleValues(id) {
  return apiGet(`${projectPath()}/samples/${id}/values`);
}

async function sampleRaw(id) {
  return apiGet(`${projectPath()}/samples/${id}/raw`, { raw: true });
}

// The server stores float32 and prints each in its shortest exact form, so the text read back
// as float32 (Math.fround of the parsed double) must be exactly Math.fround(sent).
function assertFloat32Rows(got, sent, what) {
  assert.equal(got.length, sent.length, `${what}: row count`);
  for (let r = 0; r < sent.length; ++r) {
    const row = Array.isArray(sent[r]) ? sent[r] : [sent[r]];
    assert.equal(got[r].length, row.length, `${what}: width of row ${r}`);
    for (let c = 0; c < row.length; ++c) {
      const want = Math.fround(row[c]);
      assert.equal(typeof got[r][c], 'number', `${what}: values[${r}][${c}]`);
      assert.ok(Object.is(Math.fround(got[r][c]), want),
        `${what}: values[${r}][${c}] = ${got[r][c]}, want float32 ${want} (sent ${row[c]})`);
    }
  }
}

// Edge Impulse's signing recipe (compat/edge-impulse.md 1b) for JSON acquisition files.
function signAcquisitionJson(doc, hmacKey) {
  const zeros = '0'.repeat(64);
  const text = JSON.stringify({ ...doc, signature: zeros });
  const sig = crypto.createHmac('sha256', hmacKey).update(Buffer.from(text, 'utf-8')).digest('hex');
  return Buffer.from(text.replace(zeros, sig), 'utf-8');
}

// Runs one check; a failure is reported and counted, and the script goes on so that one run
// shows every incompatibility. Returns whether it passed.
const failed = [];
async function step(name, fn) {
  process.stdout.write(`--- ${name}\n`);
  try {
    await fn();
  } catch (err) {
    failed.push(name);
    process.stdout.write(`FAIL ${name}\n     ${err && err.stack ? err.stack : err}\n`);
    return false;
  }
  process.stdout.write(`ok   ${name}\n`);
  return true;
}

function main(fn) {
  fn().then(() => {
    if (failed.length > 0) {
      console.error(`FAIL: ${failed.length} check(s) failed:\n  ${failed.join('\n  ')}`);
      process.exit(1);
    }
    process.exit(0);
  }, (err) => {
    console.error('FAIL:', err && err.stack ? err.stack : err);
    process.exit(1);
  });
}

module.exports = {
  env, apiGet, listSamples, totalSamples, sampleValues, sampleRaw, assertFloat32Rows,
  signAcquisitionJson, step, main, assert,
};
