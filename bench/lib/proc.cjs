'use strict';
// Processes of the bench: spawning with logs to files, CPU and RSS from /proc, waiting for things.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const CLK_TCK = 100; // Linux USER_HZ
const PAGE = 4096;

/** CPU milliseconds (user + system) of a live process, from /proc/<pid>/stat. */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/**
 * CPU milliseconds of every PostgreSQL process on this machine (postmaster, backends, and the
 * children it has reaped): the database's share of a bench, when nothing else uses it meanwhile.
 */
function postgresCpuMs() {
  let total = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

/** Resident set size in MiB, from /proc/<pid>/statm. */
function rssMiB(pid) {
  const statm = fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return (Number(statm[1]) * PAGE) / (1024 * 1024);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a truthy value; throws after `timeoutMs` with `what`. */
async function waitFor(what, probe, { timeoutMs = 60_000, everyMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Starts a child process whose stdout/stderr go to `<logDir>/<name>.log` (a file, not a pipe, so the
 * bench process spends no CPU reading them). `stop()` sends SIGTERM and waits, then SIGKILL.
 */
function startProcess(name, command, args, { env = {}, cwd, logDir }) {
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  let exit;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exit = { code, signal }))));
  return {
    name,
    child,
    pid: child.pid,
    logFile,
    exited,
    get exit() {
      return exit;
    },
    log: () => fs.readFileSync(logFile, 'utf8'),
    async stop(graceMs = 10_000) {
      if (exit) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** Runs a command to completion; resolves with exit code, wall ms, stdout and stderr. */
function runCommand(command, args, { env = {}, cwd, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, wallMs: Number(process.hrtime.bigint() - started) / 1e6, stdout, stderr });
    });
  });
}

/**
 * Samples CPU and RSS of some processes every `everyMs` until stopped. A value may be a function
 * instead of a pid: it gives CPU milliseconds only (e.g. {@link postgresCpuMs}).
 */
function startSampler(pids, everyMs = 100) {
  const samples = [];
  const take = () => {
    const row = { t: Date.now() };
    for (const [name, pid] of Object.entries(pids)) {
      try {
        row[name] = typeof pid === 'function' ? { cpuMs: pid() } : { cpuMs: cpuMs(pid), rssMiB: rssMiB(pid) };
      } catch {
        row[name] = undefined;
      }
    }
    samples.push(row);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    take,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
    /** The last sample at or before `t` for `name` (the first one when t is earlier). */
    at(name, t) {
      let found = samples.find((s) => s[name]);
      for (const s of samples) if (s.t <= t && s[name]) found = s;
      return found?.[name];
    },
  };
}

module.exports = { cpuMs, postgresCpuMs, rssMiB, waitFor, startProcess, runCommand, startSampler };
