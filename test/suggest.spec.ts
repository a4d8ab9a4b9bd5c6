/** "Did you mean" suggestions alone: the edit distance and the choice of the closest name. */
import { expect } from 'chai';
import { closestName, didYouMean, editDistance } from '../src/suggest';

describe('suggest', () => {
  describe('editDistance', () => {
    it('counts a swap of two adjacent letters as one edit', () => {
      expect(editDistance('laod', 'load')).to.equal(1);
      expect(editDistance('ab', 'ba')).to.equal(1);
      expect(editDistance('fetchUesr', 'fetchUser')).to.equal(1);
      expect(editDistance('recieve', 'receive')).to.equal(1);
      expect(editDistance('abcd', 'badc')).to.equal(2);
      expect(editDistance('aab', 'aba')).to.equal(1);
    });

    it('counts insertions, deletions and substitutions as before', () => {
      expect(editDistance('kitten', 'sitting')).to.equal(3);
      expect(editDistance('', 'abc')).to.equal(3);
      expect(editDistance('abc', '')).to.equal(3);
      expect(editDistance('same', 'same')).to.equal(0);
      expect(editDistance('load', 'loads')).to.equal(1);
    });

    it('edits no substring twice (optimal string alignment)', () => {
      // Damerau–Levenshtein proper says 2 (swap to "ac", insert "b"); OSA cannot edit the swapped
      // pair again, so it needs 3.
      expect(editDistance('ca', 'abc')).to.equal(3);
    });

    it('is symmetric', () => {
      for (const [a, b] of [
        ['laod', 'load'],
        ['ca', 'abc'],
        ['fetchUsr', 'fetchUser'],
        ['', 'x'],
      ]) {
        expect(editDistance(a, b), `${a} / ${b}`).to.equal(editDistance(b, a));
      }
    });

    it('with a bound, gives the distance within it and bound + 1 past it', () => {
      const pairs: [string, string][] = [
        ['kitten', 'sitting'],
        ['laod', 'load'],
        ['abcd', 'badc'],
        ['ca', 'abc'],
        ['fetchUser', 'renderPage'],
        ['', 'abc'],
      ];
      for (const [a, b] of pairs) {
        const exact = editDistance(a, b);
        for (let atMost = 0; atMost <= exact + 1; atMost++) {
          expect(editDistance(a, b, atMost), `${a} / ${b} at most ${atMost}`).to.equal(
            Math.min(exact, atMost + 1),
          );
        }
      }
    });
  });

  describe('closestName', () => {
    it('suggests a name with two letters swapped, even when the limit is one edit', () => {
      expect(closestName('laod', ['load', 'save'])).to.equal('load');
      expect(closestName('svae', ['load', 'save'])).to.equal('save');
      expect(didYouMean('laod', ['save', 'load'])).to.equal(' Did you mean "load"?');
    });

    it('suggests no name that would replace every letter of the one asked for', () => {
      expect(closestName('y', ['x', 'load'])).to.equal(undefined);
      expect(closestName('', ['x'])).to.equal(undefined);
      expect(closestName('y', ['Y'])).to.equal('Y');
      // A letter left out, or two swapped, keeps the others: still a typo.
      expect(closestName('y', ['yz'])).to.equal('yz');
      expect(closestName('ab', ['ba'])).to.equal('ba');
    });

    it('picks the closest of several near candidates, whatever their order', () => {
      const candidates = ['fetchUsers', 'fetchUser', 'fetchUserName', 'patchUser'];
      expect(closestName('fetchUsr', candidates)).to.equal('fetchUser');
      expect(closestName('fetchUsr', [...candidates].reverse())).to.equal('fetchUser');
    });

    it('guesses no typo in a name over 256 characters, but still finds one that differs in case', () => {
      const long = `load${'x'.repeat(300)}`;
      expect(closestName(`${long}s`, [long, 'save'])).to.equal(undefined);
      expect(closestName(long.toUpperCase(), ['save', long])).to.equal(long);
      const longest = 'a'.repeat(255);
      expect(closestName(`${longest}b`, [`${longest}c`])).to.equal(`${longest}c`);
    });

    it('allows a third of the name in edits, and always one', () => {
      // "rexxxt" is 3 edits from "report": more than 6 / 3.
      expect(closestName('rexxxt', ['report'])).to.equal(undefined);
      expect(closestName('rexxrt', ['report'])).to.equal('report');
      expect(didYouMean('ac', ['ab'])).to.equal(' Did you mean "ab"?');
    });

    it('looks through 100,000 long names in a bounded time, suggesting what it found by then', function () {
      // Bounded work, not a clock: 0.5 s in a run of this file alone, 4.5 s in the whole suite
      // under the load of other test runs on a 2-core machine (a hang guard).
      this.timeout(60_000);
      // Every candidate shares a long prefix with the name, so no distance ends early: comparing
      // every one took 15 s, for each result.get (or target, or @DependsOn) of a wrong name.
      const prefix = `process_customer_record_${'x'.repeat(70)}_`;
      const candidates = Array.from(
        { length: 100_000 },
        (_, index) => `${prefix}${String(index).padStart(6, '0')}`,
      );
      expect(closestName(`${prefix}0x0012`, candidates)).to.equal(`${prefix}000012`);
      // Equally near to every candidate: the first.
      expect(closestName(`${prefix}zzzzzz`, candidates)).to.equal(`${prefix}000000`);
      expect(closestName('q'.repeat(100), candidates)).to.equal(undefined);
      // The bound is on work, not on a clock: the one candidate a single edit away is the last,
      // and the search stops long before it with the closest it found by then.
      const nearLast = closestName(`${prefix}099999x`, candidates);
      expect(candidates).to.include(nearLast);
      expect(nearLast).to.not.equal(`${prefix}099999`);
      expect(candidates.indexOf(nearLast!)).to.be.below(10_000);
    });

    it('still suggests nothing for a name far from every candidate', () => {
      expect(closestName('dola', ['load'])).to.equal(undefined);
      expect(didYouMean('xyz', ['fetchUser'])).to.equal('');
    });
  });
});
