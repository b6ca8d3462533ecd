// A student's page: /api/students/ID as the latest grading's text and the score over time (an
// SVG plot), refetched on every `class` event. Text goes in with textContent / setAttribute.
"use strict";

(() => {
  const { t, el, text, score, number, hhmm } = DG;
  const SVG = "http://www.w3.org/2000/svg";
  const heading = document.getElementById("student-name");
  const studentId = heading.getAttribute("data-student-id");

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function svgText(attributes, value) {
    const node = svg("text", attributes);
    node.textContent = value;
    return node;
  }

  // The score over time: a step line (a score holds until the next grading), a dot per grading
  // with its time and score as a tooltip, 0 and the maximum on the left, the first and last
  // times below.
  function plot(history, name) {
    const width = 640;
    const height = 220;
    const margin = { left: 44, right: 16, top: 14, bottom: 30 };
    const points = history
      .map((entry) => ({
        at: new Date(entry.at),
        iso: entry.at,
        score: Number(entry.score),
        max: Number(entry.max_score),
      }))
      .filter((p) => !Number.isNaN(p.at.getTime()) && !Number.isNaN(p.score))
      .sort((a, b) => a.at - b.at);
    if (!points.length) return null;
    const maxY = Math.max(1, ...points.map((p) => (Number.isNaN(p.max) ? p.score : p.max)));
    const first = points[0].at.getTime();
    const last = points[points.length - 1].at.getTime();
    const innerW = width - margin.left - margin.right;
    const innerH = height - margin.top - margin.bottom;
    const x = (time) =>
      last === first
        ? margin.left + innerW / 2
        : margin.left + ((time - first) / (last - first)) * innerW;
    const y = (value) => margin.top + innerH - (value / maxY) * innerH;
    const start = hhmm(points[0].iso);
    const end = hhmm(points[points.length - 1].iso);
    const label = t("plot_label", { name, start, end });

    const root = svg("svg", {
      class: "score-plot",
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": label,
      preserveAspectRatio: "xMidYMid meet",
    });
    root.append(svg("title", {}, label));
    for (const value of [0, maxY]) {
      root.append(
        svg("line", {
          class: "axis",
          x1: margin.left,
          x2: width - margin.right,
          y1: y(value),
          y2: y(value),
        }),
        svgText(
          { class: "tick", x: margin.left - 8, y: y(value) + 5, "text-anchor": "end" },
          number(value),
        ),
      );
    }
    root.append(
      svgText({ class: "tick", x: margin.left, y: height - 8, "text-anchor": "start" }, start),
    );
    if (last !== first) {
      root.append(
        svgText(
          { class: "tick", x: width - margin.right, y: height - 8, "text-anchor": "end" },
          end,
        ),
      );
    }
    const coordinates = [];
    points.forEach((p, index) => {
      const px = x(p.at.getTime());
      if (index > 0) coordinates.push(`${px.toFixed(1)},${y(points[index - 1].score).toFixed(1)}`);
      coordinates.push(`${px.toFixed(1)},${y(p.score).toFixed(1)}`);
    });
    root.append(svg("polyline", { class: "line", points: coordinates.join(" ") }));
    if (points.length <= 300) {
      for (const p of points) {
        root.append(
          svg(
            "circle",
            { class: "dot", cx: x(p.at.getTime()).toFixed(1), cy: y(p.score).toFixed(1), r: 4 },
            svg("title", {}, t("plot_point", { time: hhmm(p.iso), score: score(p.score, p.max) })),
          ),
        );
      }
    }
    return root;
  }

  function renderFlags(student) {
    const clear = (button) => DG.clearHelp(studentId, button, connection.refresh);
    const nodes = DG.flags(student, clear);
    if (student.last_grading_at) {
      const when = t("student_last_grading", { time: hhmm(student.last_grading_at) });
      nodes.push(el("span", { class: "last-grading" }, when));
    }
    document.getElementById("flags").replaceChildren(...nodes);
  }

  async function load() {
    const body = await DG.request("GET", `/api/students/${encodeURIComponent(studentId)}`);
    const student = body.student || {};
    const name = student.name || studentId;
    text(heading, name);
    document.title = `${name} · ${t("app_name")}`;
    const total = `${t("col_total")}: ${score(student.score, student.max_score)}`;
    text(document.getElementById("total"), total);
    renderFlags(student);
    const history = Array.isArray(body.history) ? body.history : [];
    const drawn = plot(history, name);
    document.getElementById("plot").replaceChildren(...(drawn ? [drawn] : []));
    document.getElementById("no-history").hidden = Boolean(drawn);
    text(document.getElementById("text"), body.text ? body.text : t("student_no_text"));
  }

  const connection = DG.live(load, 30000);
})();
