#include "api/dashboard.h"

namespace tinyloop::api {
namespace {

constexpr const char kPage[] = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tinyloop</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}
th{background:#f4f4f4}.k{text-align:left}.warn{color:#a40}code{background:#f4f4f4;padding:0 .3em}
</style></head><body>
<h1>tinyloop</h1>
<p>Self-hosted TinyML loop. Paste a project API key to see whether the right data is arriving.</p>
<form id="f"><input id="key" size="50" placeholder="ei_tl_..."> <button>Show data report</button></form>
<div id="out"></div>
<script>
const out = document.getElementById('out');
function table(obj, head) {
  let h = '<table><tr><th class="k">' + head + '</th><th>samples</th></tr>';
  for (const [k, v] of Object.entries(obj)) h += '<tr><td class="k">' + esc(k) + '</td><td>' + v + '</td></tr>';
  return h + '</table>';
}
function esc(s) { return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c])); }
document.getElementById('f').onsubmit = async (e) => {
  e.preventDefault();
  const key = document.getElementById('key').value.trim();
  const headers = {'x-api-key': key};
  const projects = await (await fetch('/api/v1/projects', {headers})).json();
  if (projects.error) { out.innerHTML = '<p class="warn">' + esc(projects.error.message) + '</p>'; return; }
  const p = projects.projects[0];
  const r = await (await fetch('/api/v1/projects/' + p.id + '/data-report', {headers})).json();
  let h = '<h2>' + esc(p.name) + ' (project ' + p.id + ')</h2><p>' + r.samples + ' samples</p>';
  h += '<h3>By label</h3>' + table(r.by_label, 'label');
  h += '<h3>By category</h3>' + table(r.by_category, 'category');
  h += '<h3>By device</h3>' + table(r.by_device, 'device');
  h += '<h3>Findings</h3>' + table(r.findings_by_kind || {}, 'kind');
  h += '<ul>' + r.findings.slice(0, 50).map(f => '<li><code>' + esc(f.kind) + '</code> sample ' + f.sample_id + ': ' + esc(f.detail) + '</li>').join('') + '</ul>';
  out.innerHTML = h;
};
</script></body></html>
)HTML";

}  // namespace

HttpResponse DashboardPage() {
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = kPage;
  return r;
}

}  // namespace tinyloop::api
