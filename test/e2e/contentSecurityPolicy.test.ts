import { beforeAll, describe, expect, it } from "vitest";
import { waitOnline } from "../helpers/browser.ts";
import { browserSuite } from "../helpers/browserSuite.ts";

describe("security headers and the Content-Security-Policy", () => {
  const suite = browserSuite();
  let key: string;

  beforeAll(async () => {
    key = (await suite.server.api("POST", "/api/incidents", { summary: "CSP", severity: 2 })).body
      .key;
  });

  function directives(csp: string | null): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const part of (csp ?? "").split(";")) {
      const [name, ...values] = part.trim().split(/\s+/);
      if (name) out.set(name, values);
    }
    return out;
  }

  it("every kind of response carries them: the page, an asset, the API, an error, health", async () => {
    const page = await fetch(`${suite.server.url}/${key}`);
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const responses = [
      page,
      await fetch(`${suite.server.url}${asset}`),
      await fetch(`${suite.server.url}/api/incidents`, {
        headers: { authorization: `Bearer ${suite.server.token}` },
      }),
      await fetch(`${suite.server.url}/api/incidents`),
      await fetch(`${suite.server.url}/healthz`),
    ];
    for (const response of responses) {
      const csp = directives(response.headers.get("content-security-policy"));
      expect(csp.get("script-src")).toEqual(["'self'"]);
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("base-uri")).toEqual(["'none'"]);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    }
  });

  it("the app runs under it without a single violation, and a script injected into the page does not run", async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${suite.server.url}/`);
    await page.getByTestId("signin-screen").waitFor({ timeout: 15_000 });
    // The shared admin link asks who is using it, then signs in with a session cookie.
    await page.goto(`${suite.server.url}/#token=${suite.server.token}`);
    await page.getByTestId("name-input").fill("Casey");
    await page.getByTestId("name-save").click();
    await page.getByTestId("incident-link").first().waitFor({ timeout: 15_000 });
    await page.goto(`${suite.server.url}/${key}`);
    await waitOnline(page);
    expect(violations).toEqual([]);

    // What an XSS would try: an inline script and a javascript: URL. Both are refused.
    const ran = await page.evaluate(async () => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.body.appendChild(script);
      const link = document.createElement("a");
      link.href = "javascript:window.__clicked=true";
      document.body.appendChild(link);
      link.click();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return {
        injected: (window as { __injected?: boolean }).__injected ?? false,
        clicked: (window as { __clicked?: boolean }).__clicked ?? false,
      };
    });
    expect(ran).toEqual({ injected: false, clicked: false });
    expect(violations.length).toBeGreaterThanOrEqual(1);
    await context.close();
  });
});
