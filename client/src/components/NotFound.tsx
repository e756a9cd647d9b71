import { linkClick } from "../navigation.ts";

export function NotFound({ path }: { path: string }) {
  return (
    <main className="page" data-testid="not-found">
      <h1>Nothing here</h1>
      <p>
        <code>{path}</code> is not an incident key (they look like <code>HOT-12</code>).{" "}
        <a href="/" onClick={linkClick("/")}>
          Back to the incident list
        </a>
      </p>
    </main>
  );
}
