// The expert's score sheet (issue #16): worklist → one participant, one subcriterion at a
// time as a table; one tap per aspect, saved in the background (api.js); «Подтвердить
// оценки» at the end (R-SCO-4). Every permission check is the server's.

import { Api, ApiError, MarkQueue, NetworkError } from "./api.js";
import { applyTheme, webApp } from "./tg.js";
import * as v from "./views.js";

const TEXTS_KEY = "webapp-texts";
const { h, t } = v;

const tg = webApp();
applyTheme(tg);
if (tg.onEvent) tg.onEvent("themeChanged", () => applyTheme(tg));

const api = new Api(tg.initData || "");
const main = document.getElementById("app");
const bar = document.getElementById("bar");
const title = document.getElementById("title");
const backLink = document.getElementById("back");
const sync = document.getElementById("sync");

const state = {
  session: null,
  scheme: null, // id
  worklist: null,
  sheet: null, // the /sheet answer; cells replaced by the answers of /marks
  section: 0,
  ui: new Map(), // aspect -> {status, message, helpOpen}
  screen: "loading",
  back: null,
};
let queue = null;

// ------------------------------------------------------------------ navigation, chrome

function query() {
  return new URLSearchParams(location.search);
}

function remember(params) {
  const q = query();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined) q.delete(key);
    else q.set(key, String(value));
  }
  const search = q.toString();
  history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}${location.hash}`);
}

function setBack(handler) {
  state.back = handler;
  backLink.hidden = !handler;
  const button = tg.BackButton;
  if (button) {
    if (handler) button.show();
    else button.hide();
  }
}

function onBack() {
  if (state.back) state.back();
}

backLink.addEventListener("click", onBack);
if (tg.BackButton && tg.BackButton.onClick) tg.BackButton.onClick(onBack);

function show(screen, node, heading) {
  state.screen = screen;
  main.dataset.screen = screen;
  main.replaceChildren(node);
  if (heading !== undefined) title.textContent = heading;
}

function updateSync() {
  const pending = queue ? queue.size() : 0;
  sync.dataset.pending = String(pending);
  const offline = !navigator.onLine;
  bar.classList.toggle("offline", offline);
  if (offline) sync.textContent = t("webapp-offline");
  else if (pending && queue.failed) sync.textContent = t("webapp-unsent", { n: pending });
  else if (pending) sync.textContent = t("webapp-state-saving");
  else sync.textContent = "";
  sync.hidden = !sync.textContent;
}

window.addEventListener("online", updateSync);
window.addEventListener("offline", updateSync);


function haptic(kind, arg) {
  const fb = tg.HapticFeedback;
  try {
    if (fb && kind === "selection") fb.selectionChanged();
    if (fb && kind === "notification") fb.notificationOccurred(arg);
  } catch {
    // an older client without haptics
  }
}

function failure(err, retry) {
  if (err instanceof ApiError && err.status === 401) return denied(err);
  const text = err instanceof ApiError && err.body.message ? err.body.message : t("webapp-error");
  show("error", v.message(text, { retry, kind: "warn" }));
}

function denied(err) {
  setBack(null);
  // the server's text (Russian): the catalogue is not ours before a session
  const node = v.message(err.message, { kind: "denied" });
  // taps not sent yet stay on the phone and go out when the sheet is opened again
  const kept = queue ? queue.size() : 0;
  if (kept) {
    queue.failed = true;
    node.append(v.h("p", { class: "kept" }, t("webapp-kept", { n: kept })));
  }
  show("denied", node, "");
  updateSync();
}

// ------------------------------------------------------------------ screens

async function start() {
  show("loading", v.loading());
  tg.ready && tg.ready();
  tg.expand && tg.expand();
  let session;
  try {
    session = await api.get("session", { scheme: query().get("scheme") });
  } catch (err) {
    const cached = localStorage.getItem(TEXTS_KEY);
    if (cached && !(err instanceof ApiError)) v.setTexts(JSON.parse(cached));
    return failure(err, start);
  }
  state.session = session;
  v.setTexts(session.texts);
  localStorage.setItem(TEXTS_KEY, JSON.stringify(session.texts));
  document.documentElement.lang = session.lang || "ru";
  document.title = t("webapp-title");
  backLink.textContent = t("webapp-back");
  queue = new MarkQueue(api, session.user.id, {
    onChange: cellChanged,
    onResult: cellSaved,
    onDenied: denied,
  });
  api.onSuccess = (path) => {
    if (path !== "marks" && queue.size() && !queue.flushing) queue.flush();
  };
  updateSync();
  queue.flush(); // the marks kept from an earlier visit
  const q = query();
  const target = Number(q.get("target"));
  const scheme = Number(q.get("scheme"));
  if (target) return openSheet(target, Number(q.get("section")) || 0);
  if (scheme) return openWorklist(scheme);
  if (session.schemes.length === 1) return openWorklist(session.schemes[0].id);
  return openSchemes();
}

function openSchemes() {
  setBack(null);
  remember({ scheme: null, target: null, section: null });
  show("schemes", v.schemes(state.session.schemes, openWorklist), t("webapp-title"));
}

async function openWorklist(schemeId) {
  state.scheme = schemeId;
  remember({ scheme: schemeId, target: null, section: null });
  setBack(state.session.schemes.length > 1 ? openSchemes : null);
  show("loading", v.loading());
  let wl;
  try {
    wl = await api.get("worklist", { scheme: schemeId });
  } catch (err) {
    return failure(err, () => openWorklist(schemeId));
  }
  state.worklist = wl;
  renderWorklist();
}

function renderWorklist(extra) {
  const wl = state.worklist;
  const node = v.worklist(wl, {
    open: (id) => openSheet(id, 0),
    askConfirm,
    unsent: queue.size(),
  });
  if (extra) node.append(extra);
  show("worklist", node, t("webapp-title"));
}

function askConfirm() {
  const step = v.confirmStep(state.worklist.scheme.title, {
    yes: confirmMarks,
    no: () => renderWorklist(),
  });
  renderWorklist(step);
  step.scrollIntoView({ block: "nearest" });
}

async function confirmMarks() {
  if (queue.size()) return renderWorklist();
  const schemeId = state.worklist.scheme.id;
  let answer;
  try {
    answer = await api.post("confirm", { scheme: schemeId });
  } catch (err) {
    if (err instanceof NetworkError) return failure(err, () => openWorklist(schemeId));
    if (err instanceof ApiError && err.status === 401) return denied(err);
    return renderWorklist(v.message(err.message, { kind: "warn" }));
  }
  haptic("notification", "success");
  try {
    state.worklist = await api.get("worklist", { scheme: schemeId });
  } catch {
    state.worklist = { ...state.worklist, confirmed: true, can_confirm: false };
  }
  renderWorklist(v.message(answer.message, { kind: "ok" }));
}

async function openSheet(targetId, section) {
  setBack(() => openWorklist(state.scheme || state.sheet.scheme_id));
  show("loading", v.loading());
  let sheet;
  try {
    sheet = await api.get("sheet", { target: targetId });
  } catch (err) {
    return failure(err, () => openSheet(targetId, section));
  }
  state.sheet = sheet;
  state.scheme = sheet.scheme_id;
  state.ui = new Map();
  state.section = Math.max(0, Math.min(section, sheet.sections.length - 1));
  setBack(() => openWorklist(sheet.scheme_id));
  remember({ scheme: sheet.scheme_id, target: targetId, section: state.section });
  renderSheet();
}

// ------------------------------------------------------------------ the sheet

function cellView(c) {
  const target = state.sheet.target.id;
  const queued = queue.shownValue(target, c.aspect);
  const ui = state.ui.get(c.aspect) || {};
  return {
    shown: queued !== undefined ? queued : c.value,
    state: queue.state(target, c.aspect),
    status: ui.status || null,
    message: ui.message || "",
    helpOpen: !!ui.helpOpen,
    editable: state.sheet.editable,
  };
}

function isDone(c) {
  const target = state.sheet.target.id;
  if (queue.get(target, c.aspect)) return true;
  return c.value !== null && c.value !== undefined && !c.stale;
}

function missingOf(section) {
  return section.cells.filter((c) => !isDone(c)).length;
}

function counts() {
  let scored = 0;
  let total = 0;
  for (const sec of state.sheet.sections) {
    total += sec.cells.length;
    scored += sec.cells.length - missingOf(sec);
  }
  return { scored, total };
}

function goSection(i) {
  state.section = Math.max(0, Math.min(i, state.sheet.sections.length - 1));
  remember({ section: state.section });
  renderSheet();
  window.scrollTo(0, 0);
}

function renderCell(c) {
  return v.cell(c, cellView(c), { tap, help: toggleHelp });
}

function renderSheet() {
  const sheet = state.sheet;
  const { scored, total } = counts();
  const status = sheet.confirmed
    ? h("p", { class: "panel ok" }, t("webapp-confirmed"))
    : !sheet.editable
      ? h("p", { class: "panel warn" }, t("webapp-readonly"))
      : null;
  const parts = [
    h("h2", { id: "target-label" }, sheet.target.label),
    h("p", { class: "progress", id: "sheet-progress" }, t("webapp-progress", { scored, total })),
    status,
  ];
  if (sheet.sections.length) {
    const sec = sheet.sections[state.section];
    parts.push(v.sectionNav(sheet.sections, state.section, missingOf, goSection));
    parts.push(h("div", { class: "table", role: "table", id: "table" }, sec.cells.map(renderCell)));
    parts.push(sheetFooter(scored, total));
  }
  show("sheet", h("div", { id: "sheet" }, parts), t("webapp-title"));
}


function sheetFooter(scored, total) {
  const sheet = state.sheet;
  const last = state.section >= sheet.sections.length - 1;
  const buttons = [];
  if (!last) {
    buttons.push(
      h(
        "button",
        { class: "btn", id: "next-section", onclick: () => goSection(state.section + 1) },
        `${sheet.sections[state.section + 1].code} ${t("webapp-next")}`,
      ),
    );
  }
  let done = null;
  if (scored === total && total) {
    done = h("p", { class: "panel ok", id: "sheet-done" }, t("webapp-sheet-done"));
    const next = nextTarget();
    if (next) {
      buttons.push(
        h("button", { class: "btn primary", id: "next-target", onclick: () => openSheet(next, 0) }, t("webapp-next-target")),
      );
    }
    buttons.push(
      h("button", { class: "btn", id: "to-worklist", onclick: () => openWorklist(sheet.scheme_id) }, t("webapp-to-worklist")),
    );
  }
  return h("div", { class: "footer", id: "sheet-footer" }, done, h("div", { class: "pair" }, buttons));
}

function nextTarget() {
  const wl = state.worklist;
  if (!wl || wl.scheme.id !== state.sheet.scheme_id) return null;
  const ids = wl.targets.map((x) => x.id);
  const here = ids.indexOf(state.sheet.target.id);
  const rest = [...wl.targets.slice(here + 1), ...wl.targets.slice(0, Math.max(here, 0))];
  const todo = rest.find((x) => x.scored < x.total);
  return todo ? todo.id : null;
}

function findCell(aspect) {
  for (const sec of state.sheet.sections) {
    const i = sec.cells.findIndex((c) => c.aspect === aspect);
    if (i >= 0) return { sec, i };
  }
  return null;
}

function refreshCell(aspect) {
  if (state.screen !== "sheet") return;
  const found = findCell(aspect);
  const el = main.querySelector(`.cell[data-aspect="${aspect}"]`);
  if (found && el) el.replaceWith(renderCell(found.sec.cells[found.i]));
  const { scored, total } = counts();
  const progress = document.getElementById("sheet-progress");
  if (progress) progress.textContent = t("webapp-progress", { scored, total });
  const nav = main.querySelector("nav.sections");
  if (nav) nav.replaceWith(v.sectionNav(state.sheet.sections, state.section, missingOf, goSection));
  const footer = document.getElementById("sheet-footer");
  if (footer) footer.replaceWith(sheetFooter(scored, total));
}

function tap(c, value) {
  const sheet = state.sheet;
  if (!sheet.editable) return;
  haptic("selection");
  state.ui.set(c.aspect, { ...(state.ui.get(c.aspect) || {}), status: null, message: "" });
  queue.put(sheet.target.id, c.aspect, value, { value: c.value, round: c.round });
}

function toggleHelp(c) {
  const ui = state.ui.get(c.aspect) || {};
  state.ui.set(c.aspect, { ...ui, helpOpen: !ui.helpOpen });
  refreshCell(c.aspect);
}

function cellChanged(target, aspect) {
  updateSync();
  if (state.sheet && state.sheet.target.id === target) refreshCell(aspect);
}

function cellSaved(target, aspect, result) {
  updateSync();
  if (!state.sheet || state.sheet.target.id !== target) return;
  const found = findCell(aspect);
  if (!found) return;
  if (result.cell) found.sec.cells[found.i] = { ...found.sec.cells[found.i], ...result.cell };
  const ui = state.ui.get(aspect) || {};
  state.ui.set(aspect, { ...ui, status: result.status, message: result.message || "" });
  if (result.status === "conflict" || result.flagged) haptic("notification", "warning");
  refreshCell(aspect);
}

start();
