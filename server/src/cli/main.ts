import { buildProgram } from './program.js';

buildProgram()
  .parseAsync()
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`abrik: ${message}\n`);
    process.exit(1);
  });
