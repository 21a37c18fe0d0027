// fenjie web page. Everything from the data is inserted with textContent, never innerHTML.
"use strict";

const ROLE_NAMES = { lead: "牵头", responsible: "负责", "co-responsible": "负责", supporting: "配合" };
const ROLE_ORDER = ["lead", "responsible", "co-responsible", "supporting"];
const EXAMPLES = [
  {
    title: "每年的目标数",
    text: `PREFIX fj: <https://w3id.org/fenjie/def#>
SELECT ?year (COUNT(?target) AS ?targets)
WHERE { ?target a fj:Target ; fj:year ?year }
GROUP BY ?year ORDER BY ?year`,
  },
  {
    title: "牵头工作最多的单位",
    text: `PREFIX fj: <https://w3id.org/fenjie/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?unit ?name (COUNT(DISTINCT ?item) AS ?items)
WHERE { ?unit fj:leads ?item ; skos:prefLabel ?name }
GROUP BY ?unit ?name ORDER BY DESC(?items) LIMIT 20`,
  },
  {
    title: "政策文件及其简称",
    text: `PREFIX fj: <https://w3id.org/fenjie/def#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?doc ?title ?short
WHERE { ?doc a fj:PolicyDocument ; dct:title ?title OPTIONAL { ?doc dct:alternative ?short } }
ORDER BY ?title`,
  },
  {
    title: "来源表格",
    text: `PREFIX fj: <https://w3id.org/fenjie/def#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?table ?title ?file WHERE { ?table a fj:SourceTable ; dct:title ?title ; fj:sourceFile ?file }`,
  },
];

// ---- small DOM helpers ------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const $ = (id) => document.getElementById(id);
function clear(node) { node.replaceChildren(); return node; }
function showError(target, error) {
  clear(target).append(el("p", { class: "error", role: "alert", text: "出错了：" + error.message }));
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const message = body && body.error ? body.error.message : String(body || response.statusText);
    throw new Error(message);
  }
  return body;
}
function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  return search.toString();
}
function label(node) { return node ? node.label || node.title || node.iri || "" : ""; }

// ---- tabs ---------------------------------------------------------------------------------------
const loaded = {};
function showTab(name) {
  for (const button of document.querySelectorAll("#tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== "tab-" + name;
  if (!loaded[name] && TAB_INIT[name]) { loaded[name] = true; TAB_INIT[name](); }
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
}

// ---- units: autocomplete and obligations ---------------------------------------------------------
let suggestTimer = null;
let suggestions = [];
let active = -1;
function renderSuggestions() {
  const list = clear($("unit-suggestions"));
  suggestions.forEach((unit, i) => {
    const others = (unit.labels || []).filter((l) => l !== unit.label);
    const item = el("li", { role: "option", "aria-selected": String(i === active), "data-iri": unit.iri },
      el("span", { text: unit.label }),
      others.length ? el("span", { class: "aliases", text: others.join("、") }) : null);
    item.addEventListener("mousedown", (event) => { event.preventDefault(); pickUnit(unit); });
    list.append(item);
  });
  list.hidden = suggestions.length === 0;
}
async function suggest() {
  const text = $("unit-input").value.trim();
  if (!text) { suggestions = []; renderSuggestions(); return; }
  try {
    suggestions = await getJSON("/api/units?" + query({ q: text, limit: 12 }));
  } catch (error) { suggestions = []; }
  if ($("unit-input").value.trim() === text) { active = -1; renderSuggestions(); }
}
function pickUnit(unit) {
  $("unit-input").value = unit.label;
  $("unit-input").dataset.iri = unit.iri;
  $("unit-input").dataset.label = unit.label;
  suggestions = []; renderSuggestions();
  loadObligations();
}
async function loadObligations() {
  const input = $("unit-input");
  const unit = input.dataset.iri && input.dataset.label === input.value ? input.dataset.iri : input.value.trim();
  const out = $("unit-result");
  if (!unit) return;
  clear(out).append(el("p", { class: "note", text: "查询中…" }));
  try {
    const data = await getJSON("/api/obligations?" + query({ unit, year: $("unit-year").value, role: $("unit-role").value }));
    input.dataset.label = input.value;
    renderObligations(out, data);
  } catch (error) { showError(out, error); }
}
function renderObligations(out, data) {
  clear(out);
  const obligations = data.obligations || [];
  const counts = Object.entries(data.counts || {}).map(([role, n]) => `${ROLE_NAMES[role] || role} ${n}`);
  out.append(el("p", { class: "summary", id: "unit-summary" },
    el("strong", { text: label(data.unit) }), ` 共 ${obligations.length} 项任务`,
    counts.length ? `（${counts.join("，")}）` : ""));
  const byRole = new Map();
  for (const ob of obligations) {
    if (!byRole.has(ob.role)) byRole.set(ob.role, []);
    byRole.get(ob.role).push(ob);
  }
  const roles = [...byRole.keys()].sort((a, b) => ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b));
  for (const role of roles) {
    const group = el("section", { class: "role-group " + role, "data-role": role },
      el("h2", { text: `${ROLE_NAMES[role] || role}（${byRole.get(role).length}）` }));
    for (const ob of byRole.get(role)) group.append(renderObligation(ob));
    out.append(group);
  }
}
function renderObligation(ob) {
  const card = el("article", { class: "obligation", "data-iri": ob.work_item ? ob.work_item.iri : null },
    el("h3", { text: label(ob.work_item) }));
  const meta = [ob.category, ob.source ? label(ob.source) : null].filter(Boolean).join(" · ");
  if (meta) card.append(el("div", { class: "meta", text: meta }));
  if (ob.via && ob.via.length) {
    card.append(el("div", { class: "meta", text: "经由：" + ob.via.map((v) => (typeof v === "string" ? v : label(v))).join("、") }));
  }
  const byYear = new Map();
  for (const target of ob.targets || []) {
    const year = target.year === null || target.year === undefined ? "—" : String(target.year);
    if (!byYear.has(year)) byYear.set(year, []);
    byYear.get(year).push(target);
  }
  for (const [year, targets] of [...byYear.entries()].sort()) {
    const list = el("ul");
    for (const target of targets) list.append(el("li", { class: "target", text: target.text }));
    card.append(el("div", { class: "year-group" }, el("span", { class: "year", text: year + " 年" }), list));
  }
  return card;
}
function initUnits() {
  const input = $("unit-input");
  input.addEventListener("input", () => { clearTimeout(suggestTimer); suggestTimer = setTimeout(suggest, 150); });
  input.addEventListener("keydown", (event) => {
    if (!suggestions.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + suggestions.length) % suggestions.length;
      renderSuggestions();
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); pickUnit(suggestions[active]);
    } else if (event.key === "Escape") { suggestions = []; renderSuggestions(); }
  });
  input.addEventListener("blur", () => { suggestions = []; renderSuggestions(); });
  $("unit-form").addEventListener("submit", (event) => { event.preventDefault(); suggestions = []; renderSuggestions(); loadObligations(); });
}

// ---- coordination load --------------------------------------------------------------------------
async function loadCoordination() {
  const out = $("load-result");
  clear(out).append(el("p", { class: "note", text: "统计中…" }));
  try {
    const data = await getJSON("/api/coordination?" + query({ year: $("load-year").value }));
    renderChart($("load-chart"), data.units || []);
    clear(out);
    const head = ["单位", "牵头", "负责", "配合", "工作事项", "协同单位", "度中心性", "介数中心性"];
    const table = el("table", { id: "load-table" }, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h })))));
    const body = el("tbody");
    for (const row of data.units || []) {
      body.append(el("tr", {},
        el("td", { text: label(row.unit) }),
        ...[row.lead, row.responsible, row.supporting, row.work_items, row.partners, row.degree, row.betweenness]
          .map((v) => el("td", { class: "num", text: v === undefined || v === null ? "" : String(v) }))));
    }
    table.append(body);
    out.append(el("h2", { text: "各单位的协同负担" }), table);
    const pairs = el("tbody");
    for (const pair of (data.pairs || []).slice(0, 30)) {
      pairs.append(el("tr", {}, el("td", { text: label(pair.a) }), el("td", { text: label(pair.b) }), el("td", { class: "num", text: String(pair.shared) })));
    }
    out.append(el("h2", { text: "共同承担工作最多的单位对" }),
      el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "单位" }), el("th", { text: "单位" }), el("th", { text: "共同事项" }))), pairs));
  } catch (error) { showError(out, error); }
}
function renderChart(target, units) {
  const NS = "http://www.w3.org/2000/svg";
  const rows = units.slice(0, 25);
  const max = Math.max(1, ...rows.map((u) => (u.lead || 0) + (u.responsible || 0) + (u.supporting || 0)));
  const left = 230, width = 520, bar = 18, gap = 6;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "各单位工作事项数（牵头、负责、配合）");
  svg.setAttribute("width", String(left + width + 60));
  svg.setAttribute("height", String(rows.length * (bar + gap) + 30));
  rows.forEach((u, i) => {
    const y = i * (bar + gap) + 20;
    const name = document.createElementNS(NS, "text");
    name.setAttribute("x", String(left - 6)); name.setAttribute("y", String(y + bar - 4));
    name.setAttribute("text-anchor", "end"); name.textContent = label(u.unit);
    svg.append(name);
    let x = left;
    for (const role of ["lead", "responsible", "supporting"]) {
      const w = ((u[role] || 0) / max) * width;
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("class", role); rect.setAttribute("x", String(x)); rect.setAttribute("y", String(y));
      rect.setAttribute("width", String(w)); rect.setAttribute("height", String(bar));
      const tip = document.createElementNS(NS, "title");
      tip.textContent = `${label(u.unit)} ${ROLE_NAMES[role]} ${u[role] || 0}`;
      rect.append(tip); svg.append(rect); x += w;
    }
  });
  const legend = document.createElementNS(NS, "text");
  legend.setAttribute("x", String(left)); legend.setAttribute("y", "12");
  legend.textContent = "■ 牵头  ■ 负责  ■ 配合（按工作事项计）";
  svg.append(legend);
  clear(target).append(svg);
}

// ---- documents and their dependent targets --------------------------------------------------------
async function initDocuments() {
  $("doc-form").addEventListener("submit", (event) => { event.preventDefault(); traceDocument(); });
  $("doc-select").addEventListener("change", () => { $("doc-input").value = ""; traceDocument(); });
  try {
    const data = await getJSON("/api/queries/documents");
    const select = $("doc-select");
    for (const row of data.rows || []) select.append(el("option", { value: row.document, text: row.title || row.document }));
  } catch (error) { /* the free-text box still works */ }
}
async function traceDocument() {
  const name = $("doc-input").value.trim() || $("doc-select").value;
  const out = $("doc-result");
  if (!name) return;
  clear(out).append(el("p", { class: "note", text: "追溯中…" }));
  try {
    const data = await getJSON("/api/dependents?" + query({ document: name }));
    clear(out);
    const targets = data.targets || [];
    out.append(el("p", { class: "summary", id: "doc-summary" }, el("strong", { text: "《" + label(data.document) + "》" }), ` 共有 ${targets.length} 个目标依赖此文件`));
    const body = el("tbody");
    for (const t of targets) {
      body.append(el("tr", { class: "dependent" },
        el("td", { text: t.year === undefined || t.year === null ? "" : String(t.year) }),
        el("td", { text: label(t.work_item) }),
        el("td", { text: t.text }),
        el("td", { class: "path" }, ...renderPath(t.path || []))));
    }
    const head = el("tr", {}, ...["年份", "工作事项", "目标", "依赖路径"].map((h) => el("th", { text: h })));
    out.append(el("table", { id: "doc-table" }, el("thead", {}, head), body));
  } catch (error) { showError(out, error); }
}
const EDGE_NAMES = { "fj:refersTo": "引用", "fj:produces": "出台", "fj:basedOn": "依据", "fj:precedes": "前序", "fj:workItem": "所属事项" };
function renderPath(path) {
  return path.map((step) => step.edge
    ? el("span", { class: "edge", title: step.edge, text: (step.inverse ? "←" : "→") + (EDGE_NAMES[step.edge] || step.edge) + (step.inverse ? "" : "→") })
    : el("span", { class: "node", title: step.type || "", text: step.label || step.iri }));
}

// ---- network views --------------------------------------------------------------------------------
async function initViews() {
  const message = $("views-message");
  try {
    const data = await getJSON("/api/views");
    if (!data.available) { message.textContent = "网络视图尚未安装；请升级 fenjie。"; $("views-form").hidden = true; return; }
    for (const view of data.views) $("views-select").append(el("option", { value: view.name, text: view.title || view.name }));
    $("views-form").addEventListener("submit", (event) => { event.preventDefault(); showView(); });
    showView(); // draw the first view straight away: an empty frame tells the user nothing
  } catch (error) { message.textContent = "无法读取网络视图列表：" + error.message; }
}
function showView() {
  const name = $("views-select").value;
  const url = "/views/" + encodeURIComponent(name) + "?" +
    query({ unit: $("views-unit").value.trim(), document: $("views-document").value.trim(), year: $("views-year").value });
  $("views-open").href = url;
  const frame = $("views-frame");
  frame.hidden = false;
  frame.src = url;
}

// ---- SPARQL box -----------------------------------------------------------------------------------
function initSparql() {
  const select = $("sparql-example");
  EXAMPLES.forEach((example, i) => select.append(el("option", { value: String(i), text: example.title })));
  select.addEventListener("change", () => { $("sparql-text").value = EXAMPLES[Number(select.value)].text; });
  $("sparql-text").value = EXAMPLES[0].text;
  $("sparql-form").addEventListener("submit", (event) => { event.preventDefault(); runSparql(); });
  $("sparql-csv").addEventListener("click", downloadCsv);
}
function sparqlRequest(accept) {
  return fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", Accept: accept },
    body: $("sparql-text").value,
  });
}
function termText(term) {
  if (!term) return "";
  if (term.type === "triple") return "<< " + ["subject", "predicate", "object"].map((k) => termText(term.value[k])).join(" ") + " >>";
  return term.value;
}
async function runSparql() {
  const out = $("sparql-result");
  const status = $("sparql-status");
  status.textContent = "运行中…";
  const started = performance.now();
  try {
    const response = await sparqlRequest("application/sparql-results+json, text/turtle;q=0.9");
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      const body = type.includes("json") ? await response.json() : { error: { message: await response.text() } };
      throw new Error(body.error ? body.error.message : response.statusText);
    }
    const ms = Math.round(performance.now() - started);
    const truncated = response.headers.get("fenjie-truncated");
    clear(out);
    if (!type.includes("json")) {
      out.append(el("pre", { id: "sparql-graph", text: await response.text() }));
      status.textContent = `完成（${ms} 毫秒）`;
      return;
    }
    const data = await response.json();
    if ("boolean" in data) {
      out.append(el("p", { class: "summary", id: "sparql-boolean", text: data.boolean ? "是 (true)" : "否 (false)" }));
    } else {
      const vars = data.head.vars;
      const rows = data.results.bindings;
      const table = el("table", { id: "sparql-table" }, el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", { text: v })))));
      const body = el("tbody");
      for (const row of rows) body.append(el("tr", {}, ...vars.map((v) => el("td", { text: termText(row[v]) }))));
      table.append(body);
      out.append(table);
      status.textContent = `${rows.length} 行（${ms} 毫秒）` + (truncated ? `，结果已截断为 ${truncated} 行` : "");
      return;
    }
    status.textContent = `完成（${ms} 毫秒）`;
  } catch (error) { status.textContent = ""; showError(out, error); }
}
async function downloadCsv() {
  try {
    const response = await sparqlRequest("text/csv");
    if (!response.ok) {
      const body = await response.json();
      throw new Error(body.error.message);
    }
    const blob = await response.blob();
    const link = el("a", { href: URL.createObjectURL(blob), download: "fenjie-query.csv" });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) { showError($("sparql-result"), error); }
}

// ---- start ----------------------------------------------------------------------------------------
const TAB_INIT = { load: loadCoordination, doc: initDocuments, views: initViews, sparql: initSparql };
document.addEventListener("DOMContentLoaded", () => {
  initUnits();
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  $("load-form").addEventListener("submit", (event) => { event.preventDefault(); loadCoordination(); });
  const first = location.hash.slice(1);
  showTab(document.getElementById("tab-" + first) ? first : "unit");
});
