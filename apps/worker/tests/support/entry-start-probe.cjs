'use strict';
// Preloaded with `node --require` by worker-early-stop.e2e.spec.ts: writes "entry" to fd 3 when the
// worker's entry script first requires a module, i.e. when it starts loading code (the worker's own,
// or anything else). The test times its signals from here rather than from spawn: before the entry
// runs, Node runs no JavaScript of the program (tens to hundreds of milliseconds on a busy machine)
// and nothing a program does can catch a signal there. Only observes: the require goes on unchanged.
const fs = require('node:fs');
const Module = require('node:module');

const original = Module.prototype.require;
Module.prototype.require = function requireAndReport(id) {
  if (this.id === '.' && this.filename === process.argv[1]) {
    Module.prototype.require = original;
    fs.writeSync(3, 'entry\n');
  }
  return original.call(this, id);
};
