import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { colorForSubject, textColorOn } from "#shared/presence.ts";

/**
 * The backgrounds are read from the stylesheet itself, so a theme change that would
 * make someone's colour unreadable fails here. Contrast is computed independently of
 * shared/presence.ts, from WCAG 2.2's definitions of relative luminance and contrast
 * ratio (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance).
 */
const css = fs.readFileSync(
  path.resolve(import.meta.dirname, "..", "..", "client", "src", "styles.css"),
  "utf8",
);
const darkAt = css.indexOf("@media (prefers-color-scheme: dark)");

function variable(block: string, name: string): string {
  const value = new RegExp(`${name}:\\s*(#[0-9a-fA-F]{6})\\b`).exec(block)?.[1];
  if (!value) throw new Error(`styles.css has no ${name} in this theme`);
  return value.toLowerCase();
}

const LIGHT = [variable(css.slice(0, darkAt), "--bg"), variable(css.slice(0, darkAt), "--panel")];
const DARK = [variable(css.slice(darkAt), "--bg"), variable(css.slice(darkAt), "--panel")];

function luminance(hex: string): number {
  const channel = (at: number) => {
    const c = Number.parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** Subjects of the shapes hotdoc hands out (link ids, IdP subjects, the admin) and some odd ones. */
function randomSubject(i: number): string {
  switch (i % 5) {
    case 0:
      return `link:${randomUUID()}`;
    case 1:
      return `oidc:https://idp.example.com|${Math.floor(Math.random() * 1e12)}`;
    case 2:
      return `${randomUUID().slice(0, 8)}@example.org`;
    case 3:
      return String.fromCodePoint(
        ...Array.from({ length: 1 + (i % 7) }, () => 0x20 + Math.floor(Math.random() * 0x3000)),
      );
    default:
      return randomUUID();
  }
}

describe("presence colours", () => {
  const subjects = Array.from({ length: 2000 }, (_, i) => randomSubject(i));
  const colors = subjects.map(colorForSubject);

  it("read the light and the dark theme's backgrounds from the stylesheet", () => {
    expect(LIGHT).toEqual(["#f7f7f8", "#ffffff"]);
    expect(DARK).toEqual(["#14161a", "#1c1f24"]);
  });

  it("give every subject a #rrggbb colour with at least 3:1 against both themes' backgrounds", () => {
    for (const [i, color] of colors.entries()) {
      expect(color, subjects[i]).toMatch(/^#[0-9a-f]{6}$/);
      for (const background of [...LIGHT, ...DARK]) {
        const ratio = contrast(color, background);
        if (ratio < 3)
          throw new Error(`${JSON.stringify(subjects[i])} → ${color}: ${ratio} on ${background}`);
      }
    }
  });

  it("give the same subject the same colour, every time", () => {
    // Rebuilt from its characters, so no identity of the string object can play a part.
    const again = subjects.map((s) => colorForSubject(Array.from(s).join("")));
    expect(again).toEqual(colors);
  });

  it("spread different subjects over many colours and the whole hue circle", () => {
    expect(new Set(colors).size).toBeGreaterThanOrEqual(200);
    // Every 30° sector of hue is used, so colours are not bunched on one side.
    const sectors = new Set(colors.map((c) => Math.floor(hueOf(c) / 30)));
    expect(sectors.size).toBe(12);
    // Neighbouring names do not share a colour just because they look alike.
    expect(colorForSubject("alice")).not.toBe(colorForSubject("alicf"));
  });

  it("put text on each colour in black or white with at least 4.5:1", () => {
    for (const color of colors) {
      const text = textColorOn(color);
      expect(["#000000", "#ffffff"]).toContain(text);
      expect(contrast(color, text)).toBeGreaterThanOrEqual(4.5);
    }
    // Both ends of the range: the darkest and the lightest colour.
    expect(textColorOn("#1b1d21")).toBe("#ffffff");
    expect(textColorOn("#f7f7f8")).toBe("#000000");
  });
});

/** The HSL hue of a "#rrggbb" colour, in degrees. */
function hueOf(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16) / 255);
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}
