// Layer rules (README, "Layout"). Type-only imports count: a type that points the
// wrong way couples the layers as surely as a value does.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "shared-is-a-leaf",
      comment: "shared/ is read by the server and the client alike, so it imports neither.",
      severity: "error",
      from: { path: "^shared/" },
      to: { path: "^(server|client)/" },
    },
    {
      name: "client-never-imports-server",
      comment: "The client is built for the browser; what both sides need lives in shared/.",
      severity: "error",
      from: { path: "^client/" },
      to: { path: "^server/" },
    },
    {
      name: "lower-floors-stay-low",
      comment:
        "Storage, export, errors and config sit below the doors (http, sockets), the bridge and the Hocuspocus extensions, and never reach up to them. The one exception: config reads each chat platform's env fragment (pure zod, in the platform's folder so a platform stays one folder).",
      severity: "error",
      from: { path: "^server/(storage/|export/|errors\\.ts|config\\.ts)" },
      to: {
        path: "^server/(http|bridge|extensions|sockets)/",
        pathNot: "^server/bridge/platforms/(chatEnv\\.ts|[^/]+/env\\.ts)$",
      },
    },
    {
      name: "platform-env-is-pure",
      comment:
        "A platform's env fragment is read by config, so it imports nothing from the server but other env fragments.",
      severity: "error",
      from: { path: "^server/bridge/platforms/(chatEnv\\.ts|[^/]+/env\\.ts)$" },
      to: { path: "^server/", pathNot: "^server/bridge/platforms/[^/]+/env\\.ts$" },
    },
    {
      name: "access-and-incidents-below-the-doors",
      comment:
        "Who may do what (access) and the incident registry (incidents) are used by every door and by the bridge; they import none of them.",
      severity: "error",
      from: { path: "^server/(access|incidents)/" },
      to: { path: "^server/(http|bridge|extensions|sockets)/" },
    },
    {
      name: "extensions-plug-in-at-the-root",
      comment:
        "Hocuspocus extensions are wired in by the composition root (server/hotdoc.ts) alone; nothing else in the server depends on one, and they depend on no door.",
      severity: "error",
      from: { path: "^server/", pathNot: "^server/(hotdoc\\.ts|extensions/)" },
      to: { path: "^server/extensions/" },
    },
    {
      name: "extensions-reach-no-door",
      severity: "error",
      from: { path: "^server/extensions/" },
      to: { path: "^server/(http|bridge|sockets)/" },
    },
    {
      name: "no-circular",
      comment: "A cycle means two modules cannot be understood (or tested) apart.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
