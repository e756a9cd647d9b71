/**
 * One colour per person, the same on every screen and every visit: the server puts
 * `colorForSubject(principal.subject)` into each awareness `user`, and the client
 * paints avatars, carets and "is editing" outlines with it.
 *
 * The hue comes from a hash of the subject and covers the whole circle. Lightness is
 * fixed in OKLCH, so every hue looks about equally light; the chroma is lowered until
 * the colour fits in sRGB and stands out (3:1, WCAG's bound for graphics) against
 * every background it is drawn on, in the light and the dark theme.
 */

/** The page and panel backgrounds of both themes (`--bg` and `--panel` in client/src/styles.css). */
const BACKGROUNDS = ["#f7f7f8", "#ffffff", "#14161a", "#1c1f24"];
const MIN_CONTRAST = 3;
const LIGHTNESS = 0.6;
const MAX_CHROMA = 0.2;
const CHROMA_STEP = 0.005;

/** A stable "#rrggbb" colour for a subject, with ≥ 3:1 contrast on the light and the dark backgrounds. */
export function colorForSubject(subject: string): string {
  const hue = (hash32(subject) / 2 ** 32) * 360;
  for (let step = 0; step * CHROMA_STEP <= MAX_CHROMA; step++) {
    const hex = oklchToHex(LIGHTNESS, MAX_CHROMA - step * CHROMA_STEP, hue);
    if (hex && BACKGROUNDS.every((bg) => contrast(hex, bg) >= MIN_CONTRAST)) return hex;
  }
  // Chroma 0 at this lightness is a mid grey that meets the bound; never reached in practice.
  return oklchToHex(LIGHTNESS, 0, 0) ?? "#808080";
}

/** Black or white, whichever reads better on `color` (either way ≥ 4.5:1 for any colour). */
export function textColorOn(color: string): string {
  return contrast(color, "#000000") >= contrast(color, "#ffffff") ? "#000000" : "#ffffff";
}

/** FNV-1a over the UTF-16 code units, then MurmurHash3's finaliser so that near names land far apart. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * OKLCH to "#rrggbb", or null outside the sRGB gamut. The OKLab to linear sRGB
 * matrices are Björn Ottosson's, from https://bottosson.github.io/posts/oklab/.
 */
function oklchToHex(lightness: number, chroma: number, hueDegrees: number): string | null {
  const hue = (hueDegrees * Math.PI) / 180;
  const a = chroma * Math.cos(hue);
  const b = chroma * Math.sin(hue);
  const l = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (lightness - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  if (linear.some((c) => c < -1e-9 || c > 1 + 1e-9)) return null;
  return `#${linear
    .map((c) => {
      const v = Math.min(1, Math.max(0, c));
      const encoded = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
      return Math.round(encoded * 255)
        .toString(16)
        .padStart(2, "0");
    })
    .join("")}`;
}

/** WCAG 2 contrast ratio of two "#rrggbb" colours. */
function contrast(first: string, second: string): number {
  const [hi, lo] = [luminance(first), luminance(second)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** WCAG 2 relative luminance of a "#rrggbb" colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const c = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
