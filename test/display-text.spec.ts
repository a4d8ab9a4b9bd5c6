/** Names as one line of terminal text, measured in terminal columns. */
import { expect } from 'chai';
import { columnWidth, fitColumns, leftToRightCell, printableText } from '../src/display-text';

describe('display text', () => {
  describe('leftToRightCell', () => {
    it('sets off a cell holding right-to-left text with left-to-right marks, which take no column', () => {
      for (const cell of ['עברית  ', 'مرحبا', 'ok \u05d0', 'x\u200f', '\u{10900}']) {
        expect(leftToRightCell(cell), cell).to.equal(`\u200e${cell}\u200e`);
        expect(columnWidth(leftToRightCell(cell)), cell).to.equal(columnWidth(cell));
      }
      for (const cell of ['fetch  ', '漢字', 'é', '', '😀']) {
        expect(leftToRightCell(cell), cell).to.equal(cell);
      }
    });
  });

  describe('printableText', () => {
    it('replaces bidirectional embeddings, overrides and isolates, which reorder the rest of a line', () => {
      // U+202E (right-to-left override) would show everything after it on the line mirrored: in a
      // timeline row, the bar and the label after the name ("Trojan Source", CVE-2021-42574).
      for (const control of '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069') {
        expect(printableText(`a${control}b`), control.codePointAt(0)!.toString(16)).to.equal(
          'a\ufffdb',
        );
      }
      // Right-to-left text itself, and the marks that only set a direction, are kept.
      expect(printableText('שלום عربي \u200e\u200f\u061c')).to.equal(
        'שלום عربي \u200e\u200f\u061c',
      );
    });
  });

  describe('columnWidth', () => {
    it('counts emoji with default emoji presentation as two columns', () => {
      // East_Asian_Width W in Unicode's EastAsianWidth.txt, outside the big emoji blocks.
      const emoji = [
        ...'⌚⌛⏩⏰⏳◽☔♈♿⚓⚡⚪⚽⛄⛎⛔⛪⛲⛵⛺⛽✅✊✨❌❎❓❗➕➰➿⬛⭐⭕',
        ...'🀄🃏🆎🆑🈁🉐🟠🟰🤌🥇🩰🫠',
      ];
      for (const character of emoji) expect(columnWidth(character), character).to.equal(2);
      expect(columnWidth(emoji.join(''))).to.equal(2 * emoji.length);
    });

    it('counts a name with such an emoji the way a terminal draws it', () => {
      expect(columnWidth('✅ done')).to.equal(7);
      expect(columnWidth('⚡ fast')).to.equal(7);
      expect(columnWidth('❌ fail')).to.equal(7);
      expect(columnWidth('⭐ star')).to.equal(7);
      expect(columnWidth('⌛ wait')).to.equal(7);
      expect(columnWidth('🫠 melt')).to.equal(7);
      expect(columnWidth('😀 grin')).to.equal(7);
    });

    it('keeps text-style symbols narrow, and two columns once U+FE0F makes them emoji', () => {
      // East_Asian_Width N or A: a terminal draws them in one column.
      for (const symbol of ['☀', '❤', '✔', '⚠', '🌡', '🕊', '⌨']) {
        expect(columnWidth(symbol), symbol).to.equal(1);
        expect(columnWidth(`${symbol}\ufe0f`), `${symbol} with U+FE0F`).to.equal(2);
      }
    });

    it('counts combining marks and invisible format characters as no column', () => {
      expect(columnWidth('cafe\u0301')).to.equal(4); // é written as e + a combining accent
      expect(columnWidth('a\u200bb')).to.equal(2); // a zero-width space
      expect(columnWidth('\u{1f469}\u200d\u{1f4bb}')).to.equal(4); // two emoji, joined
      expect(columnWidth('a\ufe0f')).to.equal(1); // U+FE0F after a letter changes nothing
      expect(columnWidth('1\ufe0f\u20e3')).to.equal(2); // a keycap emoji
      expect(fitColumns('cafe\u0301s are nice', 6)).to.equal('cafe\u0301s…');
    });

    it('counts wide East Asian characters two columns and everything else one', () => {
      expect(columnWidth('漢字')).to.equal(4);
      expect(columnWidth('ｆｕｌｌ')).to.equal(8);
      expect(columnWidth('한국')).to.equal(4);
      expect(columnWidth('𠀀')).to.equal(2);
      expect(columnWidth('é')).to.equal(1);
      expect(columnWidth('ok')).to.equal(2);
      // Code points next to wide ranges stay narrow.
      expect(columnWidth('\u1160\u2319\u231c\u303f\u{1f321}\u{1f650}\u{1f90b}')).to.equal(7);
    });
  });

  describe('fitColumns', () => {
    it('cuts before a wide emoji that would not fit, and pads to the exact width', () => {
      expect(fitColumns('✅ done', 6)).to.equal('✅ do…');
      expect(fitColumns('⚡⚡⚡⚡', 6)).to.equal('⚡⚡… ');
      expect(fitColumns('❌ fail', 9)).to.equal('❌ fail  ');
      expect(columnWidth(fitColumns('⭐⌛🫠 stars', 7))).to.equal(7);
    });
  });
});
