// Builds the trimmed front-end files committed under static/ (run by scripts/build-assets,
// which installs the npm packages this imports; see static/vendor/README.md).
//
//   node scripts/build-assets.mjs <node_modules folder> <project root> <site-packages folder>
//
// 1. static/vendor/bootstrap/css/bootstrap.trimmed.min.css: Bootstrap's CSS with only the
//    selectors whose class names appear in the templates, the JavaScript, the Python code
//    (form widgets' classes) and the templates of crispy-bootstrap5 and allauth (PurgeCSS).
// 2. static/vendor/bootstrap-icons/icons.css: the Bootstrap Icons the templates name
//    (`bi-*`), each an SVG drawn as a CSS mask in the text's colour, instead of the icon
//    web font (134 KB) and its stylesheet (87 KB).
// 3. static/vendor/bootstrap/js/bootstrap.public.min.js: Bootstrap's collapse (the menu on
//    a phone), alert (closing a message) and carousel (a product's photos), all that the
//    pages of a visitor who is not signed in use; signed-in pages load the full bundle.
import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";

const [modules, root, sitePackages] = process.argv.slice(2);
const require = createRequire(join(modules, "noop.js"));
const { PurgeCSS } = require("purgecss");
const esbuild = require("esbuild");

function walk(folder, extensions, skip = []) {
  const found = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (skip.some((part) => path.includes(part))) continue;
    if (statSync(path).isDirectory()) found.push(...walk(path, extensions, skip));
    else if (extensions.some((ext) => name.endsWith(ext))) found.push(path);
  }
  return found;
}

const SKIP = [".venv", "node_modules", "/var/", "/.git", "/static/vendor", "/bench/", "/tests/", "/locale/"];
const templates = walk(root, [".html"], SKIP);
const code = [...walk(root, [".py"], SKIP), ...walk(join(root, "static", "js"), [".js"])];
// crispy-bootstrap5's layout objects the portal does not use (accordion, modal, tabs,
// floating labels, switches) would keep their components' CSS: left out.
const UNUSED_CRISPY = ["accordion", "modal.html", "floating_field", "tab", "switch.html"];
const thirdParty = ["crispy_bootstrap5", "allauth", "django_filters"].flatMap((name) =>
  walk(join(sitePackages, name), [".html"], UNUSED_CRISPY),
);

// --- 1. Bootstrap's CSS ---------------------------------------------------------------
const COLOURS = "(primary|secondary|success|danger|warning|info|light|dark|body)";
const result = await new PurgeCSS().purge({
  content: [...templates, ...code, ...thirdParty],
  css: [join(modules, "bootstrap", "dist", "css", "bootstrap.min.css")],
  variables: false,
  keyframes: true,
  safelist: {
    standard: [
      // Classes Bootstrap's JavaScript adds and removes.
      /^(show|showing|hiding|collapsing|collapse|fade|active|disabled|was-validated)$/,
      /^(carousel-item-(start|end|next|prev)|dropdown-menu-end|dropstart|dropend|dropup)$/,
      /^(is-valid|is-invalid|valid-feedback|invalid-feedback)$/,
      // Colour variants built from a variable: alert-{{ level }}, btn-{{ colour }}...
      new RegExp(`^(alert|bg|text-bg|text|border|btn|btn-outline|table|link|badge)-${COLOURS}(-subtle|-emphasis)?$`),
    ],
    greedy: [/data-bs-theme/, /data-bs-popper/, /aria-/, /:root/],
  },
});
const trimmed = result[0].css.replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, "");
const banner = readFileSync(join(modules, "bootstrap", "dist", "css", "bootstrap.min.css"), "utf8").match(
  /\/\*![\s\S]*?\*\//,
)[0];
const cssOut = join(root, "static", "vendor", "bootstrap", "css", "bootstrap.trimmed.min.css");
const minified = await esbuild.transform(trimmed, { loader: "css", minify: true, legalComments: "none" });
writeFileSync(cssOut, `${banner}\n/* Trimmed to the classes the portal uses by scripts/build-assets. */\n${minified.code}`);

// Every class name of the full stylesheet, for tests/look/test_trimmed_css.py: a template
// that starts using one the trimmed file lacks fails there until this script runs again.
const fullCss = readFileSync(join(modules, "bootstrap", "dist", "css", "bootstrap.min.css"), "utf8");
const classNames = new Set(
  [...fullCss.replace(/url\([^)]*\)/g, "").matchAll(/\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)/g)].map((m) => m[1]),
);
writeFileSync(
  join(root, "tests", "look", "bootstrap_classes.txt"),
  `${[...classNames].sort().join("\n")}\n`,
);

// --- 2. Icons -------------------------------------------------------------------------
const used = new Set();
for (const file of [...templates, ...code]) {
  for (const match of readFileSync(file, "utf8").matchAll(/\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)/g)) {
    used.add(match[1]);
  }
}
const iconRules = [];
for (const name of [...used].sort()) {
  const svgPath = join(modules, "bootstrap-icons", "icons", `${name}.svg`);
  let svg;
  try {
    svg = readFileSync(svgPath, "utf8");
  } catch {
    throw new Error(`bi-${name} is named in the code but is no Bootstrap icon`);
  }
  svg = svg
    .replace(/\s*class="[^"]*"/, "")
    .replace(/\s*(width|height)="16"/g, "")
    .replace(/\s+/g, " ")
    .replace(/> </g, "><")
    .trim()
    .replace(/"/g, "'");
  const uri = "data:image/svg+xml," + svg.replace(/[<>#%{}"]/g, encodeURIComponent);
  iconRules.push(`.bi-${name}{--bi:url("${uri}")}`);
}
const iconsCss = [
  "/* Bootstrap Icons 1.13.2 (MIT, see LICENSE): the icons the portal names, built by",
  "   scripts/build-assets from the SVG files of the npm package. Each is a mask painted in",
  "   the text's colour, sized like the icon font it replaces (1em, baseline -0.125em). */",
  ".bi{display:inline-block;width:1em;height:1em;vertical-align:-.125em;flex-shrink:0;background-color:currentColor;-webkit-mask:var(--bi) center/contain no-repeat;mask:var(--bi) center/contain no-repeat}",
  ...iconRules,
  "",
].join("\n");
writeFileSync(join(root, "static", "vendor", "bootstrap-icons", "icons.css"), iconsCss);

// --- 3. Bootstrap's JavaScript for visitors -------------------------------------------
const src = join(modules, "bootstrap", "js", "src");
const entry = [
  `import Alert from ${JSON.stringify(join(src, "alert.js"))};`,
  `import Carousel from ${JSON.stringify(join(src, "carousel.js"))};`,
  `import Collapse from ${JSON.stringify(join(src, "collapse.js"))};`,
  "window.bootstrap = { Alert, Carousel, Collapse };",
].join("\n");
const jsBanner = readFileSync(join(modules, "bootstrap", "dist", "js", "bootstrap.min.js"), "utf8").match(
  /\/\*![\s\S]*?\*\//,
)[0];
await esbuild.build({
  stdin: { contents: entry, resolveDir: root, loader: "js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2019",
  legalComments: "none",
  banner: { js: `${jsBanner}\n/* Alert, Carousel and Collapse only, built by scripts/build-assets. */` },
  outfile: join(root, "static", "vendor", "bootstrap", "js", "bootstrap.public.min.js"),
});

console.log(
  `icons: ${used.size} (${[...used].sort().join(", ")})\n` +
    `css: ${relative(root, cssOut)} ${Buffer.byteLength(readFileSync(cssOut))} bytes`,
);
