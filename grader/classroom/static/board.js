// The class board: /api/class as a grid, refetched on every `class` event of /api/events.
// All the API's text goes in with textContent / setAttribute (DG.el), never innerHTML.
"use strict";

(() => {
  const { t, el, text, score } = DG;
  const SYMBOLS = { passed: "✓", failed: "✗", error: "!", skipped: "·", missing: "–" };
  const ROOM_SHOWN = 3;
  const REFRESH_MS = 30000; // stuck is a matter of time: no event says it

  let data = null;
  let expanded = null; // {student, exercise}: the open detail
  const roomOpen = new Set(); // "exercise/check" whose names are shown
  const baseTitle = document.title;

  function statusText(status) {
    return t(`status_${status}`);
  }

  // pass: every check passed; some: graded, some passed, not all; none: nothing passed or not
  // graded
  function cellClass(result) {
    if (!result || result.score === null || result.score === undefined) return "cell-none";
    if (Number(result.max_score) > 0 && Number(result.score) >= Number(result.max_score)) {
      return "cell-pass";
    }
    return Number(result.score) > 0 ? "cell-some" : "cell-none";
  }

  function checkRows(exercise, result) {
    const statuses = (result && result.checks) || {};
    const rows = (exercise.checks || []).map((check) => ({
      id: check.id,
      title: check.title || check.id,
      status: statuses[check.id] || "missing",
    }));
    const known = new Set(rows.map((row) => row.id));
    for (const [id, status] of Object.entries(statuses)) {
      if (!known.has(id)) rows.push({ id, title: id, status });
    }
    return rows;
  }

  function cellTitle(exercise, result) {
    const lines = [exercise.title || exercise.id];
    if (!result) {
      lines.push(t("not_graded"));
    } else {
      for (const row of checkRows(exercise, result)) {
        lines.push(`${SYMBOLS[row.status] || "?"} ${row.title}: ${statusText(row.status)}`);
      }
    }
    return lines.join("\n");
  }

  // an id whose hyphens may break the line (a narrow column header)
  function breakable(id) {
    const span = el("span", { class: "exercise-id" });
    String(id)
      .split("-")
      .forEach((part, index) => {
        if (index > 0) span.append("-", el("wbr"));
        span.append(part);
      });
    return span;
  }

  function renderHead() {
    const head = document.getElementById("grid-head");
    head.replaceChildren(
      el("th", { scope: "col", class: "col-student" }, t("col_student")),
      el("th", { scope: "col", class: "col-total" }, t("col_total")),
      ...data.exercises.map((exercise) =>
        el(
          "th",
          { scope: "col", class: "col-exercise", title: exercise.title || exercise.id },
          breakable(exercise.id),
        ),
      ),
    );
  }

  function flags(student) {
    const clear = (button) => DG.clearHelp(student.student_id, button, connection.refresh);
    return el("div", { class: "flags" }, ...DG.flags(student, clear));
  }

  function studentRow(student) {
    const classes = ["student"];
    if (student.help) classes.push("row-help");
    if (student.stuck_since) classes.push("row-stuck");
    const link = el(
      "a",
      { class: "name", href: `/students/${encodeURIComponent(student.student_id)}` },
      student.name || student.student_id,
    );
    const row = el(
      "tr",
      { class: classes.join(" "), "data-student": student.student_id },
      el("th", { scope: "row", class: "col-student" }, link, flags(student)),
      el("td", { class: "col-total" }, score(student.score, student.max_score)),
    );
    const results = student.exercises || {};
    for (const exercise of data.exercises) {
      const result = results[exercise.id];
      const open =
        expanded && expanded.student === student.student_id && expanded.exercise === exercise.id;
      const button = el(
        "button",
        {
          type: "button",
          class: `cell ${cellClass(result)}`,
          title: cellTitle(exercise, result),
          "aria-expanded": open ? "true" : "false",
          "data-exercise": exercise.id,
          "data-focus": `cell:${student.student_id}:${exercise.id}`,
        },
        result ? score(result.score, result.max_score) : "–",
      );
      button.addEventListener("click", () => {
        expanded = open ? null : { student: student.student_id, exercise: exercise.id };
        render();
      });
      row.append(el("td", { class: "col-exercise" }, button));
    }
    return row;
  }

  function detailRow(student) {
    const exercise = data.exercises.find((e) => e.id === expanded.exercise);
    if (!exercise) return null;
    const result = (student.exercises || {})[exercise.id];
    const list = el("ul", { class: "checks" });
    for (const row of checkRows(exercise, result)) {
      list.append(
        el(
          "li",
          { class: `check check-${row.status in SYMBOLS ? row.status : "missing"}` },
          el("span", { class: "symbol", "aria-hidden": "true" }, SYMBOLS[row.status] || "?"),
          el("span", { class: "check-title", title: row.id }, row.title),
          el("span", { class: "check-status" }, statusText(row.status)),
        ),
      );
    }
    const close = el(
      "button",
      { type: "button", class: "close", "data-focus": `close:${student.student_id}` },
      t("detail_close"),
    );
    close.addEventListener("click", () => {
      expanded = null;
      render();
    });
    const heading = el(
      "p",
      { class: "detail-title" },
      el("strong", {}, student.name || student.student_id),
      ` · ${exercise.title || exercise.id} · `,
      result ? score(result.score, result.max_score) : t("not_graded"),
    );
    return el(
      "tr",
      { class: "detail", "data-detail": student.student_id },
      el(
        "td",
        { colspan: String(data.exercises.length + 2) },
        el("div", { class: "detail-box" }, heading, list, close),
      ),
    );
  }

  function renderGrid() {
    const body = document.getElementById("grid-body");
    const rows = [];
    for (const student of data.students) {
      rows.push(studentRow(student));
      if (expanded && expanded.student === student.student_id) {
        const detail = detailRow(student);
        if (detail) rows.push(detail);
      }
    }
    body.replaceChildren(...rows);
    document.getElementById("no-students").hidden = data.students.length > 0;
  }

  function renderRoom() {
    const names = new Map(data.students.map((s) => [s.student_id, s.name || s.student_id]));
    const list = document.getElementById("room-list");
    const items = data.room.slice(0, ROOM_SHOWN).map((entry) => {
      const key = `${entry.exercise}/${entry.check}`;
      const open = roomOpen.has(key);
      const count = Number(entry.students);
      const who = el(
        "button",
        {
          type: "button",
          class: "who",
          "aria-expanded": open ? "true" : "false",
          "data-focus": `who:${key}`,
        },
        open ? t("room_hide") : t("room_who"),
      );
      who.addEventListener("click", () => {
        if (roomOpen.has(key)) roomOpen.delete(key);
        else roomOpen.add(key);
        render();
      });
      const item = el(
        "li",
        { class: "room-item", "data-check": key },
        el(
          "p",
          { class: "room-head" },
          el(
            "span",
            { class: "room-count" },
            count === 1 ? t("room_count_one") : t("room_count_many", { n: count }),
          ),
          " ",
          el("span", { class: "room-check" }, entry.title || entry.check),
        ),
        el("p", { class: "room-where" }, key),
        entry.hint ? el("p", { class: "room-hint" }, entry.hint) : null,
        who,
      );
      if (open) {
        item.append(
          el(
            "ul",
            { class: "room-names" },
            ...(entry.who || []).map((id) => el("li", {}, names.get(id) || id)),
          ),
        );
      }
      return item;
    });
    list.replaceChildren(...items);
    document.getElementById("room-empty").hidden = data.room.length > 0;
    const more = document.getElementById("room-more");
    more.hidden = data.room.length <= ROOM_SHOWN;
    const rest = data.room.length - ROOM_SHOWN;
    const restText = rest === 1 ? t("room_more_one") : t("room_more_many", { n: rest });
    text(more, rest <= 0 ? "" : restText);
  }

  function render() {
    if (!data) return;
    const scroll = document.getElementById("grid-scroll");
    const left = scroll.scrollLeft;
    const focused = document.activeElement && document.activeElement.getAttribute("data-focus");
    renderRoom();
    renderHead();
    renderGrid();
    scroll.scrollLeft = left;
    if (focused) {
      const again = [...document.querySelectorAll("[data-focus]")].find(
        (node) => node.getAttribute("data-focus") === focused,
      );
      if (again) again.focus();
    }
    const helping = data.students.filter((s) => s.help).length;
    document.title = helping ? `(${helping}) ${baseTitle}` : baseTitle;
  }

  async function load() {
    const body = await DG.request("GET", "/api/class");
    data = {
      ...body,
      exercises: Array.isArray(body.exercises) ? body.exercises : [],
      students: Array.isArray(body.students) ? body.students : [],
      room: Array.isArray(body.room) ? body.room : [],
    };
    render();
  }

  const connection = DG.live(load, REFRESH_MS);
})();
