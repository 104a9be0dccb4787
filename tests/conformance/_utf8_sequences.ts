/**
 * The UTF-8 sequences of Autobahn|Testsuite cases 6.5–6.23 (taken from Markus Kuhn's UTF-8
 * decoder stress test), each marked valid or invalid. Valid means well-formed UTF-8 as RFC 3629
 * defines it: no overlong forms, no UTF-16 surrogates (U+D800–U+DFFF), nothing above U+10FFFF and
 * no 5- or 6-byte forms. Noncharacters such as U+FFFE and U+FFFF are valid.
 *
 * @module
 */

/** One group of sequences: Autobahn's section number, its title and the sequences. */
export interface Utf8Group {
  section: string;
  title: string;
  sequences: readonly (readonly [valid: boolean, bytes: readonly number[]])[];
}

const _KOSME = [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5];
const _HELLO = [0x68, 0x65, 0x6c, 0x6c, 0x6f];
const _WORLD = [0x77, 0x6f, 0x72, 0x6c, 0x64];
// Where a code point of "κόσμε" ends: a prefix is valid only when it ends at one of them.
const _KOSME_ENDS = new Set([2, 5, 7, 9, 11]);
const _TRUNCATED = [
  [0xc0],
  [0xe0, 0x80],
  [0xf0, 0x80, 0x80],
  [0xf8, 0x80, 0x80, 0x80],
  [0xfc, 0x80, 0x80, 0x80, 0x80],
  [0xdf],
  [0xef, 0xbf],
  [0xf7, 0xbf, 0xbf],
  [0xfb, 0xbf, 0xbf, 0xbf],
  [0xfd, 0xbf, 0xbf, 0xbf, 0xbf],
];

function _range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function _invalid(...sequences: number[][]): [false, number[]][] {
  return sequences.map((bytes) => [false, bytes]);
}

function _valid(...sequences: number[][]): [true, number[]][] {
  return sequences.map((bytes) => [true, bytes]);
}

// U+nFFFE and U+nFFFF in every plane (F0 8F BF BE/BF would be overlong forms of U+FFFE/U+FFFF,
// F4 9F.. and above are past U+10FFFF).
function _nonCharacters(): [true, number[]][] {
  const out = _valid([0xef, 0xbf, 0xbe], [0xef, 0xbf, 0xbf]);
  for (const b0 of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) {
    for (const b1 of [0x8f, 0x9f, 0xaf, 0xbf]) {
      if (b0 === 0xf4 && b1 !== 0x8f) continue;
      if (b0 === 0xf0 && b1 === 0x8f) continue;
      for (const b3 of [0xbe, 0xbf]) out.push([true, [b0, b1, 0xbf, b3]]);
    }
  }
  return out;
}

/** Autobahn's groups 6.5 to 6.23, in its order (case 6.N.M is `sequences[M - 1]` of 6.N). */
export const UTF8_GROUPS: readonly Utf8Group[] = [
  {
    section: "6.5",
    title: "some valid UTF-8 sequences",
    sequences: _valid(
      [..._HELLO, 0x24, ..._WORLD],
      [..._HELLO, 0xc2, 0xa2, ..._WORLD],
      [..._HELLO, 0xe2, 0x82, 0xac, ..._WORLD],
      [..._HELLO, 0xf0, 0xa4, 0xad, 0xa2, ..._WORLD],
      _KOSME,
    ),
  },
  {
    section: "6.6",
    title: "every prefix of a valid string with multi-byte code points",
    sequences: _range(1, _KOSME.length + 1).map((n) => [_KOSME_ENDS.has(n), _KOSME.slice(0, n)]),
  },
  {
    section: "6.7",
    title: "the first sequence of each length",
    sequences: _valid([0x00], [0xc2, 0x80], [0xe0, 0xa0, 0x80], [0xf0, 0x90, 0x80, 0x80]),
  },
  {
    section: "6.8",
    title: "the first 5- and 6-byte sequences",
    sequences: _invalid([0xf8, 0x88, 0x80, 0x80, 0x80], [0xfc, 0x84, 0x80, 0x80, 0x80, 0x80]),
  },
  {
    section: "6.9",
    title: "the last sequence of each length",
    sequences: _valid([0x7f], [0xdf, 0xbf], [0xef, 0xbf, 0xbf], [0xf4, 0x8f, 0xbf, 0xbf]),
  },
  {
    section: "6.10",
    title: "the last 4-, 5- and 6-byte forms (above U+10FFFF)",
    sequences: _invalid(
      [0xf7, 0xbf, 0xbf, 0xbf],
      [0xfb, 0xbf, 0xbf, 0xbf, 0xbf],
      [0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf],
    ),
  },
  {
    section: "6.11",
    title: "other boundary conditions",
    sequences: [
      ..._valid([0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80], [0xef, 0xbf, 0xbd], [
        0xf4,
        0x8f,
        0xbf,
        0xbf,
      ]),
      ..._invalid([0xf4, 0x90, 0x80, 0x80]),
    ],
  },
  {
    section: "6.12",
    title: "unexpected continuation bytes",
    sequences: _invalid(
      [0x80],
      [0xbf],
      [0x80, 0xbf],
      [0x80, 0xbf, 0x80],
      [0x80, 0xbf, 0x80, 0xbf],
      [0x80, 0xbf, 0x80, 0xbf, 0x80],
      [0x80, 0xbf, 0x80, 0xbf, 0x80, 0xbf],
      _range(0x80, 0xbf),
    ),
  },
  {
    section: "6.13",
    title: "lonely start bytes, each followed by a space",
    sequences: _invalid(
      ...[[0xc0, 0xdf], [0xe0, 0xef], [0xf0, 0xf7], [0xf8, 0xfb], [0xfc, 0xfd]].map(([from, to]) =>
        _range(from!, to!).flatMap((b) => [b, 0x20])
      ),
    ),
  },
  {
    section: "6.14",
    title: "sequences without their last continuation byte",
    sequences: _invalid(..._TRUNCATED),
  },
  {
    section: "6.15",
    title: "incomplete sequences concatenated",
    sequences: _invalid(_TRUNCATED.flat()),
  },
  {
    section: "6.16",
    title: "impossible bytes",
    sequences: _invalid([0xfe], [0xff], [0xfe, 0xfe, 0xff, 0xff]),
  },
  {
    section: "6.17",
    title: "overlong forms of '/'",
    sequences: _invalid(
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xf0, 0x80, 0x80, 0xaf],
      [0xf8, 0x80, 0x80, 0x80, 0xaf],
      [0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf],
    ),
  },
  {
    section: "6.18",
    title: "the largest overlong forms",
    sequences: _invalid(
      [0xc1, 0xbf],
      [0xe0, 0x9f, 0xbf],
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xf8, 0x87, 0xbf, 0xbf, 0xbf],
      [0xfc, 0x83, 0xbf, 0xbf, 0xbf, 0xbf],
    ),
  },
  {
    section: "6.19",
    title: "overlong forms of NUL",
    sequences: _invalid(
      [0xc0, 0x80],
      [0xe0, 0x80, 0x80],
      [0xf0, 0x80, 0x80, 0x80],
      [0xf8, 0x80, 0x80, 0x80, 0x80],
      [0xfc, 0x80, 0x80, 0x80, 0x80, 0x80],
    ),
  },
  {
    section: "6.20",
    title: "single UTF-16 surrogates",
    sequences: _invalid(
      ...[0xa0, 0xad, 0xae, 0xaf, 0xb0, 0xbe, 0xbf].map((b1) => [0xed, b1, b1 & 1 ? 0xbf : 0x80]),
    ),
  },
  {
    section: "6.21",
    title: "paired UTF-16 surrogates",
    sequences: _invalid(
      ...[[0xa0, 0x80], [0xad, 0xbf], [0xae, 0x80], [0xaf, 0xbf]].flatMap(([b1, b2]) => [
        [0xed, b1!, b2!, 0xed, 0xb0, 0x80],
        [0xed, b1!, b2!, 0xed, 0xbf, 0xbf],
      ]),
    ),
  },
  {
    section: "6.22",
    title: "noncharacters (valid UTF-8)",
    sequences: _nonCharacters(),
  },
  {
    section: "6.23",
    title: "Unicode specials, the replacement character among them",
    sequences: _valid(..._range(0xb9, 0xc0).map((b) => [0xef, 0xbf, b])),
  },
];
