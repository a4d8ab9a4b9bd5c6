import { writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { seed } from './seed';

test('runs the seed example with standard decorators', async () => {
  const lines = await seed();
  writeFileSync('standard.report.json', JSON.stringify(lines));
  expect(lines[0]).toBe('decorators standard');
  expect(lines).toContain('results {"first":1,"end":4}');
});
