// fenjie web page. Everything from the data is inserted with textContent, never innerHTML.
"use strict";

// One set of terms everywhere (CLI, page, chart, views, docs).
const ROLE_NAMES = { lead: "牵头", responsible: "共同负责", "co-responsible": "共同负责", supporting: "配合" };
const ROLE_ORDER = ["lead", "responsible", "co-responsible", "supporting"];
const KIND_NAMES = { direct: "直接引用", based_on: "依据文件", work_item: "工作内容引用", category: "主要任务引用", earlier_target: "前期目标", baseline: "前期基础", plan: "所属方案贯彻落实" };
const KIND_ORDER = ["direct", "based_on", "earlier_target", "baseline"];
const VIA_NAMES = { member_of: "经由", successor_of: "前身" };
// A work item of a revised edition against the previous one, and what changed (as `fenjie diff`).
const EDITION_NAMES = { new: "新增", changed: "有变化", unchanged: "未变化" };
const CHANGE_NAMES = { reworded: "表述调整", moved: "调整所属任务", targets: "年度目标调整", baseline: "前期工作基础调整", units: "分工调整" };
const CENTRALITY_HELP = {
  degree: "度中心性：与该单位共同承担过工作内容的单位，占其他全部单位的比例（0–1）。越高，需要打交道的单位越多。",
  betweenness: "介数中心性：其他单位之间的最短协同路径经过该单位的比例（0–1）。越高，越是各单位之间的协调枢纽。",
};
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
function label(node) { return node ? node.label || node.title || node.iri || "" : ""; }
function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  return search.toString();
}

// ---- errors: one Chinese sentence per error code; SPARQL syntax errors keep the parser's detail --
class ApiError extends Error {
  constructor(status, body) {
    const error = body && typeof body === "object" && body.error ? body.error : { message: String(body || "") };
    super(error.message || "");
    this.status = status;
    this.code = error.code || "error";
    this.details = error;
  }
}
async function errorFrom(response) {
  const type = response.headers.get("content-type") || "";
  let body;
  try { body = type.includes("json") ? await response.json() : await response.text(); } catch (e) { body = ""; }
  return new ApiError(response.status, body);
}
async function getJSON(url, options) {
  let response;
  try { response = await fetch(url, options); } catch (e) { throw new ApiError(0, { error: { code: "network" } }); }
  if (!response.ok) throw await errorFrom(response);
  return response.json();
}
function quoted(name) { return name ? `“${name}”` : ""; }
function describeError(error, what) {
  const d = error.details || {};
  switch (error.code) {
    case "not_found":
      return what === "document" ? `没有找到文件${quoted(d.name)}。` : what === "unit" ? `没有找到单位${quoted(d.name)}。` : "没有找到所要的内容。";
    case "ambiguous":
      return `名称${quoted(d.name)}对应多个${what === "document" ? "文件" : "单位"}，请选择其一：`;
    case "parameter": return "输入有误：请检查年份、角色等条件。";
    case "query_syntax":
      return "SPARQL 语法错误" + (d.line ? `（第 ${d.line} 行第 ${d.column} 列）` : "") + "：";
    case "timeout": return `查询超时，已停止${d.timeout ? `（上限 ${d.timeout} 秒）` : ""}。请缩小查询范围后重试。`;
    case "update_in_query":
      return "这里只运行查询（SELECT、ASK、CONSTRUCT、DESCRIBE）。更新数据请用 fenjie push，或提交到以 --update-token 启动的服务的更新端点。";
    case "read_only": case "unauthorized":
      return "本服务只读：数据更新请用 fenjie push，或向以 --update-token 启动的服务的更新端点提交。";
    case "too_large": return "请求太大，服务拒绝处理。";
    case "store": case "unavailable": return "数据暂不可用：请先运行 fenjie build，或稍后重试。";
    case "network": return "无法连接服务器：请确认 fenjie serve 仍在运行。";
    case "service_refused": return "查询中的 SERVICE 子句被拒绝：此服务未允许访问该端点。";
    // the server's messages are Chinese first (the English after it in parentheses): show them
    default: return (d.code && d.message) || `请求失败${error.status ? `（HTTP ${error.status}）` : ""}。`;
  }
}
// Shows the Chinese sentence; the parser's own words for SPARQL syntax errors; suggestions and
// candidates as links that run `retry(name)` when clicked.
function showError(target, error, { what, retry } = {}) {
  const box = el("div", { class: "error", role: "alert" }, el("p", { class: "error-text", text: describeError(error, what) }));
  if (error.code === "query_syntax" && error.message) {
    const detail = error.message.replace(/^SPARQL 语法错误 \(SPARQL syntax error\)：/, "");
    box.append(el("pre", { class: "error-detail", text: detail }));
  }
  const d = error.details || {};
  const choices = (d.suggestions || []).map((s) => ({ label: s, value: s }))
    .concat((d.candidates || []).map((c) => {
      const match = /^(.*) <([^>]+)>$/.exec(c);
      return match ? { label: match[1], value: match[2] } : { label: c, value: c };
    }));
  if (choices.length && retry) {
    const list = el("p", { class: "suggestions" }, error.code === "ambiguous" ? "" : "您是否要找：");
    choices.forEach((choice, i) => {
      const link = el("a", { href: "#", class: "suggestion", "data-value": choice.value, text: choice.label });
      link.addEventListener("click", (event) => { event.preventDefault(); retry(choice.value, choice.label); });
      if (i) list.append("、");
      list.append(link);
    });
    box.append(list);
  }
  clear(target).append(box);
}

// ---- tables: every table gets CSV and Excel downloads ---------------------------------------------
function dataTable(id, head, rows, name, { help } = {}) {
  const table = el("table", { id, class: "data" },
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h, title: help && help[h] ? help[h] : null })))));
  const body = el("tbody");
  for (const row of rows) body.append(row);
  table.append(body);
  const wrap = el("div", { class: "table-wrap" }, table);
  TableExport.attach(table, name);
  return wrap;
}
function cell(value, cls) {
  return el("td", { class: cls || null, text: value === undefined || value === null ? "" : String(value) });
}
function linkTo(text, onClick, attrs) {
  const link = el("a", { href: "#", ...(attrs || {}), text });
  link.addEventListener("click", (event) => { event.preventDefault(); onClick(); });
  return link;
}

// ---- pages of long answers: the API answers `limit` entries from `offset`, with total and next ---
const PAGE_SIZE = 100;
// "第 101–200 项，共 3319 项" between 上一页 and 下一页; `go(offset)` asks for another page.
function pager(data, go) {
  const shown = data.offset + (data.count || 0);
  const nav = el("nav", { class: "pager no-print", "aria-label": "分页" });
  const previous = el("button", { type: "button", class: "pager-previous", text: "上一页" });
  previous.disabled = !data.offset;
  previous.addEventListener("click", () => go(Math.max(0, data.offset - data.limit)));
  const next = el("button", { type: "button", class: "pager-next", text: "下一页" });
  next.disabled = data.next === null || data.next === undefined;
  next.addEventListener("click", () => go(data.next));
  const where = data.total ? `第 ${data.offset + 1}–${shown} 项，共 ${data.total} 项` : "共 0 项";
  nav.append(previous, el("span", { class: "pager-where", text: where }), next);
  return nav;
}

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

// ---- overview: tables, busiest units, most cited documents ---------------------------------------
async function loadHome() {
  const out = $("home-result");
  clear(out).append(el("p", { class: "note", text: "读取中…" }));
  // one after the other: three heavy answers at once would only compete for the query processes
  const settle = (promise) => promise.then((value) => ({ status: "fulfilled", value }), (reason) => ({ status: "rejected", reason }));
  const tables = await settle(getJSON("/api/queries/overview-tables"));
  const load = await settle(getJSON("/api/coordination"));
  const documents = await settle(getJSON("/api/queries/overview-documents"));
  clear(out);
  const section = (id, title, result, render) => {
    const box = el("section", { id, class: "home-panel" }, el("h2", { text: title }));
    out.append(box);
    if (result.status === "rejected") { const msg = el("div"); box.append(msg); showError(msg, result.reason); return; }
    render(box, result.value);
  };
  section("home-tables", "数据表", tables, (box, data) => {
    const rows = (data.rows || []).map((r) => el("tr", {},
      el("td", {}, linkTo(r.title || r.file || r.table, () => openUnitsOfTable())),
      cell(r.file), cell(r.workItems, "num"), cell(r.targets, "num"), cell(r.units, "num")));
    box.append(el("p", { class: "summary", id: "home-summary", text: `共 ${rows.length} 张分解表` }),
      dataTable("home-tables-table", ["表格", "文件", "工作内容", "目标", "单位"], rows, "数据表"));
  });
  section("home-units", "协同负担最重的单位", load, (box, data) => {
    const rows = (data.units || []).slice(0, 8).map((u) => el("tr", {},
      el("td", {}, linkTo(label(u.unit), () => openUnit(u.unit.iri, label(u.unit)), { class: "unit-link" })),
      cell(u.lead, "num"), cell(u.responsible, "num"), cell(u.supporting, "num"), cell(u.partners, "num")));
    box.append(dataTable("home-units-table", ["单位", "牵头", "共同负责", "配合", "协同单位"], rows, "协同负担最重的单位"),
      el("p", {}, linkTo("查看全部单位的协同负担 →", () => showTab("load"))));
  });
  section("home-documents", "被引用最多的政策文件", documents, (box, data) => {
    const rows = (data.rows || []).map((d) => el("tr", {},
      el("td", {}, linkTo("《" + (d.title || d.document) + "》", () => openDocument(d.document), { class: "doc-link" })),
      cell(d.short ? "《" + d.short + "》" : ""), cell(d.citations, "num")));
    box.append(dataTable("home-documents-table", ["文件", "简称", "引用次数"], rows, "被引用最多的政策文件"),
      el("p", { class: "note", text: "引用次数：引用该文件（或依据该文件的文件）的目标和前期工作基础条目数。点击文件查看依赖它的全部目标。" }));
  });
}
function openUnit(iri, name) {
  showTab("unit");
  const input = $("unit-input");
  input.value = name; input.dataset.iri = iri; input.dataset.label = name;
  loadObligations();
}
function openUnitsOfTable() { showTab("load"); }
function openDocument(iri) {
  showTab("doc");
  $("doc-input").value = iri;
  docKind = "";
  traceDocument();
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
async function loadObligations(offset) {
  const input = $("unit-input");
  const unit = input.dataset.iri && input.dataset.label === input.value ? input.dataset.iri : input.value.trim();
  const out = $("unit-result");
  if (!unit) return;
  clear(out).append(el("p", { class: "note", text: "查询中…" }));
  try {
    const filters = { unit, year: $("unit-year").value, role: $("unit-role").value, edition: $("unit-edition").value };
    const data = await getJSON("/api/obligations?" + query({ ...filters, limit: PAGE_SIZE, offset: offset || "" }));
    input.dataset.label = input.value;
    renderObligations(out, data);
  } catch (error) {
    showError(out, error, { what: "unit", retry: (value, name) => openUnit(value, name) });
  }
}
function renderObligations(out, data) {
  clear(out);
  const obligations = data.obligations || [];
  const total = data.total === undefined ? obligations.length : data.total;
  const paged = total > obligations.length;
  const counts = Object.entries(data.counts || {}).map(([role, n]) => `${ROLE_NAMES[role] || role} ${n}`);
  out.append(el("p", { class: "summary", id: "unit-summary" },
    el("strong", { text: label(data.unit) }), ` 共 ${total} 项任务`,
    counts.length ? `（${counts.join("，")}）` : "",
    editionSummary(data)));
  const pages = () => pager({ ...data, count: obligations.length }, (offset) => loadObligations(offset));
  if (paged) out.append(pages());
  const byRole = new Map();
  for (const ob of obligations) {
    if (!byRole.has(ob.role)) byRole.set(ob.role, []);
    byRole.get(ob.role).push(ob);
  }
  const roles = [...byRole.keys()].sort((a, b) => ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b));
  for (const role of roles) {
    const group = el("section", { class: "role-group " + role, "data-role": role },
      el("h2", { text: `${ROLE_NAMES[role] || role}（${paged ? "本页 " : ""}${byRole.get(role).length}${paged ? `，共 ${data.counts[role]}` : ""}）` }));
    for (const ob of byRole.get(role)) group.append(renderObligation(ob));
    out.append(group);
  }
  if (paged) out.append(pages());
  // the same obligations as one table, for download
  const rows = [];
  for (const ob of obligations) {
    const parties = ob.parties || {};
    const names = (r) => (parties[r] || []).map(label).join("、");
    for (const t of ob.targets && ob.targets.length ? ob.targets : [{}]) {
      rows.push(el("tr", {}, cell(ROLE_NAMES[ob.role] || ob.role), cell(label(ob.work_item)), cell(ob.category),
        cell(viaText(ob.via)), cell(names("lead")), cell(names("responsible")), cell(names("supporting")),
        cell((ob.baseline || []).join("；")), cell(ob.deadline), cell(t.year), cell(t.text), cell(editionText(ob.edition))));
    }
  }
  const details = el("details", { class: "obligation-table no-print" }, el("summary", { text: paged ? "本页的表格形式（可下载）" : "表格形式（可下载）" }),
    dataTable("unit-table", ["角色", "工作内容", "主要任务", "经由", "牵头单位", "共同负责单位", "配合单位", "前期工作基础", "完成时限", "年份", "目标", "与上一版相比"],
      rows, label(data.unit) + "的任务"));
  out.append(details);
}
function viaText(via) {
  return (via || []).map((step) => (typeof step === "string" ? step : `${VIA_NAMES[step.relation] || "经由"} ${label(step.unit)}`)).join(" → ");
}
// "；修订版中新增 1，有变化 5，未变化 8" when some work items belong to a recorded revision
function editionSummary(data) {
  const counts = data.edition_counts || {};
  if (!(data.obligations || []).some((ob) => ob.edition)) return "";
  return "；修订版中" + Object.keys(EDITION_NAMES).map((s) => `${EDITION_NAMES[s]} ${counts[s] || 0}`).join("，");
}
function editionText(edition) {
  if (!edition) return "";
  const changes = (edition.changes || []).map((c) => CHANGE_NAMES[c] || c).join("、");
  return (EDITION_NAMES[edition.status] || edition.status) + (changes ? `（${changes}）` : "");
}
// The mark on a card: 新增 / 有变化 / 未变化, the earlier work item and the match score as its tooltip
function editionBadge(edition) {
  if (!edition) return null;
  const before = edition.previous_item
    ? `上一版：${label(edition.previous_item)}（${label(edition.previous)}），匹配分 ${edition.score}`
    : `上一版（${label(edition.previous)}）中没有对应的工作内容`;
  return el("span", { class: "edition-badge " + edition.status, "data-edition": edition.status, title: before, text: editionText(edition) });
}
function renderObligation(ob) {
  const card = el("article", { class: "obligation", "data-iri": ob.work_item ? ob.work_item.iri : null },
    el("h3", {}, label(ob.work_item), editionBadge(ob.edition)));
  const meta = [ob.category, ob.source ? label(ob.source) : null].filter(Boolean).join(" · ");
  if (meta) card.append(el("div", { class: "meta", text: meta }));
  if (ob.via && ob.via.length) card.append(el("div", { class: "meta via", text: viaText(ob.via) }));
  const parties = ob.parties || {};
  const partyLines = ROLE_ORDER.filter((r) => parties[r] && parties[r].length)
    .map((r) => el("span", { class: "party " + r }, el("span", { class: "party-role", text: (r === "lead" ? "牵头单位" : r === "responsible" ? "共同负责" : "配合单位") + "：" }),
      parties[r].map(label).join("、")));
  if (partyLines.length) {
    const line = el("div", { class: "parties" });
    partyLines.forEach((p, i) => { if (i) line.append("；"); line.append(p); });
    card.append(line);
  }
  if (ob.deadline) card.append(el("div", { class: "deadline" }, el("span", { class: "party-role", text: "完成时限：" }), ob.deadline));
  if (ob.baseline && ob.baseline.length) {
    const list = el("ol", { class: "baseline-list" });
    for (const text of ob.baseline) list.append(el("li", { text }));
    card.append(el("details", { class: "baseline", open: "" }, el("summary", { text: `前期工作基础（${ob.baseline.length}）` }), list));
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
function centrality(value) { return value === undefined || value === null ? "" : Number(value).toFixed(3); }
async function loadCoordination() {
  const out = $("load-result");
  clear(out).append(el("p", { class: "note", text: "统计中…" }));
  try {
    const data = await getJSON("/api/coordination?" + query({ year: $("load-year").value }));
    renderChart($("load-chart"), data.units || []);
    clear(out);
    const rows = (data.units || []).map((row) => el("tr", {},
      el("td", {}, linkTo(label(row.unit), () => openUnit(row.unit.iri, label(row.unit)))),
      ...[row.lead, row.responsible, row.supporting, row.work_items, row.partners].map((v) => cell(v, "num")),
      cell(centrality(row.degree), "num"), cell(centrality(row.betweenness), "num")));
    const help = { "度中心性": CENTRALITY_HELP.degree, "介数中心性": CENTRALITY_HELP.betweenness };
    out.append(el("h2", { text: "各单位的协同负担" }),
      dataTable("load-table", ["单位", "牵头", "共同负责", "配合", "工作内容", "协同单位", "度中心性", "介数中心性"], rows, "协同负担", { help }),
      el("p", { class: "note centrality-help" }, CENTRALITY_HELP.degree, el("br"), CENTRALITY_HELP.betweenness));
    const pairs = (data.pairs || []).slice(0, 30).map((pair) =>
      el("tr", {}, cell(label(pair.a)), cell(label(pair.b)), cell(pair.shared, "num")));
    out.append(el("h2", { text: "共同承担工作内容最多的单位对" }),
      dataTable("pairs-table", ["单位甲", "单位乙", "共同工作内容"], pairs, "单位对"));
  } catch (error) { showError(out, error); }
}
let measureContext = null;
function textWidth(text, font) {
  measureContext = measureContext || document.createElement("canvas").getContext("2d");
  measureContext.font = font;
  return measureContext.measureText(text).width;
}
function renderChart(target, units) {
  const NS = "http://www.w3.org/2000/svg";
  const svgEl = (tag, attrs, text) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const rows = units.slice(0, 25);
  const roles = ["lead", "responsible", "supporting"];
  const total = (u) => roles.reduce((n, r) => n + (u[r] || 0), 0);
  const max = Math.max(1, ...rows.map(total));
  const fontFamily = getComputedStyle(document.body).fontFamily;
  const font = `12px ${fontFamily}`;
  // the label column is as wide as the longest unit name: names are never cut
  const left = Math.ceil(Math.max(60, ...rows.map((u) => textWidth(label(u.unit), font)))) + 12;
  const width = 480, bar = 18, gap = 6, top = 34, valueRoom = 40;
  const svg = svgEl("svg", {
    class: "chart", role: "img", "aria-label": "各单位承担的工作内容数（牵头、共同负责、配合）",
    width: left + width + valueRoom, height: top + rows.length * (bar + gap) + 4,
  });
  // legend: swatches in the bars' own colours
  let lx = left;
  for (const role of roles) {
    svg.append(svgEl("rect", { class: "legend-swatch " + role, x: lx, y: 6, width: 14, height: 14 }));
    const text = svgEl("text", { class: "legend-label", x: lx + 18, y: 18 }, ROLE_NAMES[role]);
    svg.append(text);
    lx += 18 + textWidth(ROLE_NAMES[role], font) + 16;
  }
  svg.append(svgEl("text", { class: "legend-note", x: lx, y: 18 }, "（按工作内容计）"));
  rows.forEach((u, i) => {
    const y = top + i * (bar + gap);
    svg.append(svgEl("text", { class: "bar-label", x: left - 8, y: y + bar - 5, "text-anchor": "end" }, label(u.unit)));
    let x = left;
    for (const role of roles) {
      const n = u[role] || 0;
      if (!n) continue;
      const w = (n / max) * width;
      const rect = svgEl("rect", { class: role, x, y, width: w, height: bar });
      rect.append(svgEl("title", {}, `${label(u.unit)}：${ROLE_NAMES[role]} ${n} 项`));
      svg.append(rect);
      if (w >= 16) svg.append(svgEl("text", { class: "bar-value", x: x + w / 2, y: y + bar - 5, "text-anchor": "middle" }, n));
      x += w;
    }
    svg.append(svgEl("text", { class: "bar-total", x: x + 5, y: y + bar - 5 }, total(u)));
  });
  clear(target).append(svg);
}

// ---- documents and their dependent targets --------------------------------------------------------
async function initDocuments() {
  // a new document starts on all kinds, at its first page
  $("doc-form").addEventListener("submit", (event) => { event.preventDefault(); docKind = ""; traceDocument(); });
  $("doc-select").addEventListener("change", () => { $("doc-input").value = ""; docKind = ""; traceDocument(); });
  try {
    const data = await getJSON("/api/queries/documents");
    const select = $("doc-select");
    const seen = new Set();
    for (const row of data.rows || []) {
      if (seen.has(row.document)) continue;
      seen.add(row.document);
      select.append(el("option", { value: row.document, text: row.title || row.document }));
    }
  } catch (error) { /* the free-text box still works */ }
}
let docKind = "";
async function traceDocument(offset) {
  const name = $("doc-input").value.trim() || $("doc-select").value;
  const out = $("doc-result");
  if (!name) return;
  clear(out).append(el("p", { class: "note", text: "追溯中…" }));
  try {
    const data = await getJSON("/api/dependents?" + query({ document: name, kind: docKind, limit: PAGE_SIZE, offset: offset || "" }));
    renderDependents(out, data);
  } catch (error) {
    showError(out, error, { what: "document", retry: (value) => { $("doc-input").value = value; traceDocument(); } });
  }
}
// One page of the dependent targets; the kind buttons ask the server for that kind's pages.
function renderDependents(out, data) {
  clear(out);
  const targets = data.targets || [];
  const counts = data.counts || {};
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const title = "《" + label(data.document) + "》";
  out.append(el("p", { class: "summary", id: "doc-summary" }, el("strong", { text: title }), ` 共有 ${all} 个目标依赖此文件`));
  const kinds = KIND_ORDER.filter((k) => counts[k]).concat(Object.keys(counts).filter((k) => !KIND_ORDER.includes(k)));
  const filters = el("div", { class: "kind-filter no-print", role: "group", "aria-label": "按依赖方式筛选" });
  for (const [kind, text] of [["", `全部（${all}）`], ...kinds.map((k) => [k, `${KIND_NAMES[k] || k}（${counts[k]}）`])]) {
    const button = el("button", { type: "button", class: "kind-button", "data-kind": kind, "aria-pressed": String(kind === docKind), text });
    button.addEventListener("click", () => { docKind = kind; traceDocument(); });
    filters.append(button);
  }
  const body = el("tbody");
  const shownKinds = [...new Set(targets.map((t) => t.kind))]
    .sort((a, b) => (KIND_ORDER.indexOf(a) + 1 || 99) - (KIND_ORDER.indexOf(b) + 1 || 99));
  for (const kind of shownKinds) {
    const here = targets.filter((x) => x.kind === kind);
    const heading = data.total > targets.length ? `本页 ${here.length}，共 ${counts[kind]}` : `${here.length}`;
    body.append(el("tr", { class: "group-row", "data-kind": kind, "data-export": "skip" },
      el("th", { colspan: "5", text: `${KIND_NAMES[kind] || kind}（${heading}）` })));
    for (const t of here) {
      body.append(el("tr", { class: "dependent", "data-kind": kind },
        cell(KIND_NAMES[kind] || kind), cell(t.year), cell(label(t.work_item)), cell(t.text),
        el("td", { class: "path", "data-export-text": pathText(t.path || []) }, ...renderPath(t.path || []))));
    }
  }
  const table = el("table", { id: "doc-table", class: "data" },
    el("thead", {}, el("tr", {}, ...["依赖方式", "年份", "工作内容", "目标", "依赖路径"].map((h) => el("th", { text: h })))), body);
  const wrap = el("div", { class: "table-wrap" }, table);
  const pages = () => pager({ ...data, count: targets.length }, (offset) => traceDocument(offset));
  const paged = data.total > targets.length;
  out.append(filters);
  if (paged) out.append(pages());
  out.append(wrap);
  if (paged) out.append(pages());
  TableExport.attach(table, title + "的依赖目标" + (paged ? `（第 ${data.offset + 1}–${data.offset + targets.length} 项）` : ""));
}
const EDGE_NAMES = { "fj:refersTo": "引用", "fj:produces": "出台", "fj:basedOn": "依据", "fj:implements": "贯彻落实", "fj:precedes": "前序", "fj:workItem": "所属", "fj:category": "所属任务", "dct:isPartOf": "所属方案", "fj:planDocument": "方案文件" };
function edgeName(step) {
  // a baseline entry reached from its work item is the work item's 前期基础
  if (step.edge === "fj:workItem" && step.inverse) return "前期基础";
  return EDGE_NAMES[step.edge] || step.edge;
}
function renderPath(path) {
  return path.map((step) => step.edge
    ? el("span", { class: "edge", title: step.edge, text: (step.inverse ? "←" : "→") + edgeName(step) + (step.inverse ? "" : "→") })
    : el("span", { class: "node", title: step.type || "", text: step.label || step.iri }));
}
function pathText(path) {
  return path.map((step) => (step.edge ? ` —${edgeName(step)}→ ` : step.label || step.iri)).join("");
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
  } catch (error) { message.textContent = "无法读取网络视图列表：" + describeError(error); }
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
async function sparqlRequest(accept) {
  try {
    return await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: accept },
      body: $("sparql-text").value,
    });
  } catch (e) { throw new ApiError(0, { error: { code: "network" } }); }
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
    if (!response.ok) throw await errorFrom(response);
    const type = response.headers.get("content-type") || "";
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
      const rows = data.results.bindings.map((row) => el("tr", {}, ...vars.map((v) => cell(termText(row[v])))));
      out.append(dataTable("sparql-table", vars, rows, "查询结果"));
      status.textContent = `${rows.length} 行（${ms} 毫秒）` + (truncated ? `，结果已截断为 ${truncated} 行` : "");
      return;
    }
    status.textContent = `完成（${ms} 毫秒）`;
  } catch (error) {
    status.textContent = "";
    if (error.code === "query_syntax" && looksLikeUpdate($("sparql-text").value)) error.code = "update_in_query";
    showError(out, error);
  }
}
// An update typed into the query box fails to parse as a query; say where updates go instead.
// (Only the message depends on this; the server decides what runs on the parsed request.)
function looksLikeUpdate(text) {
  const body = text.replace(/#[^\n]*/g, " ").replace(/^\s*((PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*/i, "");
  return /^(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b/i.test(body);
}
async function downloadCsv() {
  try {
    const response = await sparqlRequest("text/csv");
    if (!response.ok) throw await errorFrom(response);
    const blob = await response.blob();
    const link = el("a", { href: URL.createObjectURL(blob), download: "fenjie-query.csv" });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) { showError($("sparql-result"), error); }
}

// ---- findings: doubtful parses per table ---------------------------------------------------------
async function loadFindings() {
  const out = clear($("findings-result"));
  try {
    const tables = await getJSON("/api/findings");
    for (const t of tables) {
      const count = t.recorded === false ? "存疑未记录" : `存疑 ${t.findings.length} 处`;
      const head = el("h3", { text: `${t.title || t.file}（${t.file}）：${count}` });
      const list = el("ul", { class: "findings" });
      for (const f of t.findings) list.append(el("li", {}, el("code", { text: f.kind }), " ", f.message, " — ", el("span", { class: "where", text: f.where })));
      const none = t.recorded === false
        ? el("p", { class: "note", text: "此表由旧版 fenjie 构建，未记录存疑：请运行 fenjie check 查看，或重新构建（fenjie build --fresh）。" })
        : el("p", { text: "无" });
      const section = el("section", { class: "findings-table" }, head, t.findings.length ? list : none);
      if (t.notes && t.notes.length) {
        const notes = el("ul", { class: "notes" });
        for (const n of t.notes) notes.append(el("li", {}, el("code", { text: n.kind }), " ", n.message, " — ", el("span", { class: "where", text: n.where })));
        section.append(el("details", {}, el("summary", { text: `按简称认定的单位 ${t.notes.length} 处（供核对，不算存疑）` }), notes));
      }
      out.append(section);
    }
    if (!tables.length) out.append(el("p", { text: "存储中还没有分解表。" }));
  } catch (error) { showError(out, error); }
}

// ---- start ----------------------------------------------------------------------------------------
const TAB_INIT = { home: loadHome, load: loadCoordination, doc: initDocuments, views: initViews, sparql: initSparql, findings: loadFindings };
document.addEventListener("DOMContentLoaded", () => {
  initUnits();
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  $("load-form").addEventListener("submit", (event) => { event.preventDefault(); loadCoordination(); });
  const fromHash = () => {
    const name = location.hash.slice(1);
    showTab(document.getElementById("tab-" + name) ? name : "home");
  };
  window.addEventListener("hashchange", fromHash); // links to #load etc. and the back button
  fromHash();
});
