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

// The targets come a page at a time (PAGE_SIZE, app.js): the summary, the units table and the
// 催办清单's count are the whole answer's; `offset` is the page's first target.
let progressOffset = 0;
async function loadProgress(offset) {
  const out = $("progress-result");
  clear(out).append(el("p", { class: "note", text: "加载中…" }));
  const params = {
    as_of: $("progress-asof").value,
    unit: $("progress-unit").value.trim(),
    status: $("progress-status").value,
    year: $("progress-year").value,
    depends: $("progress-depends").value.trim(),
    overdue: $("progress-overdue").checked ? "true" : "",
    limit: PAGE_SIZE,
    offset: offset || "",
  };
  let answer;
  try {
    answer = await getJSON("/api/progress?" + query(params));
  } catch (error) { showError(out, error); return; }
  progressOffset = answer.offset || 0;
  clear(out);
  const s = answer.summary;
  out.append(el("p", { class: "summary", id: "progress-summary",
    text: `截至 ${answer.as_of}：目标 ${s.targets} 个，已完成 ${s.completed}，滞后 ${s.late}，逾期 ${s.overdue}，有风险 ${s.at_risk}，完成率 ${percent(s.rate)}` }));
  if (answer.filters.unit) out.append(reminderList(answer));
  out.append(el("h2", { text: "各单位完成情况（逾期最多者在前）" }), unitTable(answer.units));
  const pages = () => pager({ ...answer, count: answer.targets.length }, (at) => loadProgress(at));
  out.append(el("h2", { text: "目标进展" }), pages(), targetTable(answer.targets), pages());
  out.append(el("div", { id: "progress-history" }));
}

function reminderList(answer) {
  const unit = answer.filters.unit;
  // the server lists them whole-answer, earliest due first (an older answer: from the targets)
  const reminders = answer.reminders || { targets: answer.targets.filter((t) => t.overdue || t.at_risk) };
  const due = reminders.targets.slice().sort((a, b) => String(a.due).localeCompare(String(b.due)));
  const total = reminders.total === undefined ? due.length : reminders.total;
  const more = total > due.length ? `，列出到期最早的 ${due.length} 项` : "";
  const box = el("section", { id: "progress-reminders", class: "reminders" },
    el("h2", { text: `催办清单：${unit.label}（${total} 项${more}）` }));
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


// ---- 报送进展: a report account's form (POST /api/reports) ------------------------------------------
// The token stays in this page's memory (never in the address or in storage). What the account
// may report on comes from /api/reports/scope; every text is put in with textContent.
const REPORT_FIELDS = {
  about: "报送事项", unit: "报送单位", as_of: "截至日期", status: "完成状态", text: "进展情况",
  percent: "完成比例", problems: "存在问题", next_steps: "下一步工作打算", evidence: "佐证材料",
  "Idempotency-Key": "报送编号",
};
let reportAccount = null;
let reportKey = null; // one Idempotency-Key per report: a retry after a network error stores it once

function reportError(error) {
  const d = error.details || {};
  switch (error.code) {
    case "unauthorized": return "令牌无效或缺失：请输入 fenjie account add 给出的令牌。";
    case "read_only": return "本服务未开启报送：需以 --accounts 启动 fenjie serve。";
    case "forbidden": return "无权报送：本单位未承担（也不配合）该项任务，或账号不能代其他单位报送。";
    case "not_found": return "没有找到该目标或工作任务（可能已随重建更改），请重新选择。";
    case "parameter": {
      const field = REPORT_FIELDS[d.parameter];
      return field ? `“${field}”填写有误，请检查后重新提交。` : "填写有误，请检查后重新提交。";
    }
    case "too_large": return "内容过长：每项文字不超过 20,000 字，佐证材料不超过 20 份。";
    case "store_busy": return "数据正在重建，请稍后再次提交（同一报送不会重复保存）。";
    case "network": return "无法连接服务器：请确认 fenjie serve 仍在运行，然后再次提交（同一报送不会重复保存）。";
    default: return describeError(error);
  }
}

function showReportError(error) {
  const out = clear($("report-message"));
  const box = el("div", { class: "error", role: "alert" }, el("p", { class: "error-text", text: reportError(error) }));
  if (error.message) box.append(el("p", { class: "error-detail", text: `（服务器说明：${error.message}）` }));
  out.append(box);
}

function authHeaders() {
  return { Authorization: "Bearer " + $("report-token").value.trim() };
}

async function loadReportScope() {
  clear($("report-message"));
  $("report-form").hidden = true;
  let scope;
  try {
    scope = await getJSON("/api/reports/scope", { headers: authHeaders() });
  } catch (error) { showReportError(error); return; }
  reportAccount = scope;
  $("report-account").textContent = scope.office
    ? `账号 ${scope.account}：督查（可报送全部 ${scope.items.length} 项任务）`
    : `账号 ${scope.account}：${scope.unit.label}（可报送 ${scope.items.length} 项任务）`;
  const about = clear($("report-about"));
  for (const item of scope.items) {
    const group = el("optgroup", { label: item.label });
    group.append(el("option", { value: item.iri, text: `${item.label}（整项）` }));
    for (const t of item.targets) group.append(el("option", { value: t.iri, text: `${t.year || ""}年：${t.text}` }));
    about.append(group);
  }
  const status = clear($("report-status"));
  status.append(el("option", { value: "", text: "（不标注）" }));
  for (const s of scope.statuses) status.append(el("option", { value: s.label, text: s.label }));
  for (const node of document.querySelectorAll(".office-only")) node.hidden = !scope.office;
  if (!$("report-asof").value) $("report-asof").value = new Date().toISOString().slice(0, 10);
  reportKey = null;
  $("report-form").hidden = false;
}

async function submitReport() {
  const body = {
    about: $("report-about").value,
    as_of: $("report-asof").value,
    status: $("report-status").value || null,
    text: $("report-text").value,
    percent: $("report-percent").value === "" ? null : Number($("report-percent").value),
    problems: $("report-problems").value.trim() || null,
    next_steps: $("report-next").value.trim() || null,
  };
  if (reportAccount && reportAccount.office) body.unit = $("report-unit").value.trim() || null;
  reportKey = reportKey || (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
  let answer;
  try {
    answer = await getJSON("/api/reports", {
      method: "POST",
      headers: { ...authHeaders(), "Content-Type": "application/json", "Idempotency-Key": reportKey },
      body: JSON.stringify(body),
    });
  } catch (error) { showReportError(error); return; }
  reportKey = null; // the next report is a new one
  const chosen = $("report-about").selectedOptions[0];
  clear($("report-message")).append(el("p", { class: "ok", role: "status",
    text: `${answer.created ? "已报送" : "此前已报送"}：${chosen ? chosen.textContent : answer.about}（${answer.unit.label}）` }));
  for (const id of ["report-text", "report-problems", "report-next", "report-percent"]) $(id).value = "";
  $("progress-asof").value = body.as_of > $("progress-asof").value ? body.as_of : $("progress-asof").value;
  await loadProgress(progressOffset); // the page the user was on, with the report counted
  const target = { iri: answer.about, text: chosen ? chosen.textContent : answer.about };
  await loadHistory(target);
}

function initReportForm() {
  $("report-account-form").addEventListener("submit", (event) => { event.preventDefault(); loadReportScope(); });
  $("report-form").addEventListener("submit", (event) => { event.preventDefault(); submitReport(); });
  // a changed report is a new report: a fresh key, so an edited retry is not taken for the old one
  $("report-form").addEventListener("input", () => { reportKey = null; });
}

TAB_INIT.progress = () => { initReportForm(); initProgress(); };
