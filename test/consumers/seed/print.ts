// Appended by test/package.spec.ts where a runner takes one file: print what seed() returns.
seed().then(
  (lines) => console.log(lines.join('\n')),
  (error: unknown) => console.log(`error ${error instanceof Error ? error.stack : String(error)}`),
);
