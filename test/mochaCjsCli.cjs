// For mutation testing only (npm run test:mutation): Stryker's mocha runner requires mocha's CLI modules without an
// extension (`lib/cli/run-helpers`), and mocha 12 ships them as .cjs. Node tries each registered extension in turn,
// so registering .cjs as CommonJS lets those requires resolve.
require.extensions[".cjs"] ??= require.extensions[".js"];
