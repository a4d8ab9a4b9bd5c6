/**
 * Names as one line of terminal text: characters that would break a line or reach the terminal as
 * a command are made visible, broken surrogate pairs are replaced, and widths are counted in
 * terminal columns — per code point, never per UTF-16 unit, two for wide East Asian characters and
 * emoji, none for combining marks and invisible format characters — so a cut never splits a
 * character and columns line up.
 */

/**
 * C0 and C1 control characters, the Unicode line and paragraph separators, the bidirectional
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), and lone surrogates: what
 * pictures show as a substitute, and what messages escape in a name (`quotedName`).
 */
export const UNPRINTABLE = /\p{Cc}|[\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

/**
 * `text` without characters that break a line or control a terminal: C0 control characters and
 * DEL become their Unicode control pictures, C1 control characters, U+2028, U+2029, lone
 * surrogates and the bidirectional embeddings, overrides and isolates become `�` (U+FFFD) — a
 * right-to-left override in a name would show the rest of its line (a timeline row's bar and
 * label) mirrored, as "Trojan Source" does to code. Everything else is kept, right-to-left text
 * and the marks that only set a direction included.
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
 * Characters of bidirectional class R or AL, as near as a regular expression gets without that
 * property: the right-to-left scripts of the BMP (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan,
 * Mandaic, and their presentation forms) and of the SMP, and the right-to-left mark.
 */
const RIGHT_TO_LEFT =
  /[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufefe\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/** U+200E LEFT-TO-RIGHT MARK: a strong left-to-right character that takes no column. */
const LEFT_TO_RIGHT_MARK = '\u200e';

/**
 * `cell` — the first cell of a line, such as a timeline row's name column — set off by left-to-right
 * marks when it holds right-to-left text, so that the rest of the line is drawn left to right.
 * Under the Unicode bidirectional algorithm the spaces, bars and numbers between a Hebrew or Arabic
 * name and the next left-to-right letter take the name's direction, and a browser or bidi-aware
 * terminal draws them mirrored, before the name; a row starting with such a name may even be
 * drawn right to left as a whole. The marks take no column. Other text is returned as it is.
 *
 * @example
 * ```ts
 * leftToRightCell('fetch  '); // 'fetch  '
 * leftToRightCell('עברית  '); // '\u200eעברית  \u200e'
 * ```
 */
export function leftToRightCell(cell: string): string {
  return RIGHT_TO_LEFT.test(cell) ? LEFT_TO_RIGHT_MARK + cell + LEFT_TO_RIGHT_MARK : cell;
}

/**
 * The terminal columns `text` takes: two for each wide East Asian character or emoji (East Asian
 * Width W or F), none for a combining mark or an invisible format character (a zero-width space, a
 * joiner, a variation selector, an accent written as its own code point), one for every other code
 * point. U+FE0F after a one-column symbol makes it an emoji, two columns: `❤️` takes two.
 *
 * @example
 * ```ts
 * columnWidth('ok'); // 2
 * columnWidth('𠀀'); // 2: one code point, two UTF-16 units, two columns
 * columnWidth('é😀'); // 3
 * columnWidth('e\u0301'); // 1: an e and a combining acute accent
 * columnWidth('✅ done'); // 7
 * ```
 */
export function columnWidth(text: string): number {
  let columns = 0;
  let previous: string | undefined;
  for (const character of text) {
    columns += columnsAfter(character, previous);
    previous = character;
  }
  return columns;
}

/**
 * `text` cut or padded with spaces to exactly `width` columns (at least 1). A cut text ends in `…`
 * and keeps whole characters only.
 *
 * @example
 * ```ts
 * fitColumns('fetch', 8); // 'fetch   '
 * fitColumns('😀😀😀😀', 3); // '😀…': each emoji takes two columns
 * ```
 */
export function fitColumns(text: string, width: number): string {
  const columns = columnWidth(text);
  if (columns <= width) return text + ' '.repeat(width - columns);
  let kept = '';
  let keptColumns = 0;
  let previous: string | undefined;
  for (const character of text) {
    const next = keptColumns + columnsAfter(character, previous);
    if (next > width - 1) break;
    kept += character;
    keptColumns = next;
    previous = character;
  }
  return `${kept}…${' '.repeat(width - 1 - keptColumns)}`;
}

/**
 * The code points a terminal draws two columns wide, as sorted, disjoint `first, last` pairs: every
 * East_Asian_Width W (wide) and F (fullwidth) code point of Unicode 17.0's EastAsianWidth.txt —
 * the table `string-width` uses. W includes the emoji whose default presentation is emoji, such as
 * `⌛`, `⚡`, `✅`, `❌`, `⭐` and `🫠`; emoji drawn as text by default (`☀`, `❤`, `🌡`) are narrow
 * until a U+FE0F variation selector follows them.
 */
// prettier-ignore
const WIDE_RANGES: readonly number[] = [
  // Hangul Jamo leading consonants
  0x1100, 0x115f,
  // BMP symbols with default emoji presentation (⌚ ⏳ ☔ ⚡ ✅ ❌ ⭐ …), I Ching trigrams
  0x231a, 0x231b,
  0x2329, 0x232a,
  0x23e9, 0x23ec,
  0x23f0, 0x23f0,
  0x23f3, 0x23f3,
  0x25fd, 0x25fe,
  0x2614, 0x2615,
  0x2630, 0x2637,
  0x2648, 0x2653,
  0x267f, 0x267f,
  0x268a, 0x268f,
  0x2693, 0x2693,
  0x26a1, 0x26a1,
  0x26aa, 0x26ab,
  0x26bd, 0x26be,
  0x26c4, 0x26c5,
  0x26ce, 0x26ce,
  0x26d4, 0x26d4,
  0x26ea, 0x26ea,
  0x26f2, 0x26f3,
  0x26f5, 0x26f5,
  0x26fa, 0x26fa,
  0x26fd, 0x26fd,
  0x2705, 0x2705,
  0x270a, 0x270b,
  0x2728, 0x2728,
  0x274c, 0x274c,
  0x274e, 0x274e,
  0x2753, 0x2755,
  0x2757, 0x2757,
  0x2795, 0x2797,
  0x27b0, 0x27b0,
  0x27bf, 0x27bf,
  0x2b1b, 0x2b1c,
  0x2b50, 0x2b50,
  0x2b55, 0x2b55,
  // CJK radicals, punctuation, Hiragana, Katakana, Bopomofo, ideographs, Yi, Hangul, fullwidth forms
  0x2e80, 0x2e99,
  0x2e9b, 0x2ef3,
  0x2f00, 0x2fd5,
  0x2ff0, 0x303e,
  0x3041, 0x3096,
  0x3099, 0x30ff,
  0x3105, 0x312f,
  0x3131, 0x318e,
  0x3190, 0x31e5,
  0x31ef, 0x321e,
  0x3220, 0x3247,
  0x3250, 0xa48c,
  0xa490, 0xa4c6,
  0xa960, 0xa97c,
  0xac00, 0xd7a3,
  0xf900, 0xfaff,
  0xfe10, 0xfe19,
  0xfe30, 0xfe52,
  0xfe54, 0xfe66,
  0xfe68, 0xfe6b,
  0xff01, 0xff60,
  0xffe0, 0xffe6,
  // Tangut, Khitan, Nushu, Kana supplements, Tai Xuan Jing and counting rod symbols
  0x16fe0, 0x16fe4,
  0x16ff0, 0x16ff6,
  0x17000, 0x18cda,
  0x18cff, 0x18d20,
  0x18d80, 0x18df2,
  0x18e00, 0x19191,
  0x191a0, 0x191d2,
  0x1aff0, 0x1aff3,
  0x1aff5, 0x1affb,
  0x1affd, 0x1affe,
  0x1b000, 0x1b128,
  0x1b132, 0x1b132,
  0x1b150, 0x1b152,
  0x1b155, 0x1b155,
  0x1b164, 0x1b168,
  0x1b170, 0x1b2fb,
  0x1d300, 0x1d356,
  0x1d360, 0x1d376,
  // emoji and pictographs: cards, enclosed ideographs, pictographs, emoticons, transport, …
  0x1f004, 0x1f004,
  0x1f0cf, 0x1f0cf,
  0x1f18e, 0x1f18e,
  0x1f191, 0x1f19a,
  0x1f1ae, 0x1f1ae,
  0x1f200, 0x1f202,
  0x1f210, 0x1f23b,
  0x1f240, 0x1f248,
  0x1f250, 0x1f251,
  0x1f260, 0x1f265,
  0x1f300, 0x1f320,
  0x1f32d, 0x1f335,
  0x1f337, 0x1f37c,
  0x1f37e, 0x1f393,
  0x1f3a0, 0x1f3ca,
  0x1f3cf, 0x1f3d3,
  0x1f3e0, 0x1f3f0,
  0x1f3f4, 0x1f3f4,
  0x1f3f8, 0x1f43e,
  0x1f440, 0x1f440,
  0x1f442, 0x1f4fc,
  0x1f4ff, 0x1f53d,
  0x1f54b, 0x1f54e,
  0x1f550, 0x1f567,
  0x1f57a, 0x1f57a,
  0x1f595, 0x1f596,
  0x1f5a4, 0x1f5a4,
  0x1f5fb, 0x1f64f,
  0x1f680, 0x1f6c5,
  0x1f6cc, 0x1f6cc,
  0x1f6d0, 0x1f6d2,
  0x1f6d5, 0x1f6d9,
  0x1f6dc, 0x1f6df,
  0x1f6eb, 0x1f6ec,
  0x1f6f4, 0x1f6fc,
  0x1f7da, 0x1f7da,
  0x1f7e0, 0x1f7eb,
  0x1f7f0, 0x1f7f0,
  0x1f90c, 0x1f93a,
  0x1f93c, 0x1f945,
  0x1f947, 0x1f9ff,
  0x1fa70, 0x1fa7c,
  0x1fa80, 0x1fac6,
  0x1fac8, 0x1fac8,
  0x1facc, 0x1fadd,
  0x1fadf, 0x1faeb,
  0x1faef, 0x1fafa,
  // CJK ideographs in planes 2 and 3
  0x20000, 0x2fffd,
  0x30000, 0x3fffd,
];

/** Combining marks and format characters: drawn on (or between) their neighbours, in no column. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;

/** Characters that U+FE0F turns into an emoji, drawn two columns wide. */
const EMOJI = /^\p{Emoji}$/u;

const EMOJI_PRESENTATION = '\ufe0f';

/**
 * The columns `character` (one code point) adds after `previous`: 2 when it is wide, 0 when it is
 * zero-width — except U+FE0F after a one-column emoji (`❤`, `☀`, a keycap's digit), which it makes
 * two columns wide, so it adds 1 — otherwise 1.
 */
function columnsAfter(character: string, previous: string | undefined): number {
  const code = character.codePointAt(0)!;
  if (isWide(code)) return 2;
  if (code < 0x300 || !ZERO_WIDTH.test(character)) return 1;
  const widens =
    character === EMOJI_PRESENTATION &&
    previous !== undefined &&
    EMOJI.test(previous) &&
    !isWide(previous.codePointAt(0)!);
  return widens ? 1 : 0;
}

/** Whether `code` is in {@link WIDE_RANGES}: a binary search over its pairs. */
function isWide(code: number): boolean {
  if (code < WIDE_RANGES[0]) return false;
  let low = 0;
  let high = WIDE_RANGES.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (code < WIDE_RANGES[2 * middle]) high = middle - 1;
    else if (code > WIDE_RANGES[2 * middle + 1]) low = middle + 1;
    else return true;
  }
  return false;
}
