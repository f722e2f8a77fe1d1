// The page of `jur serve`: search as you type, candidates as choices, a batch as a table.
// Served as a file so that the Content-Security-Policy can forbid inline script. Text from
// the server is only ever set with textContent (never innerHTML), so a query or a dataset
// string cannot become markup. answerNode builds what page.answer_html builds in Python.
"use strict";

(function () {
  const STATUS_WORDS = {
    found: "已确定",
    partial: "仅知分局",
    ambiguous: "有歧义",
    outside: "辖区外",
    not_found: "未找到",
  };
  const STATUS_HINTS = {
    found: "派出所和分局都已确定",
    partial: "分局已知，派出所不能确定：请补充街道、社区或村",
    ambiguous: "有几个地方同样符合：请从候选中选择，或补充区县",
    outside: "郑州市的地方，但不在11个分局的辖区内",
    not_found: "没有足够把握的答案，jur 不猜",
  };
  const MATCH_WORDS = {
    exact: "正式名称",
    alias: "简称或别称",
    pinyin: "拼音",
    address: "地址中的地名",
    fuzzy: "近似 (错字)",
    district: "区县",
    geocoder: "在线地图",
  };
  const DEBOUNCE_MS = 200;
  const MAX_QUERY = 1000;
  const MAX_BATCH = 10000;

  const online = document.body.dataset.online === "1";
  const form = document.getElementById("search");
  const input = document.getElementById("q");
  const answerBox = document.getElementById("answer");

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined || c === "") continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function stationLink(name) {
    return el("a", { class: "station", href: "/show/" + encodeURIComponent(name) }, name);
  }

  function bureauLink(name) {
    return el("a", { class: "bureau", href: "/roster/" + encodeURIComponent(name) }, name);
  }

  function choiceQuery(c) {
    if (c.station) return c.station;
    if (c.place) return c.place;
    if (c.street) return (c.district || "") + c.street;
    return c.sub_bureau || c.district || "";
  }

  function answerNode(a) {
    const frag = document.createDocumentFragment();
    frag.append(
      el(
        "p",
        { class: "status" },
        el("span", { class: "badge" }, STATUS_WORDS[a.status] || a.status),
        " ",
        el("span", { class: "en" }, a.status),
        " ",
        el("span", { class: "hint" }, STATUS_HINTS[a.status] || "")
      )
    );
    if (a.station || a.sub_bureau) {
      frag.append(
        el(
          "p",
          { class: "big" },
          a.station ? stationLink(a.station) : el("span", { class: "station none" }, "派出所未知"),
          a.sub_bureau ? bureauLink(a.sub_bureau) : null
        )
      );
    }
    const facts = el("dl", { class: "facts" });
    const score = String(a.score) + (a.match ? " · " + (MATCH_WORDS[a.match] || a.match) : "");
    const rows = [
      ["街道/乡镇", a.street],
      ["区县", a.district],
      ["社区/村/地点", a.place],
      ["分数", score],
      ["代码", a.code],
      ["说明", a.note],
    ];
    for (const [label, value] of rows) {
      if (value !== null && value !== undefined && value !== "") {
        facts.append(el("dt", {}, label), el("dd", {}, value));
      }
    }
    if (a.verified === false) {
      facts.append(
        el("dt", {}, "核实"),
        el("dd", { class: "unverified" }, "未核实 — 依据的来源不明确 (unverified)")
      );
    }
    frag.append(facts);
    if (a.candidates && a.candidates.length) {
      const list = el("ul");
      for (const c of a.candidates) {
        const bits = [c.station || "派出所未知", c.sub_bureau, c.street, c.district].filter(Boolean);
        let label = bits.join(" · ");
        if (c.place) label += " · " + c.place;
        const q = choiceQuery(c);
        list.append(
          el(
            "li",
            {},
            el(
              "a",
              { class: "cand", href: "/?q=" + encodeURIComponent(q), "data-q": q },
              label + " ",
              el("span", { class: "score" }, c.score)
            )
          )
        );
      }
      frag.append(
        el("div", { class: "cands" }, el("h3", {}, "候选 ", el("span", { class: "en" }, "candidates")), list)
      );
    }
    if (a.explain && a.explain.length) {
      const steps = el("ol");
      for (const s of a.explain) steps.append(el("li", {}, s));
      const details = el(
        "details",
        { class: "explain", open: "" },
        el("summary", {}, "解析过程 ", el("span", { class: "en" }, "explain")),
        steps
      );
      frag.append(details);
    }
    return frag;
  }

  function showAnswer(a) {
    answerBox.replaceChildren(answerNode(a));
    answerBox.className = "answer s-" + a.status;
    answerBox.hidden = false;
  }

  function showError(message) {
    answerBox.replaceChildren(el("p", { class: "error" }, message));
    answerBox.className = "answer s-error";
    answerBox.hidden = false;
  }

  async function errorText(response) {
    try {
      const body = await response.json();
      return body.error || response.statusText;
    } catch (e) {
      return response.statusText || "error " + response.status;
    }
  }

  // --- one query, as it is typed ---------------------------------------------------------
  let timer = null;
  let inFlight = null;
  let asked = 0; // the number of the latest request: an older reply never overwrites it

  async function search(q, askOnline) {
    clearTimeout(timer);
    const mine = ++asked;
    if (inFlight) inFlight.abort();
    const url = new URL(window.location.href);
    if (q.trim()) url.searchParams.set("q", q);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url.pathname + url.search);
    if (!q.trim()) {
      answerBox.hidden = true;
      answerBox.replaceChildren();
      return;
    }
    if (q.length > MAX_QUERY) {
      showError("查询太长 (最多 " + MAX_QUERY + " 个字)");
      return;
    }
    inFlight = new AbortController();
    let params = "q=" + encodeURIComponent(q) + "&explain=1";
    if (askOnline && online) params += "&online=1";
    try {
      const response = await fetch("/api/find?" + params, { signal: inFlight.signal });
      if (mine !== asked) return;
      if (!response.ok) {
        showError(await errorText(response));
        return;
      }
      const a = await response.json();
      if (mine === asked) showAnswer(a);
    } catch (e) {
      if (e.name !== "AbortError" && mine === asked) showError("服务器无响应 (no answer from the server)");
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value;
    timer = setTimeout(() => search(q, false), DEBOUNCE_MS);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search(input.value, true);
  });

  // A candidate is a choice: ask for it in place, without reloading the page.
  document.addEventListener("click", (event) => {
    const a = event.target.closest ? event.target.closest("a.cand") : null;
    if (!a || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    input.value = a.dataset.q;
    search(a.dataset.q, false);
    input.focus();
  });

  // --- many queries: a table to copy back into a spreadsheet -------------------------------
  const batchForm = document.getElementById("batch-form");
  const batch = document.getElementById("batch");
  const table = document.getElementById("results");
  const tbody = table.querySelector("tbody");
  const copyButton = document.getElementById("copy");
  const batchMsg = document.getElementById("batch-msg");
  const HEADER = ["查询", "状态", "派出所", "分局", "街道/乡镇", "区县", "分数"];
  let lastRows = [];

  function linesOf(text) {
    const lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop(); // the final newline
    return lines;
  }

  function rowValues(a) {
    return [a.query, STATUS_WORDS[a.status] || a.status, a.station, a.sub_bureau, a.street, a.district, a.score];
  }

  function showTable(answers) {
    const rows = [];
    for (const a of answers) {
      const values = rowValues(a);
      const tr = el("tr", { class: "s-" + a.status });
      values.forEach((v, i) => {
        let cell = v === null || v === undefined ? "" : v;
        if (i === 2 && v) cell = stationLink(v);
        if (i === 3 && v) cell = bureauLink(v);
        tr.append(el("td", {}, cell));
      });
      rows.push(tr);
    }
    tbody.replaceChildren(...rows);
    table.hidden = false;
    copyButton.hidden = false;
    lastRows = answers.map(rowValues);
  }

  batchForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const lines = linesOf(batch.value);
    if (!lines.length) return;
    if (lines.length > MAX_BATCH) {
      batchMsg.textContent = "最多 " + MAX_BATCH + " 行";
      return;
    }
    batchMsg.textContent = "查询中…";
    try {
      const response = await fetch("/api/find", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(lines),
      });
      if (!response.ok) {
        batchMsg.textContent = await errorText(response);
        return;
      }
      const answers = await response.json();
      showTable(answers);
      const found = answers.filter((a) => a.status === "found").length;
      batchMsg.textContent = answers.length + " 行，已确定 " + found + " 行";
    } catch (e) {
      batchMsg.textContent = "服务器无响应 (no answer from the server)";
    }
  });

  function tsvCell(v) {
    return String(v === null || v === undefined ? "" : v).replace(/[\t\r\n]+/g, " ");
  }

  copyButton.addEventListener("click", async () => {
    const text = [HEADER, ...lastRows].map((r) => r.map(tsvCell).join("\t")).join("\n") + "\n";
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // Not a secure context (a LAN address over http): copy through a selected textarea.
      const area = el("textarea", { class: "offscreen", readonly: "" });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    batchMsg.textContent = "已复制 " + lastRows.length + " 行";
  });
})();
