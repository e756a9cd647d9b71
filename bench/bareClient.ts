/**
 * The client scenario's baseline page: bare Hocuspocus in the browser. A plain
 * @hocuspocus/provider syncs the same big incident from the bare server into a Y.Doc,
 * and the page shows nothing but the timeline's entry count (once per animation frame
 * after updates) and a plain textarea to type into: the least any client of that
 * document does, so hotdoc's figures can be read as a ratio to it. Built by the bench
 * (vite, no plugins) and served from a temporary directory; never shipped.
 */
import { HocuspocusProvider } from "@hocuspocus/provider";
import * as Y from "yjs";

const params = new URLSearchParams(location.search);
const doc = new Y.Doc();
const timeline = doc.getMap("timeline");

const box = document.createElement("div");
box.dataset.testid = "timeline";
const notes = document.createElement("textarea");
notes.dataset.testid = "notes-content";
notes.rows = 10;
notes.cols = 80;
document.body.append(box, notes);

let frame = 0;
const show = () => {
  frame = 0;
  const start = performance.now();
  box.dataset.count = String(timeline.size);
  box.textContent = `${timeline.size} timeline entries`;
  // The same measure name as hotdoc's page, so the bench reads both the same way.
  performance.measure("hotdoc:incident-update", { start });
};
doc.on("update", () => {
  if (frame === 0) frame = requestAnimationFrame(show);
});

new HocuspocusProvider({
  url: params.get("ws") ?? "",
  name: params.get("doc") ?? "",
  token: "bare",
  document: doc,
});
