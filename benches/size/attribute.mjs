// Where the hooks page's bytes go, by crate and by item, against the bare
// page: the twiggy `top` listings (JSON) of both pages' wasm, made with
// function names kept (scripts/bench-size --attribute makes them).
//
//   node benches/size/attribute.mjs BARE.json HOOKS.json [TOP_ITEMS]
//
// Sizes are raw wasm bytes (before gzip), without the names section, which
// is kept for this listing only and is not shipped.

import { readFileSync } from 'node:fs';

const [bareFile, hooksFile, topArg] = process.argv.slice(2);
if (!bareFile || !hooksFile) {
  process.stderr.write('usage: node benches/size/attribute.mjs BARE.json HOOKS.json [TOP_ITEMS]\n');
  process.exit(2);
}
const topItems = Number(topArg ?? 40);

/** The group an item's bytes count for: its crate, data, or glue. */
export function groupOf(name) {
  if (name.startsWith('data segment')) return '(data: strings, tables)';
  if (name.includes('subsection') || name.startsWith('custom section')) return '(custom sections)';
  if (name.startsWith('__wbg') || name.startsWith('__wbindgen') || name.startsWith('__externref')) return '(wasm-bindgen glue)';
  // A value dropped or a trait implemented for a type: the type's crate.
  let inner = name.replace(/^core(\[[0-9a-f]+\])?::ptr::drop_in_place</, '').replace(/^<+(&mut |&|\*const |\*mut |dyn )*/, '');
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/.exec(inner);
  if (m) return m[1];
  if (/^(table|elem|type|import|export|global|memory|code section|wasm-function)/.test(name)) return '(module structure, unnamed)';
  return '(other)';
}

function load(file) {
  const items = new Map();
  for (const { name, shallow_size: size } of JSON.parse(readFileSync(file, 'utf8'))) {
    if (name.includes('"function names" subsection') || name.includes('"name" section')) continue;
    items.set(name, (items.get(name) ?? 0) + size);
  }
  return items;
}

const bare = load(bareFile);
const hooks = load(hooksFile);
const spaced = (n) => n.toLocaleString('en-US').replaceAll(',', ' ');
const signed = (n) => (n > 0 ? '+' : n < 0 ? '−' : '±') + spaced(Math.abs(n));

const groups = new Map();
for (const [items, side] of [[bare, 0], [hooks, 1]]) {
  for (const [name, size] of items) {
    const g = groupOf(name);
    const row = groups.get(g) ?? [0, 0];
    row[side] += size;
    groups.set(g, row);
  }
}
const sum = (items) => [...items.values()].reduce((a, b) => a + b, 0);

console.log(`By crate (raw wasm bytes, names section left out): bare ${spaced(sum(bare))}, hooks ${spaced(sum(hooks))}, added ${signed(sum(hooks) - sum(bare))}`);
console.log('');
console.log('| crate | bare | hooks | added |');
console.log('|---|---:|---:|---:|');
for (const [g, [b, h]] of [...groups].sort((x, y) => (y[1][1] - y[1][0]) - (x[1][1] - x[1][0]))) {
  if (Math.abs(h - b) < 200) continue;
  console.log(`| ${g} | ${spaced(b)} | ${spaced(h)} | ${signed(h - b)} |`);
}
console.log('(groups that differ by under 200 bytes left out)');

console.log('');
console.log(`Largest items the hooks page adds (top ${topItems}):`);
const added = [...hooks].map(([name, size]) => [name, size - (bare.get(name) ?? 0)]).filter(([, d]) => d > 0);
for (const [name, d] of added.sort((x, y) => y[1] - x[1]).slice(0, topItems)) {
  console.log(`${String(signed(d)).padStart(9)}  ${name}`);
}
