'use strict';
// The "GPU": the ComfyUI emulator in its own process (tools/comfyui-emulator/bin), with a fixed
// prompt duration. Everything the bench measures about the server side comes from here: its
// history timestamps (execution_start / execution_success), its stats, its RSS.
const path = require('node:path');
const { startProcess, waitFor, rssMiB, cpuMs } = require('./proc.cjs');

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'tools/comfyui-emulator/bin/comfyui-emulator.cjs');

async function startEmulatorProcess({ name = 'emulator', durationMs, logDir, outputDir, extraArgs = [] }) {
  const args = [BIN, '--port', '0', '--duration-ms', String(durationMs), '--quiet', ...extraArgs];
  if (outputDir) args.push('--output-dir', outputDir);
  const proc = startProcess(name, process.execPath, args, { cwd: ROOT, logDir });
  const url = await waitFor(
    `${name} to print its URL`,
    () => {
      if (proc.exit) throw new Error(`${name} exited early: ${proc.log()}`);
      return /ready at (http:\/\/\S+)/.exec(proc.log())?.[1];
    },
    { timeoutMs: 20_000 },
  );
  return {
    ...proc,
    url,
    stop: proc.stop,
    async stats() {
      return getJson(`${url}/__emulator/stats`);
    },
    async history() {
      return getJson(`${url}/history`);
    },
    rssMiB: () => rssMiB(proc.pid),
    cpuMs: () => cpuMs(proc.pid),
  };
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

/**
 * One row per prompt in a history: id, start and success timestamps (ms), output file names.
 * Prompts that did not succeed have `success` undefined.
 */
function promptsOf(history) {
  return Object.entries(history)
    .map(([id, entry]) => {
      const at = {};
      for (const [type, data] of entry.status?.messages ?? []) at[type] = data.timestamp;
      return { id, start: at.execution_start, success: at.execution_success, status: entry.status?.status_str };
    })
    .sort((a, b) => a.start - b.start);
}

module.exports = { startEmulatorProcess, promptsOf };
