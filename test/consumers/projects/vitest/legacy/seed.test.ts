import { writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { seed } from './seed';

test('runs the seed example with legacy decorators', async () => {
  const lines = await seed();
  writeFileSync('legacy.report.json', JSON.stringify(lines));
  expect(lines[0]).toBe('decorators legacy');
  expect(lines).toContain('results {"first":1,"end":4}');
});
