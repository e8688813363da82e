// Preloaded into the service under test (NODE_OPTIONS=--require): writes one JSON log line as each of the app's
// own modules starts loading, an event a test can act on where the app logs nothing (e.g. a signal while the
// primary loads its config). Plain CommonJS: it runs in `node lib/index.js`, not under jest.
const Module = require('node:module');
const path = require('node:path');

// The entry's folder (lib/): modules required from there are the app's, not its dependencies'.
const app = path.dirname(path.resolve(process.argv[1])) + path.sep;
const load = Module._load;
Module._load = function markLoading(request, parent, isMain) {
  if (request.startsWith('./') && parent?.filename?.startsWith(app)) {
    process.stdout.write(`${JSON.stringify({ msg: 'module loading', module: request, pid: process.pid })}\n`);
  }
  return load.call(this, request, parent, isMain);
};
