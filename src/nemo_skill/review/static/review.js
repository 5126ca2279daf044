// The review page (issue 26): the video, and one row per cue to fix text and timing.
// Cue text only ever reaches the page as text (textContent, value): never as markup.
"use strict";

const state = { project: null, rows: [], selected: 0, dirty: false, cursor: null, saving: false };
const video = document.getElementById("video");
const GAP = 0.084;   // two frames at 24 fps between cues, as the subtitle rules keep

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function fmt(seconds) {
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(3).padStart(6, "0")}`;
}

function parseTime(text) {
  const t = String(text).trim();
  const m = /^(?:(\d+):)?(\d+(?:\.\d*)?)$/.exec(t);
  if (!m) return NaN;
  return (m[1] ? Number(m[1]) * 60 : 0) + Number(m[2]);
}

const round3 = (x) => Math.round(x * 1000) / 1000;
const chars = (text) => [...String(text || "").replace(/\n/g, "")].length;
const isCjk = (lang) => /^(zh|ja|yue|cmn)/.test(lang);

function say(message, kind) {
  const status = document.getElementById("status");
  status.textContent = message;
  status.className = "status " + (kind || "");
}

function markDirty() {
  state.dirty = true;
  document.querySelector('[data-action="save"]').classList.add("dirty");
  say("有未保存的修改 Unsaved changes", "pending");
}

// --- loading ------------------------------------------------------------------------------

async function load() {
  const answer = await fetch("/review/api/project", { credentials: "same-origin" });
  if (!answer.ok) { say(`无法读取项目 Cannot read the project (${answer.status})`, "error"); return; }
  adopt(await answer.json());
  if (state.project.has_video && !video.getAttribute("src")) video.src = "/review/api/video";
  setTracks();
}

function adopt(project) {
  state.project = project;
  state.rows = project.rows.map((r) => ({ ...r, texts: { ...r.texts }, origin: r.n }));
  state.dirty = false;
  document.querySelector('[data-action="save"]').classList.remove("dirty");
  state.selected = Math.min(state.selected, Math.max(0, state.rows.length - 1));
  document.body.classList.toggle("portrait", project.aspect < 1);
  render();
}

function setTracks() {
  for (const old of video.querySelectorAll("track")) old.remove();
  state.project.languages.forEach((lang, i) => {
    video.append(el("track", { kind: "subtitles", srclang: lang, label: state.project.names[lang] || lang,
      src: `/review/api/vtt/${encodeURIComponent(lang)}?r=${state.project.revision}`, default: i === 0 }));
  });
}

// --- the table ----------------------------------------------------------------------------

function columns() {
  const p = state.project;
  const cols = [["n", "#"], ["time", "时间 Time"], ["speed", "时长 · 速度"]];
  p.languages.forEach((lang) => cols.push([`text-${lang}`, `${p.names[lang] || lang}`]));
  if (state.rows.some((r) => typeof r.confidence === "number")) cols.push(["confidence", "置信度"]);
  cols.push(["findings", "检查 Check"]);
  return cols;
}

function render() {
  const cols = columns();
  const first = `text-${state.project.languages[0]}`;
  document.getElementById("cols").replaceChildren(...cols.map(([key]) =>
    el("col", { className: `c-${key.split("-")[0]}${key === first ? " c-first" : ""}` })));
  document.getElementById("head").replaceChildren(...cols.map(([, label]) => el("th", { scope: "col" }, label)));
  document.getElementById("rows").replaceChildren(...state.rows.map((row, i) => rowElement(row, i, cols)));
  renderUnheard();
  summary();
  highlight(true);
}

// Stretches recognition heard but could not read: listen, then add a cue there (the guess as
// its text to correct). One is gone once cues cover a quarter of it, as the check counts.
function carried(stretch) {
  const covered = state.rows.reduce((sum, r) =>
    sum + Math.max(0, Math.min(stretch.end, r.end + 0.3) - Math.max(stretch.start, r.start - 0.3)), 0);
  return covered >= 0.25 * (stretch.end - stretch.start);
}

function renderUnheard() {
  const left = (state.project.unheard || []).filter((u) => !carried(u));
  document.getElementById("unheard").hidden = !left.length;
  document.getElementById("unheard-list").replaceChildren(...left.map((u) => el("li", {},
    el("span", { className: "when" }, `${fmt(u.start)} – ${fmt(u.end)}`), " ",
    el("q", { title: "听起来像 what it sounded like" }, u.heard || "…"), " ",
    el("button", { type: "button", "data-unheard": "listen", "data-start": u.start }, "听 Listen"), " ",
    el("button", { type: "button", "data-unheard": "add", "data-start": u.start }, "在此加字幕 Add a cue"))));
}

function addAt(stretch) {
  const i = state.rows.findIndex((r) => r.start >= stretch.end);
  const at = i < 0 ? state.rows.length : i;
  const before = state.rows[at - 1], after = state.rows[at];
  const start = round3(Math.max(stretch.start, before ? before.end + GAP : 0));
  const end = round3(Math.min(stretch.end, after ? after.start - GAP : state.project.duration));
  if (end - start < 0.3) { say("这里没有空隙 No room here", "error"); return; }
  const texts = {};
  for (const lang of state.project.editable) texts[lang] = "";
  texts[state.project.languages[0]] = stretch.heard || "";
  state.rows.splice(at, 0, { start, end, texts, origin: null, findings: [] });
  state.selected = at;
  edited(`已在 ${fmt(start)} 加入第 ${at + 1} 条，请听后改正文字 Added cue ${at + 1}: listen and correct its text`);
  rowOf(at).querySelector('[data-field="text"]').focus();
}

function rowElement(row, i, cols) {
  const p = state.project;
  const tr = el("tr", { "data-cue": i + 1, className: i === state.selected ? "selected" : "" });
  tr.append(el("th", { scope: "row", className: "n" }, String(i + 1)));
  tr.append(el("td", { className: "time" },
    timeInput(row, "start", i), timeInput(row, "end", i)));
  tr.append(el("td", { className: "speed" }, el("span", { "data-field": "duration" }), el("span", { "data-field": "cps" })));
  p.languages.forEach((lang, k) => {
    const editable = p.editable.includes(lang);
    const field = k === 0 ? "text" : `text-${lang}`;
    const box = el("textarea", { "data-field": field, lang, rows: 2, spellcheck: "false",
      "aria-label": `第 ${i + 1} 条 ${p.names[lang] || lang}`, readonly: !editable, className: isCjk(lang) ? "cjk" : "" });
    box.defaultValue = row.texts[lang] || "";   // the text as text: a textarea never parses markup
    box.addEventListener("input", () => { row.texts[lang] = box.value; markDirty(); refreshSpeed(tr, row); });
    box.addEventListener("select", () => rememberCursor(box, i));
    box.addEventListener("keyup", () => rememberCursor(box, i));
    box.addEventListener("click", () => rememberCursor(box, i));
    tr.append(el("td", { className: `text${k === 0 ? " first" : ""}` }, box));
  });
  if (cols.some(([key]) => key === "confidence")) tr.append(confidenceCell(row));
  tr.append(findingsCell(row));
  tr.addEventListener("click", (event) => { if (event.target.tagName !== "BUTTON") select(i, true); });
  refreshSpeed(tr, row);
  return tr;
}

function timeInput(row, field, i) {
  const input = el("input", { type: "text", inputmode: "decimal", "data-field": field, value: fmt(row[field]),
    "aria-label": `第 ${i + 1} 条 ${field === "start" ? "开始 start" : "结束 end"}`, autocomplete: "off" });
  input.addEventListener("change", () => {
    const t = parseTime(input.value);
    if (!Number.isFinite(t)) { input.setAttribute("aria-invalid", "true"); say("时间格式：分:秒.毫秒 Time as m:ss.mmm", "error"); return; }
    input.removeAttribute("aria-invalid");
    row[field] = round3(t);
    input.value = fmt(row[field]);
    markDirty();
    refreshSpeed(input.closest("tr"), row);
  });
  return input;
}

function refreshSpeed(tr, row) {
  const first = state.project.languages[0];
  const duration = row.end - row.start;
  const cps = duration > 0 ? chars(row.texts[first]) / duration : 0;
  const limit = (state.project.limits[isCjk(first) ? "zh" : "en"] || {}).cps || 9;
  tr.querySelector('[data-field="duration"]').textContent = `${duration.toFixed(2)} s`;
  const speed = tr.querySelector('[data-field="cps"]');
  speed.textContent = `${cps.toFixed(1)} 字/秒`;
  speed.classList.toggle("over", cps > limit + 0.05);
  tr.querySelector('[data-field="start"]').toggleAttribute("aria-invalid", !(duration > 0));
}

function confidenceCell(row) {
  const td = el("td", { className: "confidence", "data-field": "confidence" });
  if (typeof row.confidence === "number") {
    td.append(el("span", { className: row.low ? "conf low" : "conf", title: row.low ? "识别不确定 low confidence" : "" },
      `${Math.round(row.confidence * 100)}%`));
  }
  for (const word of row.unsure || []) td.append(el("span", { className: "unsure", title: "不确定的词 unsure word" }, word));
  return td;
}

const LABELS = { reading_speed: "读速", line_too_long: "行过长", too_many_lines: "行数", too_short: "太短",
  too_long: "太长", overlap: "重叠", gap_too_small: "间隔", end_punctuation: "标点", empty_cue: "空",
  invisible_character: "隐形字符" };

function findingsCell(row) {
  const list = el("ul", { className: "findings", "data-field": "findings" });
  for (const f of row.findings || []) {
    list.append(el("li", { title: f.fix || "" }, el("b", {}, LABELS[f.code] || f.code), " ",
      f.message.replace(/^cue \d+: /, "")));
  }
  return el("td", { className: "check" }, list);
}

function summary() {
  const p = state.project;
  const flagged = state.rows.filter((r) => (r.findings || []).length).length;
  const unheard = (p.unheard || []).filter((u) => !carried(u)).length;
  document.getElementById("summary").textContent =
    `${state.rows.length} 条字幕 cues · ${p.languages.map((l) => p.names[l] || l).join(" + ")} · ` +
    `${flagged} 条有检查提示 with findings · ` + (unheard ? `${unheard} 段人声无字幕 without a cue · ` : "") +
    fmt(p.duration);
}

// --- playing and choosing a cue -----------------------------------------------------------

const offset = () => (state.project ? state.project.offset : 0);
const playhead = () => round3(video.currentTime + offset());

function select(i, seek) {
  if (!state.rows.length) return;
  state.selected = Math.max(0, Math.min(state.rows.length - 1, i));
  document.querySelectorAll("#rows tr.selected").forEach((tr) => tr.classList.remove("selected"));
  const tr = rowOf(state.selected);
  tr.classList.add("selected");
  if (seek && state.project.has_video) video.currentTime = Math.max(0, state.rows[state.selected].start - offset() + 0.001);
  document.getElementById("playhead").textContent = fmt(seek ? state.rows[state.selected].start : playhead());
  if (seek) highlight(true);
}

const rowOf = (i) => document.querySelector(`#rows tr[data-cue="${i + 1}"]`);

function highlight(quiet) {
  const t = playhead();
  document.getElementById("playhead").textContent = fmt(t);
  const i = state.rows.findIndex((r) => r.start <= t && t < r.end);
  const current = document.querySelector("#rows tr.current");
  if (current && Number(current.dataset.cue) === i + 1) return;
  if (current) current.classList.remove("current");
  document.getElementById("current-cue").textContent = i >= 0 ? `第 ${i + 1} 条 cue ${i + 1}` : "";
  if (i < 0) return;
  const tr = rowOf(i);
  tr.classList.add("current");
  if (!quiet && !video.paused && !tr.contains(document.activeElement)) tr.scrollIntoView({ block: "nearest" });
}

function tick() { highlight(false); if (!video.paused) requestAnimationFrame(tick); }
video.addEventListener("play", () => requestAnimationFrame(tick));
video.addEventListener("seeked", () => highlight(true));
video.addEventListener("timeupdate", () => highlight(true));

function step(delta) {
  select(state.selected + delta, true);
  const box = rowOf(state.selected).querySelector('[data-field="text"]');
  box.focus({ preventScroll: true });
  rowOf(state.selected).scrollIntoView({ block: "nearest" });
}

// play() answers with a promise that a pause before the first frame rejects: not an error.
function togglePlay() { if (video.paused) video.play().catch(() => {}); else video.pause(); }

function rememberCursor(box, i) {
  state.cursor = { row: i, lang: box.getAttribute("lang"), at: box.selectionStart };
}

// --- editing the list ---------------------------------------------------------------------

function edited(message) { markDirty(); render(); select(state.selected, false); if (message) say(message, "pending"); }

function setTime(field) {
  const row = state.rows[state.selected];
  if (!row) return;
  row[field] = playhead();
  edited(`第 ${state.selected + 1} 条${field === "start" ? "开始" : "结束"}设为 ${fmt(row[field])}`);
}

function split() {
  const i = state.selected, row = state.rows[i];
  if (!row) return;
  const first = state.project.languages[0];
  const text = row.texts[first] || "";
  const at = state.cursor && state.cursor.row === i && state.cursor.lang === first ? state.cursor.at : Math.floor(text.length / 2);
  const t = playhead();
  const cut = t > row.start + 0.1 && t < row.end - 0.1 ? t
    : round3(row.start + (row.end - row.start) * (text.length ? at / text.length : 0.5));
  if (cut - row.start < 0.1 || row.end - cut < 0.1) { say("这条字幕太短，无法拆分 Too short to split", "error"); return; }
  const second = { start: round3(cut + GAP / 2), end: row.end, texts: {}, origin: null, findings: [] };
  row.end = round3(cut - GAP / 2);
  for (const lang of state.project.editable) second.texts[lang] = "";
  second.texts[first] = text.slice(at).trim();
  row.texts[first] = text.slice(0, at).trim();
  state.rows.splice(i + 1, 0, second);
  edited(`已拆分第 ${i + 1} 条 Split cue ${i + 1}`);
}

function merge() {
  const i = state.selected, row = state.rows[i], next = state.rows[i + 1];
  if (!row || !next) { say("没有下一条可合并 No next cue to merge with", "error"); return; }
  for (const lang of state.project.editable) {
    row.texts[lang] = [row.texts[lang], next.texts[lang]].filter((x) => x && x.trim()).join(isCjk(lang) ? "" : " ");
  }
  row.end = next.end;
  row.findings = [];
  state.rows.splice(i + 1, 1);
  edited(`已合并第 ${i + 1}、${i + 2} 条 Merged cues ${i + 1} and ${i + 2}`);
}

function remove() {
  if (!state.rows.length) return;
  state.rows.splice(state.selected, 1);
  state.selected = Math.min(state.selected, state.rows.length - 1);
  edited("已删除一条 Cue deleted");
}

function insert() {
  const i = state.selected, row = state.rows[i], next = state.rows[i + 1];
  const start = round3(row ? row.end + GAP : 0);
  const end = round3(Math.min(next ? next.start - GAP : state.project.duration, start + 2));
  if (end - start < 0.3) { say("这条之后没有空隙 No room after this cue", "error"); return; }
  const texts = {};
  for (const lang of state.project.editable) texts[lang] = "";
  state.rows.splice(i + 1, 0, { start, end, texts, origin: null, findings: [] });
  state.selected = i + 1;
  edited(`已插入第 ${i + 2} 条 Inserted cue ${i + 2}`);
  rowOf(state.selected).querySelector('[data-field="text"]').focus();
}

// --- saving -------------------------------------------------------------------------------

// What the rows show is what is saved, however it was typed (an input event or not).
function readRows() {
  let unreadable = 0;
  state.rows.forEach((row, i) => {
    const tr = rowOf(i);
    if (!tr) return;
    for (const box of tr.querySelectorAll("textarea:not([readonly])")) row.texts[box.getAttribute("lang")] = box.value;
    for (const field of ["start", "end"]) {
      const t = parseTime(tr.querySelector(`[data-field="${field}"]`).value);
      if (Number.isFinite(t)) row[field] = round3(t);
      else unreadable = unreadable || i + 1;
    }
  });
  return unreadable;
}

async function save() {
  if (state.saving) return;
  const unreadable = readRows();
  if (unreadable) { say(`未保存 Not saved: cue ${unreadable}: 时间格式 m:ss.mmm`, "error"); return; }
  state.saving = true;
  const p = state.project;
  const body = { revision: p.revision, cues: state.rows.map((r) => ({
    start: r.start, end: r.end, origin: r.origin || null,
    texts: Object.fromEntries(p.editable.map((lang) => [lang, r.texts[lang] || ""])) })) };
  say("正在保存… Saving…", "pending");
  try {
    const answer = await fetch("/review/api/save", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) { say(`未保存 Not saved: ${data.message || answer.status}`, "error"); return; }
    adopt(data.project);
    setTracks();
    const stale = data.out_of_date.length ? ` · 需要重新渲染 out of date: ${data.out_of_date.map((f) => f.split("/").pop()).join(", ")}` : "";
    say(`已保存 ${data.saved} 条，写入 ${Object.keys(data.files).length} 个文件 Saved, files written${stale}`, stale ? "warn" : "ok");
  } catch (error) {
    say(`未保存 Not saved: ${error}`, "error");
  } finally {
    state.saving = false;
  }
}

// --- keys and buttons ---------------------------------------------------------------------

const ACTIONS = { save, "set-start": () => setTime("start"), "set-end": () => setTime("end"), split, merge,
  insert, delete: remove };

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (button && ACTIONS[button.dataset.action]) { event.preventDefault(); ACTIONS[button.dataset.action](); }
  const stretch = event.target.closest("button[data-unheard]");
  if (!stretch) return;
  const start = Number(stretch.dataset.start);
  if (stretch.dataset.unheard === "add") addAt(state.project.unheard.find((u) => u.start === start));
  else if (state.project.has_video) { video.currentTime = Math.max(0, start - offset()); video.play().catch(() => {}); }
});

document.addEventListener("keydown", (event) => {
  const typing = /^(TEXTAREA|INPUT)$/.test(event.target.tagName);
  const key = event.key;
  if ((event.ctrlKey || event.metaKey) && key.toLowerCase() === "s") { event.preventDefault(); save(); return; }
  if (event.altKey && (key === "ArrowDown" || key === "ArrowUp")) { event.preventDefault(); step(key === "ArrowDown" ? 1 : -1); return; }
  if (event.altKey && key.toLowerCase() === "k") { event.preventDefault(); togglePlay(); return; }
  if (typing) { if (key === "Escape") event.target.blur(); return; }
  if (event.target.tagName === "VIDEO" && key === " ") return;   // the player's own
  if (key === " ") { event.preventDefault(); togglePlay(); }
  else if (key === "ArrowDown" || key === "j") { event.preventDefault(); step(1); }
  else if (key === "ArrowUp") { event.preventDefault(); step(-1); }
  else if (key === "[") setTime("start");
  else if (key === "]") setTime("end");
});

load();
