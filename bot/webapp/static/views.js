// DOM builders of the Mini App's screens. Every text comes from the catalogue (``texts`` of
// GET /webapp/api/session); numbers go in place of {name} (see webapp.ftl).

let TEXTS = {};

export function setTexts(texts) {
  TEXTS = texts || {};
}

export function t(key, vars = {}) {
  const text = TEXTS[key] !== undefined ? TEXTS[key] : key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** h("button", {class: "x", onclick: f}, "text", child…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function loading() {
  return h("p", { class: "note", role: "status" }, t("webapp-loading"));
}

export function message(text, { retry, kind = "note" } = {}) {
  return h(
    "div",
    { class: `panel ${kind}`, role: kind === "denied" ? "alert" : "status" },
    h("p", {}, text),
    retry ? h("button", { class: "btn", onclick: retry }, t("webapp-retry")) : null,
  );
}

export function schemes(list, open) {
  if (!list.length) return message(t("webapp-no-schemes"));
  return h(
    "div",
    {},
    h("h2", {}, t("webapp-schemes")),
    h(
      "ul",
      { class: "list" },
      list.map((s) => h("li", {}, h("button", { class: "row", onclick: () => open(s.id) }, s.title))),
    ),
  );
}

/** The worklist: participants with their progress, the confirmation at the end (R-SCO-4). */
export function worklist(wl, { open, askConfirm, unsent }) {
  const status = wl.confirmed
    ? h("p", { class: "panel ok", id: "confirmed" }, t("webapp-confirmed"))
    : wl.scores_locked
      ? h("p", { class: "panel warn" }, t("webapp-locked"))
      : null;
  const items = wl.targets.map((target) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          class: `row target${target.scored >= target.total ? " done" : ""}`,
          dataset: { target: target.id },
          onclick: () => open(target.id),
        },
        h("span", { class: "label" }, target.label),
        h(
          "span",
          { class: "count" },
          target.scored >= target.total ? t("webapp-target-done") : `${target.scored}/${target.total}`,
        ),
      ),
    ),
  );
  let confirm = null;
  if (!wl.confirmed && !wl.scores_locked) {
    confirm = wl.can_confirm
      ? h(
          "div",
          { class: "confirm" },
          h("button", { class: "btn primary", id: "confirm", onclick: askConfirm }, t("webapp-confirm")),
          unsent ? h("p", { class: "hint" }, t("webapp-confirm-unsent", { n: unsent })) : null,
        )
      : h("p", { class: "hint" }, t("webapp-confirm-wait", { left: wl.total - wl.scored }));
  }
  return h(
    "div",
    { id: "worklist" },
    h("h2", {}, wl.scheme.title),
    h("p", { class: "progress" }, t("webapp-progress", { scored: wl.scored, total: wl.total })),
    status,
    wl.targets.length ? h("p", { class: "hint" }, t("webapp-worklist-hint")) : message(t("webapp-no-targets")),
    h("ul", { class: "list" }, items),
    confirm,
  );
}

/** The confirmation step: it cannot be undone. */
export function confirmStep(title, { yes, no }) {
  return h(
    "div",
    { class: "panel warn", id: "confirm-step", role: "alertdialog" },
    h("p", {}, t("webapp-confirm-ask", { title })),
    h(
      "div",
      { class: "pair" },
      h("button", { class: "btn primary", id: "confirm-yes", onclick: yes }, t("webapp-confirm-yes")),
      h("button", { class: "btn", id: "confirm-no", onclick: no }, t("webapp-confirm-no")),
    ),
  );
}

function labelOf(cell, value) {
  const option = cell.options.find((o) => o.value === value);
  return option ? option.label : String(value);
}

function scaleLines() {
  // «0 — …, 1 — …»: one line per level
  return t("sco-judgement-scale")
    .split(/[,;]\s+(?=\d\s)/)
    .map((line) => h("li", {}, line));
}

/**
 * One aspect of the table. ``view``: {shown, state, status, message, editable, helpOpen}.
 */
export function cell(c, view, { tap, help }) {
  const stale = c.stale && view.shown === c.value && view.state === null;
  const done = view.shown !== null && view.shown !== undefined && !stale;
  const conflict = view.status === "conflict";
  const classes = ["cell"];
  if (!done) classes.push("missing");
  if (c.stale && c.group_marks.length) classes.push("flagged");
  if (conflict) classes.push("conflict");
  let stateText = "";
  let stateKind = "";
  if (view.state === "saving") [stateText, stateKind] = [t("webapp-state-saving"), "saving"];
  else if (view.state === "queued") [stateText, stateKind] = [t("webapp-state-queued"), "queued"];
  else if (conflict)
    [stateText, stateKind] = [
      t("webapp-state-conflict", { value: c.value === null ? "—" : labelOf(c, c.value) }),
      "conflict",
    ];
  else if (view.status === "refused") [stateText, stateKind] = [view.message, "refused"];
  else if (view.status === "saved" && done) [stateText, stateKind] = [t("webapp-state-saved"), "saved"];
  else if (!done) [stateText, stateKind] = [t("webapp-state-missing"), "missing"];
  const buttons = c.options.map((o) =>
    h(
      "button",
      {
        class: `opt${o.value === view.shown ? (stale ? " was" : " on") : ""}`,
        dataset: { value: o.value },
        "aria-pressed": o.value === view.shown && !stale ? "true" : "false",
        disabled: !view.editable,
        onclick: () => tap(c, o.value),
      },
      o.label,
    ),
  );
  return h(
    "div",
    { class: classes.join(" "), role: "row", dataset: { aspect: c.aspect, kind: c.kind } },
    h(
      "div",
      { class: "head", role: "rowheader" },
      h("span", { class: "code" }, c.code),
      h("span", { class: "title" }, c.title),
      c.kind === "judgement"
        ? h(
            "button",
            {
              class: "help",
              "aria-label": t("webapp-help-label"),
              "aria-expanded": view.helpOpen ? "true" : "false",
              onclick: () => help(c),
            },
            t("webapp-help"),
          )
        : null,
    ),
    view.helpOpen ? h("ul", { class: "scale" }, scaleLines()) : null,
    c.stale && c.group_marks.length
      ? h(
          "div",
          { class: "group" },
          h("p", {}, t("webapp-flagged")),
          h(
            "p",
            { class: "marks" },
            t("webapp-group-marks", { marks: c.group_marks.map((v) => labelOf(c, v)).join(", ") }),
          ),
        )
      : null,
    h("div", { class: `opts n${c.options.length} ${c.kind}`, role: "cell" }, buttons),
    h("p", { class: `state ${stateKind}`, "aria-live": "polite" }, stateText),
    conflict ? h("p", { class: "hint" }, t("webapp-conflict-hint")) : null,
  );
}

/** ‹ 1.1 Title (2 не оценено) › and the codes of every subcriterion. */
export function sectionNav(sections, index, missingOf, go) {
  const sec = sections[index];
  const missing = missingOf(sec);
  const chips = sections.map((s, i) =>
    h(
      "button",
      {
        class: `chip${i === index ? " on" : ""}${missingOf(s) ? " todo" : ""}`,
        dataset: { section: s.code },
        onclick: () => go(i),
      },
      s.code,
    ),
  );
  return h(
    "nav",
    { class: "sections", "aria-label": t("webapp-sections") },
    h(
      "div",
      { class: "pager" },
      h("button", { class: "btn nav", id: "prev", disabled: index === 0, onclick: () => go(index - 1) }, t("webapp-prev")),
      h(
        "div",
        { class: "current", id: "section-title" },
        h("b", {}, sec.code),
        " ",
        sec.title,
        " ",
        h(
          "span",
          { class: missing ? "todo" : "ok" },
          `(${missing ? t("webapp-missing", { n: missing }) : t("webapp-all-done")})`,
        ),
      ),
      h(
        "button",
        { class: "btn nav", id: "next", disabled: index >= sections.length - 1, onclick: () => go(index + 1) },
        t("webapp-next"),
      ),
    ),
    sections.length > 1 ? h("div", { class: "chips" }, chips) : null,
  );
}
