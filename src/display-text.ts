/**
 * Names as one line of terminal text: characters that would break a line or reach the terminal as
 * a command are made visible, broken surrogate pairs are replaced, and widths are counted in
 * terminal columns — per code point, never per UTF-16 unit, two for wide East Asian characters and
 * emoji — so a cut never splits a character and columns line up.
 */

/** C0 and C1 control characters, the Unicode line and paragraph separators, and lone surrogates. */
const UNPRINTABLE = /\p{Cc}|[\u2028\u2029]|\p{Cs}/gu;

/**
 * `text` without characters that break a line or control a terminal: C0 control characters and
 * DEL become their Unicode control pictures, C1 control characters, U+2028, U+2029 and lone
 * surrogates become `�` (U+FFFD). Everything else is kept.
 *
 * @example
 * ```ts
 * printableText('fetch\nusers'); // 'fetch␊users'
 * printableText('tab\there'); // 'tab␉here'
 * printableText('\u001b[31m'); // '␛[31m'
 * ```
 */
export function printableText(text: string): string {
  return text.replace(UNPRINTABLE, (character) => {
    const code = character.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? '\u2421' : '\ufffd';
  });
}

/**
 * The terminal columns `text` takes: two for each wide East Asian character or emoji, one for
 * every other code point. (Combining marks and joiners count one too: a width is never less than
 * the number of code points.)
 *
 * @example
 * ```ts
 * columnWidth('ok'); // 2
 * columnWidth('𠀀'); // 2: one code point, two UTF-16 units, two columns
 * columnWidth('é😀'); // 3
 * ```
 */
export function columnWidth(text: string): number {
  let columns = 0;
  for (const character of text) columns += columnsOf(character);
  return columns;
}

/**
 * `text` cut or padded with spaces to exactly `width` columns (at least 1). A cut text ends in `…`
 * and keeps whole characters only.
 *
 * @example
 * ```ts
 * fitColumns('fetch', 8); // 'fetch   '
 * fitColumns('😀😀😀😀', 3); // '😀😀…'
 * ```
 */
export function fitColumns(text: string, width: number): string {
  const columns = columnWidth(text);
  if (columns <= width) return text + ' '.repeat(width - columns);
  let kept = '';
  let keptColumns = 0;
  for (const character of text) {
    const next = keptColumns + columnsOf(character);
    if (next > width - 1) break;
    kept += character;
    keptColumns = next;
  }
  return `${kept}…${' '.repeat(width - 1 - keptColumns)}`;
}

/**
 * Code point ranges a terminal draws two columns wide: the East Asian Wide and Fullwidth blocks
 * and the emoji blocks, from Unicode's EastAsianWidth.txt, coarsely.
 */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo leading consonants
  [0x2e80, 0x303e], // CJK radicals, Kangxi radicals, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, CJK compatibility
  [0x3400, 0x4dbf], // CJK unified ideographs extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x1f300, 0x1f64f], // emoji: pictographs, emoticons
  [0x1f680, 0x1f6ff], // emoji: transport and map symbols
  [0x1f900, 0x1f9ff], // emoji: supplemental symbols and pictographs
  [0x20000, 0x3fffd], // CJK ideographs in planes 2 and 3
];

/** The columns one code point takes: 2 when it is wide, otherwise 1. */
function columnsOf(character: string): number {
  const code = character.codePointAt(0)!;
  if (code < WIDE_RANGES[0][0]) return 1;
  return WIDE_RANGES.some(([first, last]) => code >= first && code <= last) ? 2 : 1;
}
