import * as Y from "yjs";
import { richText } from "#shared/doc/index.ts";

/**
 * URLs an attacker puts where a link goes, from the OWASP XSS Filter Evasion Cheat
 * Sheet (github.com/OWASP/CheatSheetSeries, cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.md,
 * commit 074dfa950ed096abbe3c515b437b1ddcfb923eb7): the attribute values of its
 * "fromCharCode", "Decimal HTML Character References" (with and without semicolons),
 * "Hexadecimal HTML Character References", "Embedded Tab", "Embedded Encoded Tab",
 * "Embedded Newline", "Embedded Carriage Return", "Null", "Spaces and Meta Chars",
 * "VBscript in an Image", "META using Data" and "EMBED SVG" entries, plus the
 * mixed-case variant of its baseline, the "Spaces and Meta Chars" one with a raw
 * U+000E instead of `&#14;`, and the "META using Data" payload with the `;base64`
 * separator RFC 2397 specifies.
 * Over the websocket they arrive as raw strings, so the entity-encoded ones are
 * stored literally: harmless in HTML (the `&` is escaped) but decoded by CommonMark
 * inside a Markdown link destination.
 */
export const HOSTILE_URLS = [
  "javascript:alert(String.fromCharCode(88,83,83))",
  "JaVaScRiPt:alert('XSS')",
  "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;",
  "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041",
  "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29",
  "jav\tascript:alert('XSS');",
  "jav&#x09;ascript:alert('XSS');",
  "jav&#x0A;ascript:alert('XSS');",
  "jav&#x0D;ascript:alert('XSS');",
  'java\0script:alert("XSS")',
  " &#14;  javascript:alert('XSS');",
  "\u000e javascript:alert('XSS');",
  'vbscript:msgbox("XSS")',
  "data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K",
  "data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K",
  "data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==",
];

/** A URL that must stay a link, so the tests see that safe links survive. */
export const SAFE_URL = "https://status.example.com/incidents/42?from=hotdoc&x=1";

/**
 * Adds notes the way TipTap stores them through y-tiptap: block nodes as
 * Y.XmlElements named after the TipTap node with its attributes, text as Y.XmlText
 * whose formatting attributes are the marks, each mark's attributes as an object
 * (`marksToAttributes` in @tiptap/y-tiptap; the link mark's attributes are `href`,
 * `target`, `rel`, `class` and `title`, with `target: "_blank"` and
 * `rel: "noopener noreferrer nofollow"` by default, @tiptap/extension-link
 * src/link.ts). One paragraph per URL with a linked word, and one image node per
 * URL (no image extension is installed, but nothing stops a client writing one).
 */
export function writeHostileNotes(doc: Y.Doc, urls: readonly string[] = HOSTILE_URLS): void {
  const notes = richText(doc, "notes");
  const linkAttrs = (href: string) => ({
    href,
    target: "_blank",
    rel: "noopener noreferrer nofollow",
    class: null,
    title: null,
  });
  doc.transact(() => {
    // Each paragraph is added to the document first, then filled: a Y.XmlText can only
    // be formatted once it belongs to a document.
    const paragraph = (fill: (text: Y.XmlText) => void) => {
      const element = new Y.XmlElement("paragraph");
      const text = new Y.XmlText();
      element.insert(0, [text]);
      notes.insert(notes.length, [element]);
      fill(text);
    };
    urls.forEach((href, i) => {
      paragraph((text) => {
        text.insert(0, `before ${i} `);
        text.insert(text.length, `click me ${i}`, { link: linkAttrs(href) });
        text.insert(text.length, " after");
      });
      const image = new Y.XmlElement("image");
      image.setAttribute("src", href);
      image.setAttribute("alt", `picture ${i}`);
      notes.insert(notes.length, [image]);
    });
    // y-tiptap's name for a mark that may overlap itself: `<mark>--<hash>`.
    paragraph((text) =>
      text.insert(0, "hashed link", { "link--AbCd1234": { href: HOSTILE_URLS[0] } }),
    );
    paragraph((text) => text.insert(0, "status page", { link: linkAttrs(SAFE_URL) }));
  });
}
