// Shared by board.js and student.js. Everything the API returns is the students' text: it is put
// in the page with textContent and setAttribute on created elements, never innerHTML.
"use strict";

const DG = (() => {
  const STRINGS = JSON.parse(document.getElementById("strings").textContent);

  // A UI string with its {name} placeholders filled (values are plain text).
  function t(key, values) {
    const text = Object.prototype.hasOwnProperty.call(STRINGS, key) ? STRINGS[key] : key;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
    );
  }

  // A created element: attributes via setAttribute, text via textContent, children appended.
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function text(node, value) {
    node.textContent = value === null || value === undefined ? "" : String(value);
    return node;
  }

  function number(value) {
    if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
    const n = Number(value);
    return Number.isInteger(n) ? String(n) : n.toFixed(1);
  }

  function score(value, max) {
    if (value === null || value === undefined) return "–";
    return `${number(value)}/${number(max)}`;
  }

  // HH:MM in the browser's time zone (the room's clock), or "" for no time.
  function hhmm(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  function hhmmss(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // Same-origin requests: the session cookie goes with them; a 401 means the session ended.
  async function request(method, url) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (response.status === 401) {
      window.location.assign("/login");
      throw new HttpError(401, "401");
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      const message =
        body && typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
      throw new HttpError(response.status, message);
    }
    return body;
  }

  function showError(message) {
    const node = document.getElementById("error");
    if (!node) return;
    node.hidden = !message;
    text(node, message || "");
  }

  function setStatus(key, values, state) {
    const node = document.getElementById("status");
    if (!node) return;
    text(node, t(key, values));
    node.classList.toggle("status-live", state === "live");
    node.classList.toggle("status-down", state === "down");
  }

  // A student's flags: "asks for help since HH:MM" with its Clear button (clear(button) runs on a
  // click), then "stuck since HH:MM (on exercise/check)".
  function flags(student, clear) {
    const nodes = [];
    if (student.help) {
      const since = hhmm(student.help_since);
      const help = since ? t("help_since", { time: since }) : t("help");
      const button = el(
        "button",
        {
          type: "button",
          class: "clear",
          title: t("clear_title"),
          "data-focus": `clear:${student.student_id}`,
        },
        t("clear"),
      );
      button.addEventListener("click", () => clear(button));
      nodes.push(el("span", { class: "flag flag-help" }, help), button);
    }
    if (student.stuck_since) {
      const on = student.stuck_on || {};
      const where = [on.exercise, on.check].filter(Boolean).join("/") || "?";
      const stuck = t("stuck", { time: hhmm(student.stuck_since), where });
      nodes.push(el("span", { class: "flag flag-stuck" }, stuck));
    }
    return nodes;
  }

  // POST /api/students/ID/help/clear, then then() (a fetch again); the button waits meanwhile.
  async function clearHelp(studentId, button, then) {
    button.disabled = true;
    try {
      await request("POST", `/api/students/${encodeURIComponent(studentId)}/help/clear`);
    } catch (error) {
      if (error.status !== 401) showError(t("clear_failed", { error: error.message }));
      button.disabled = false;
      return;
    }
    await then();
  }

  // Calls load() now, on every `class` event of /api/events, when the stream comes back after a
  // drop, and every `everyMs` (a student becomes stuck with no event). One load at a time: a
  // change arriving during a load gives one more load after it.
  function live(load, everyMs) {
    let running = false;
    let again = false;
    let source = null;
    let retry = null;

    async function refresh() {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          try {
            await load();
            showError("");
            markLive();
          } catch (error) {
            if (error.status !== 401) showError(t("load_error", { error: error.message }));
          }
        } while (again);
      } finally {
        running = false;
      }
    }

    function connect() {
      if (retry !== null) {
        clearTimeout(retry);
        retry = null;
      }
      source = new EventSource("/api/events");
      source.addEventListener("class", () => refresh());
      source.addEventListener("open", () => {
        markLive();
        refresh(); // after a drop: what changed meanwhile
      });
      source.addEventListener("error", () => {
        setStatus("reconnecting", {}, "down");
        // EventSource reconnects by itself unless the server refused the stream (CLOSED)
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          retry = setTimeout(connect, 3000);
        }
      });
    }

    function markLive() {
      if (source && source.readyState === EventSource.OPEN) {
        setStatus("updated", { time: hhmmss(new Date()) }, "live");
      }
    }

    connect();
    refresh();
    if (everyMs) setInterval(refresh, everyMs);
    return { refresh, markLive };
  }

  return {
    t,
    el,
    text,
    number,
    score,
    hhmm,
    hhmmss,
    request,
    showError,
    setStatus,
    flags,
    clearHelp,
    live,
  };
})();
