// Parses Mermaid files with Mermaid's own parser, headless, for
// render/topology's TestMermaidParses. Usage:
//   node parse-mermaid.mjs DIR FILE...
// DIR holds node_modules/mermaid and node_modules/jsdom (npm install
// mermaid jsdom). For each file it prints one JSON line: the file, and for
// a flowchart the text Mermaid read for each node and edge label, or the
// parse error. Exits 1 when any file fails.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, ...files] = process.argv.slice(2);
const require = createRequire(join(dir, 'package.json'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaidPath = join(dir, 'node_modules', 'mermaid', 'dist', 'mermaid.core.mjs');
const { default: mermaid } = await import(pathToFileURL(mermaidPath).href);
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let failed = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    if (diagram.type !== 'flowchart-v2') throw new Error('not a flowchart: ' + diagram.type);
    const nodes = {};
    for (const [id, v] of diagram.db.getVertices()) nodes[id] = v.text;
    const edges = diagram.db.getEdges().map((e) => [e.start, e.end, e.text]);
    console.log(JSON.stringify({ file, nodes, edges }));
  } catch (e) {
    failed++;
    console.log(JSON.stringify({ file, error: String(e.message || e) }));
  }
}
process.exit(failed ? 1 : 0);
