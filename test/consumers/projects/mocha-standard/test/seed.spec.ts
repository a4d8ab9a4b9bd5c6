import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { seed } from './seed';

describe('the seed example', () => {
  it('runs with standard decorators', async () => {
    const lines = await seed();
    writeFileSync('standard.report.json', JSON.stringify(lines));
    expect(lines[0]).to.equal('decorators standard');
    expect(lines).to.include('results {"first":1,"end":4}');
  });
});
