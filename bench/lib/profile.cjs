'use strict';
// A CPU profile (node --cpu-prof) summed up by where the time went. Each sample is charged to the
// innermost frame of its stack that belongs to a known category, so a socket write issued by the
// PostgreSQL driver counts as database time, not as "writev".
const fs = require('node:fs');
const path = require('node:path');

const CATEGORIES = [
  ['database (pg, TypeORM, socket writes to PostgreSQL)', /node_modules\/(pg|pg-protocol|pg-pool|typeorm|@electric-sql)\/|PostgresQueryRunner|PostgresDriver|QueryBuilder/],
  ['HTTP to ComfyUI (ky, undici, retries)', /undici|node_modules\/ky\/|ts-retry-promise|\b_Ky\b|_fetch|attemptJson|requestJson|requestBytes/],
  ['WebSocket events (ws)', /node_modules\/ws\/|parseFrame|event-stream/],
  ['files (write, fsync, rename, hash)', /^(openFileHandle|fsync|rename|mkdir|close|writeFileAtomically|fileSha256|sha256|Hash)\b/],
  ['logging (winston)', /winston|logform/],
];

function classify(frame) {
  const text = `${frame.functionName} ${frame.url}`;
  for (const [name, pattern] of CATEGORIES) if (pattern.test(text) || pattern.test(frame.functionName)) return name;
  return undefined;
}

/** Share of the profile's time per category, largest first: [{ name, ms, share }]. */
function summarizeCpuProfile(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const leaf = nodes.get(id).callFrame.functionName;
    let name = ['(idle)', '(garbage collector)', '(program)'].includes(leaf) ? leaf.slice(1, -1) : undefined;
    for (let cur = id; !name && cur !== undefined; cur = parent.get(cur)) name = classify(nodes.get(cur).callFrame);
    name ??= 'Kiln and the rest of Node';
    totals.set(name, (totals.get(name) ?? 0) + dt);
  });
  return [...totals].map(([name, us]) => ({ name, ms: us / 1000, share: us / all })).sort((a, b) => b.ms - a.ms);
}

/** The newest .cpuprofile in a folder. */
function newestProfile(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  return files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

module.exports = { summarizeCpuProfile, newestProfile };
