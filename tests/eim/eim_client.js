// Drives a tinyloop .eim with the unmodified LinuxImpulseRunner of edge-impulse-linux@1.25.2:
// hello (init), classify, classifyContinuous, setLearnBlockThreshold, and compares the
// classification with the offline pipeline's (expected.json from eim_expected).
// Usage: node eim_client.js MODEL.eim EXPECTED.json   (NODE_PATH holds the npm package)
'use strict';
const fs = require('fs');
const { LinuxImpulseRunner } =
    require('edge-impulse-linux/build/library/classifier/linux-impulse-runner');

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

async function main() {
  const [eim, expectedPath] = process.argv.slice(2);
  const expected = JSON.parse(fs.readFileSync(expectedPath, 'utf-8'));
  const runner = new LinuxImpulseRunner(eim);
  try {
    const info = await runner.init();
    const p = info.modelParameters;
    const labels = Object.keys(expected.classification);
    check(p.input_features_count === expected.features.length,
          `input_features_count ${p.input_features_count} == ${expected.features.length}`);
    check(JSON.stringify(p.labels) === JSON.stringify(labels), `labels ${p.labels}`);
    check(p.label_count === labels.length, 'label_count');
    check(p.frequency > 0 && p.axis_count >= 1, 'frequency and axis_count');
    check(p.has_anomaly === (expected.anomaly === undefined ? 0 : p.has_anomaly) &&
          (expected.anomaly === undefined) === (p.has_anomaly === 0), 'has_anomaly');
    check(info.project.name.length > 0, 'project name');
    console.log('hello ok:', JSON.stringify(p));

    const res = await runner.classify(expected.features);
    const got = res.result.classification;
    for (const l of labels) {
      check(Math.abs(got[l] - expected.classification[l]) < 1e-6,
            `score of ${l}: eim ${got[l]} vs offline ${expected.classification[l]}`);
    }
    if (expected.anomaly !== undefined) {
      check(Math.abs(res.result.anomaly - expected.anomaly) < 1e-6 * Math.max(1, Math.abs(expected.anomaly)),
            `anomaly ${res.result.anomaly} vs ${expected.anomaly}`);
    }
    check(typeof res.timing.dsp === 'number', 'timing');
    console.log('classify ok:', JSON.stringify(res.result));

    // Continuous mode: feeding the window slice by slice ends with the same window.
    check(expected.features.length % p.slice_size === 0, 'slice_size divides the window');
    let last;
    for (let i = 0; i < expected.features.length; i += p.slice_size) {
      last = await runner.classifyContinuous(expected.features.slice(i, i + p.slice_size));
    }
    for (const l of labels) {
      check(Math.abs(last.result.classification[l] - expected.classification[l]) < 1e-6,
            `continuous score of ${l}`);
    }
    console.log('classify_continuous ok');

    const th = p.thresholds.find((t) => t.type === 'classification');
    check(th !== undefined, 'a classification threshold in hello');
    const set = await runner.setLearnBlockThreshold({ id: th.id, min_score: 0.25 });
    check(set.success === true, 'set_threshold success');
    const bad = await runner.setLearnBlockThreshold({ id: 999, min_score: 0.5 });
    check(bad.success === false, 'set_threshold on an unknown block fails');
    let threw = false;
    try { await runner.classify([1, 2, 3]); } catch (e) { threw = /expected/.test(e.message); }
    check(threw, 'classify with a wrong feature count is an error naming the count');
    console.log('set_threshold ok');
  } finally {
    await runner.stop();
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
