// Render Mermaid diagrams with Mermaid itself, in headless Chromium, in one browser launch.
//
//   node render-mermaid.mjs IN.json OUT_DIR
//
// IN.json: [{"name": "example", "code": "flowchart TD ..."}, ...]
// Writes OUT_DIR/<name>.png (a screenshot of the picture) and prints one JSON line:
// [{"name", "ok", "error", "svgBytes", "text", "scripts", "handlers", "foreign", "nodes", "edges",
//   "screenshotError", "ms"}, ...]
//
// The page is loaded from a local file, every network request is refused, and Mermaid runs
// with securityLevel "strict" (what GitHub and GitLab use): what it draws here is what a
// pull-request comment shows. The browser is never downloaded: CHROMIUM (default
// /usr/bin/chromium) must be installed.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const [input, outDir] = process.argv.slice(2);
if (!input || !outDir) {
  console.error("usage: node render-mermaid.mjs IN.json OUT_DIR");
  process.exit(2);
}
const diagrams = JSON.parse(readFileSync(input, "utf8"));
mkdirSync(outDir, { recursive: true });
const mermaidJs = join(here, "node_modules", "mermaid", "dist", "mermaid.min.js");
const page_html = join(outDir, "page.html");
writeFileSync(page_html, "<!doctype html><html><head><meta charset='utf-8'></head>" +
  "<body style='margin:0;background:#fff'><div id='out' style='display:inline-block;padding:8px'></div></body></html>");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const results = [];
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1200 }, deviceScaleFactor: 1 });
  await page.route(/^(?!file:)/, (route) => route.abort());
  await page.goto(pathToFileURL(resolve(page_html)).href);
  await page.addScriptTag({ path: mermaidJs });
  await page.evaluate(() => {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", maxTextSize: 200000,
      maxEdges: 2000, flowchart: { htmlLabels: true } });
  });
  for (const [i, { name, code }] of diagrams.entries()) {
    const started = Date.now();
    const result = await page.evaluate(async ({ code, id }) => {
      const out = document.getElementById("out");
      out.innerHTML = "";
      try {
        await window.mermaid.parse(code);
        const { svg } = await window.mermaid.render(id, code);
        out.innerHTML = svg;
        const root = out.querySelector("svg");
        // Natural size (Mermaid shrinks to the page), within what one screenshot can hold.
        const box = root.viewBox.baseVal;
        if (box && box.width && box.height) {
          const scale = Math.min(1, 3000 / box.width, 6000 / box.height);
          root.style.maxWidth = "none";
          root.setAttribute("width", String(Math.round(box.width * scale)));
          root.setAttribute("height", String(Math.round(box.height * scale)));
        }
        const all = [...root.querySelectorAll("*")];
        const words = root.cloneNode(true);
        words.querySelectorAll("style").forEach((el) => el.remove());
        return {
          ok: true, error: null, svgBytes: svg.length,
          text: words.textContent,
          // Markup a hostile label could have smuggled in: none may exist.
          scripts: root.querySelectorAll("script, iframe, object, embed").length,
          handlers: all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
          foreign: all.filter((el) => el.localName === "a" || el.localName === "img").length,
          nodes: root.querySelectorAll("g.node").length,
          edges: root.querySelectorAll("path.flowchart-link, g.edgePaths path").length,
        };
      } catch (err) {
        return { ok: false, error: String(err && err.message || err).slice(0, 2000) };
      }
    }, { code, id: `d${i}` });
    let screenshot = null;
    if (result.ok) {
      try {
        await page.locator("#out").screenshot({ path: join(outDir, `${name}.png`), timeout: 30000 });
      } catch (err) {
        screenshot = String(err && err.message || err).split("\n")[0];
      }
    }
    results.push({ name, ...result, screenshotError: screenshot, ms: Date.now() - started });
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results) + "\n");
