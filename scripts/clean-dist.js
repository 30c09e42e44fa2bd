// Every build starts from an empty dist/: a compiled file whose source was moved or deleted
// (a test above all) must not linger and run.
require('node:fs').rmSync(require('node:path').resolve(__dirname, '..', 'dist'), { recursive: true, force: true });
