// 比较版本 tab: two tables of the store compared (GET /api/diff), as `fenjie diff` shows them, with a
// link to the self-contained HTML report (/reports/diff). Data is inserted with textContent only.
"use strict";

const DIRECTION_NAMES = { raised: "提高", lowered: "降低" };

async function initEditions() {
  $("editions-form").addEventListener("submit", (event) => { event.preventDefault(); compareEditions(); });
  const out = $("editions-result");
  let tables;
  try {
    tables = (await getJSON("/api/queries/tables")).rows || [];
  } catch (error) { showError(out, error); return; }
  for (const id of ["editions-old", "editions-new"]) {
    const select = clear($(id));
    for (const t of tables) {
      const name = t.title || t.file || t.table;
      select.append(el("option", { value: t.table, text: t.file && t.title ? `${name}（${t.file}）` : name }));
    }
  }
  if (tables.length < 2) {
    clear(out).append(el("p", { class: "note", text: "库中至少要有两张分解表（同一方案的两个版本）才能比较。" }));
    return;
  }
  $("editions-old").selectedIndex = 0;
  $("editions-new").selectedIndex = tables.length - 1;
  clear(out).append(el("p", { class: "note", text: "选择原版本和新版本，然后点“比较”。" }));
}

function changeText(change) {
  const name = CHANGE_NAMES[change.kind] || change.kind;
  const list = (values) => (values && values.length ? values.join("；") : "（无）");
  if (change.kind === "reworded" || change.kind === "moved") return `${name}：${change.old || "（无）"} → ${change.new || "（无）"}`;
  if (change.kind === "targets") return `${name}（${change.year}年）：${list(change.old)} → ${list(change.new)}`;
  if (change.kind === "baseline") return `${name}：${list(change.old)} → ${list(change.new)}`;
  if (change.kind === "units") {
    const units = (change.units || []).map((u) => `${label(u.unit)} ${ROLE_NAMES[u.old_role] || "—"} → ${ROLE_NAMES[u.new_role] || "—"}`);
    return `${name}：${units.join("；")}`;
  }
  return name;
}
function itemName(ref) {
  if (!ref) return "";
  return (ref.number ? `${ref.number}、` : "") + (ref.label || ref.iri);
}

async function compareEditions() {
  const out = $("editions-result");
  const params = { old: $("editions-old").value, new: $("editions-new").value, threshold: $("editions-threshold").value };
  if (!params.old || !params.new) return;
  const link = $("editions-report");
  link.hidden = true;
  clear(out).append(el("p", { class: "note", text: "比较中…" }));
  let answer;
  try {
    answer = await getJSON("/api/diff?" + query(params));
  } catch (error) { showError(out, error); return; }
  link.href = "/reports/diff?" + query(params);
  link.hidden = false;
  renderDiff(out, answer);
}

function renderDiff(out, answer) {
  clear(out);
  const items = answer.work_items;
  out.append(el("p", { class: "summary", id: "editions-summary" },
    el("strong", { text: label(answer.old) }), " → ", el("strong", { text: label(answer.new) }), el("br"),
    `工作内容：新增 ${items.added.length}，删除 ${items.dropped.length}，有变化 ${items.changed.length}，未变化 ${items.unchanged}`));
  if (label(answer.old) === label(answer.new) && answer.old.iri === answer.new.iri) {
    out.append(el("p", { class: "note", text: "原版本和新版本是同一张表。" }));
  }

  const rows = [];
  const row = (kind, cls, before, after, score, changes, iri) => rows.push(el("tr", { class: "diff-" + cls, "data-iri": iri },
    cell(kind, "diff-kind"), cell(before), cell(after), cell(score, "num"), cell(changes)));
  for (const i of items.added) row("新增", "added", "", itemName(i), "", i.category || "", i.iri);
  for (const i of items.dropped) row("删除", "dropped", itemName(i), "", "", i.category || "", i.iri);
  for (const c of items.changed) {
    row("有变化", "changed", itemName(c.old), itemName(c.new), Number(c.score).toFixed(1),
      c.changes.map(changeText).join("\n"), c.new.iri);
  }
  out.append(el("h2", { text: "工作内容" }),
    dataTable("editions-items", ["结果", "原工作内容", "现工作内容", "匹配分", "变化（新增、删除者为所属任务）"], rows, "工作内容变化"));

  const unitRows = [];
  for (const u of answer.units) {
    const add = (what, item, role) => unitRows.push(el("tr", {}, cell(label(u.unit)), cell(what), cell(item), cell(role)));
    for (const x of u.gained) add("新增", label(x.work_item), ROLE_NAMES[x.role] || x.role);
    for (const x of u.lost) add("不再承担", label(x.work_item), ROLE_NAMES[x.role] || x.role);
    for (const x of u.role_changed) add("角色变化", label(x.work_item), `${ROLE_NAMES[x.old_role] || "—"} → ${ROLE_NAMES[x.new_role] || "—"}`);
    for (const r of u.renamed_from) add("更名自", label(r), "");
  }
  if (unitRows.length) {
    out.append(el("h2", { text: "各单位分工变化" }),
      dataTable("editions-units", ["单位", "变化", "工作内容或原名称", "角色"], unitRows, "分工变化"));
  }

  if (answer.indicators.length) {
    const indicatorRows = answer.indicators.map((i) => el("tr", {},
      cell(label(i.indicator)), cell(i.old_year ? `${i.old_year}→${i.year}` : i.year),
      cell(`${i.old}${i.unit || ""}`), cell(`${i.new}${i.unit || ""}`), cell(DIRECTION_NAMES[i.change] || i.change)));
    out.append(el("h2", { text: "量化目标调整" }),
      dataTable("editions-indicators", ["指标", "年份", "原目标", "现目标", "调整"], indicatorRows, "量化目标调整"));
  }

  const documentRows = [
    ...answer.documents.added.map((d) => el("tr", {}, cell("新增引用"), cell("《" + (d.title || d.iri) + "》"))),
    ...answer.documents.dropped.map((d) => el("tr", {}, cell("不再引用"), cell("《" + (d.title || d.iri) + "》"))),
  ];
  if (documentRows.length) {
    out.append(el("h2", { text: "引用文件变化" }), dataTable("editions-documents", ["变化", "文件"], documentRows, "引用文件变化"));
  }
  out.append(el("p", { class: "note", text: `匹配阈值 ${answer.threshold}：匹配分低于此值的两项视为一删一增。编号不同而内容相同的工作内容算作未变化。` }));
}

TAB_INIT.editions = initEditions;
