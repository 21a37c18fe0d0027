// 进展督办 tab: progress of every target as of a date (red / yellow / green), filters, a unit's
// 催办清单 and the history of a target's reports. Data is inserted with textContent only.
"use strict";

const PROGRESS_STATUSES = ["已完成", "基本完成", "推进中", "滞后", "未启动", "无法完成", "未报送", "未标注"];

function progressLight(target) {
  if (target.status === "已完成" || target.status === "基本完成") return "green";
  if (target.overdue || target.status === "滞后" || target.status === "无法完成") return "red";
  return "yellow";
}
const LIGHT_NAMES = { green: "绿：已完成", yellow: "黄：推进中或未到期", red: "红：逾期或滞后" };
function percent(rate) { return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%"; }

function initProgress() {
  const select = $("progress-status");
  select.append(el("option", { value: "", text: "全部" }));
  for (const status of PROGRESS_STATUSES) select.append(el("option", { value: status, text: status }));
  $("progress-asof").value = new Date().toISOString().slice(0, 10);
  $("progress-form").addEventListener("submit", (event) => { event.preventDefault(); loadProgress(); });
  loadProgress();
}

async function loadProgress() {
  const out = $("progress-result");
  clear(out).append(el("p", { class: "note", text: "加载中…" }));
  const params = {
    as_of: $("progress-asof").value,
    unit: $("progress-unit").value.trim(),
    status: $("progress-status").value,
    year: $("progress-year").value,
    depends: $("progress-depends").value.trim(),
    overdue: $("progress-overdue").checked ? "true" : "",
  };
  let answer;
  try {
    answer = await getJSON("/api/progress?" + query(params));
  } catch (error) { showError(out, error); return; }
  clear(out);
  const s = answer.summary;
  out.append(el("p", { class: "summary", id: "progress-summary",
    text: `截至 ${answer.as_of}：目标 ${s.targets} 个，已完成 ${s.completed}，滞后 ${s.late}，逾期 ${s.overdue}，有风险 ${s.at_risk}，完成率 ${percent(s.rate)}` }));
  if (answer.filters.unit) out.append(reminderList(answer));
  out.append(el("h2", { text: "各单位完成情况（逾期最多者在前）" }), unitTable(answer.units));
  out.append(el("h2", { text: "目标进展" }), targetTable(answer.targets));
  out.append(el("div", { id: "progress-history" }));
}

function reminderList(answer) {
  const unit = answer.filters.unit;
  const due = answer.targets.filter((t) => t.overdue || t.at_risk)
    .sort((a, b) => String(a.due).localeCompare(String(b.due)));
  const box = el("section", { id: "progress-reminders", class: "reminders" },
    el("h2", { text: `催办清单：${unit.label}（${due.length} 项）` }));
  const list = el("ol");
  for (const t of due) {
    const latest = t.latest_report ? `最近报送 ${t.latest_report.as_of}：${t.latest_report.text}` : "未报送";
    list.append(el("li", { class: "light-" + progressLight(t) },
      el("strong", { text: `${t.year || ""} ${t.text}` }),
      el("span", { class: "meta", text: ` 到期 ${t.due || "—"}${t.overdue ? "，已逾期" : "，即将到期或滞后"}；${latest}` })));
  }
  box.append(list);
  return box;
}

function unitTable(units) {
  const table = el("table", { id: "progress-units" });
  table.append(el("tr", {}, ...["单位", "目标", "已完成", "滞后", "逾期", "完成率", "牵头目标", "牵头完成率"]
    .map((h) => el("th", { text: h }))));
  for (const u of units) {
    const name = el("a", { href: "#progress", text: u.unit.label || u.unit.iri });
    name.addEventListener("click", (event) => {
      event.preventDefault();
      $("progress-unit").value = u.unit.label || u.unit.iri;
      loadProgress();
    });
    table.append(el("tr", {}, el("td", {}, name),
      ...[u.targets, u.completed, u.late, u.overdue].map((n) => el("td", { class: "num", text: n })),
      el("td", { class: "num", text: percent(u.rate) }),
      el("td", { class: "num", text: u.lead.targets }),
      el("td", { class: "num", text: percent(u.lead.rate) })));
  }
  return table;
}

function targetTable(targets) {
  const table = el("table", { id: "progress-targets" });
  table.append(el("tr", {}, ...["", "年份", "工作内容", "目标", "责任单位", "状态", "到期", "最近报送"]
    .map((h) => el("th", { text: h }))));
  for (const t of targets) {
    const light = progressLight(t);
    const units = t.units.filter((u) => u.role !== "supporting").map((u) => u.label || u.iri).join("、");
    const history = el("a", { href: "#progress", text: t.reports ? `${t.reports} 份` : "—" });
    history.addEventListener("click", (event) => { event.preventDefault(); loadHistory(t); });
    const row = el("tr", { class: "light-" + light, "data-iri": t.iri },
      el("td", {}, el("span", { class: "light " + light, title: LIGHT_NAMES[light], text: "●" })),
      el("td", { text: t.year || "" }), el("td", { text: t.work_item.label }),
      el("td", { text: t.text }), el("td", { text: units }),
      el("td", { text: t.status + (t.overdue ? "（逾期）" : "") }),
      el("td", { text: t.due || "—" }), el("td", {}, history));
    table.append(row);
  }
  return table;
}

async function loadHistory(target) {
  const out = clear($("progress-history"));
  out.append(el("h2", { text: `报送历史：${target.text}` }));
  let answer;
  try {
    answer = await getJSON("/api/reports?" + query({ about: target.iri }));
  } catch (error) { showError(out, error); return; }
  const table = el("table", { id: "progress-history-table" });
  table.append(el("tr", {}, ...["截至", "单位", "状态", "进展情况", "存在问题", "来源"].map((h) => el("th", { text: h }))));
  for (const r of answer.reports) {
    const source = r.source.file ? `${r.source.file}，${r.source.location || ""}` : `账号 ${r.source.account}`;
    table.append(el("tr", {}, el("td", { text: r.as_of }), el("td", { text: r.unit.label || r.unit.iri }),
      el("td", { text: r.status || r.status_written || "—" }), el("td", { text: r.text }),
      el("td", { text: r.problems || "" }), el("td", { text: source })));
  }
  out.append(table);
  out.scrollIntoView();
}

TAB_INIT.progress = initProgress;
