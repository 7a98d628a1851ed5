// graph-engine dashboard: a thin client of the /v1 API. No framework, no network but this server.
"use strict";

(function () {
  const KEY = "graphEngineReadKey";
  const $ = (id) => document.getElementById(id);
  const state = { customer: null, loaded: {} };
  const plotConfig = { responsive: true, displaylogo: false };

  function key() { return sessionStorage.getItem(KEY); }

  function status(text, ok) {
    const el = $("status");
    el.textContent = text || "";
    el.className = ok ? "ok" : "";
  }

  class ApiError extends Error {
    constructor(status, body) {
      const err = (body && body.error) || {};
      super(err.message || ("HTTP " + status));
      this.status = status;
      this.code = err.code;
    }
  }

  async function api(path, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    opts.headers = Object.assign({ Authorization: "Bearer " + key() }, opts.headers);
    const response = await fetch(path, opts);
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      if (response.status === 401) { forgetKey(); }
      throw new ApiError(response.status, body);
    }
    return body;
  }

  async function plot(id, path, options) {
    const fig = await api(path, options);
    const el = $(id);
    await Plotly.react(el, fig.data, fig.layout, plotConfig);
    el.dataset.rendered = String(Number(el.dataset.rendered || 0) + 1);
    return el;
  }

  function report(err) {
    status(err instanceof ApiError ? err.message : "could not reach the API: " + err.message);
  }

  // ------------------------------------------------------------------ key handling
  function showApp(haveKey) {
    $("app").hidden = !haveKey;
    $("need-key").hidden = haveKey;
    $("key-forget").hidden = !haveKey;
  }

  function forgetKey() {
    sessionStorage.removeItem(KEY);
    state.loaded = {};
    showApp(false);
    status("the key was refused or forgotten: enter a read key");
  }

  async function useKey(value) {
    sessionStorage.setItem(KEY, value);
    try {
      const top = await api("/v1/stickiness?limit=20");
      showApp(true);
      status("key accepted", true);
      fillSuggestions(top.items || []);
      if (!state.customer && top.items && top.items.length) {
        $("customer-input").value = top.items[0].id;
        await showCustomer(top.items[0].id);
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) { showApp(true); }
      report(err);
    }
  }

  function fillSuggestions(items) {
    const list = $("customer-suggestions");
    list.replaceChildren(...items.map((row) => {
      const opt = document.createElement("option");
      opt.value = row.id;
      opt.label = "stickiness " + row.stickiness.toFixed(1);
      return opt;
    }));
  }

  // ------------------------------------------------------------------ customer tab
  async function showCustomer(id) {
    const depth = $("depth-input").value;
    status("loading " + id + " ...", true);
    try {
      const q = "customer=" + encodeURIComponent(id) + "&depth=" + depth;
      const [el, explanation] = await Promise.all([
        plot("ego", "/v1/figures/ego?" + q),
        api("/v1/customers/" + encodeURIComponent(id) + "/stickiness?top=10"),
      ]);
      renderExplanation(explanation);
      state.customer = id;
      el.dataset.customer = id;
      status("");
    } catch (err) { report(err); }
  }

  function cell(tag, text) {
    const el = document.createElement(tag);
    el.textContent = text;
    return el;
  }

  function customerLink(id) {
    const a = cell("a", id);
    a.className = "customer";
    a.addEventListener("click", () => openCustomer(id));
    return a;
  }

  function renderExplanation(ex) {
    const box = $("explanation");
    const rows = [["own", ex.own.toFixed(2)], ["network", ex.network.toFixed(2)],
      ["stickiness", ex.stickiness.toFixed(2)],
      ["network share", (100 * ex.network_share).toFixed(1) + " %"]];
    const table = document.createElement("table");
    for (const [label, value] of rows) {
      const tr = document.createElement("tr");
      tr.append(cell("td", label), cell("td", value));
      table.append(tr);
    }
    const contrib = document.createElement("table");
    const head = document.createElement("tr");
    head.append(cell("th", "held by"), cell("th", "lambda x own"));
    contrib.append(head);
    for (const c of ex.contributors || []) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.append(customerLink(c.id));
      tr.append(td, cell("td", c.contribution.toFixed(2)));
      contrib.append(tr);
    }
    box.replaceChildren(cell("h2", ex.id), table, cell("h3", "Top contributors"), contrib);
  }

  function openCustomer(id) {
    selectTab("customer");
    $("customer-input").value = id;
    showCustomer(id);
  }

  // ------------------------------------------------------------------ other tabs
  async function showInfluencers() {
    const method = $("method-input").value;
    const community = $("influencer-community").value;
    let q = "method=" + method + "&top=25";
    if (community !== "") { q += "&community=" + encodeURIComponent(community); }
    try { await plot("influencers", "/v1/figures/influencers?" + q); } catch (err) { report(err); }
  }

  async function showCommunities() {
    try { await plot("communities", "/v1/figures/communities"); } catch (err) { report(err); }
  }

  async function showDistribution() {
    const log = $("log-input").checked ? "true" : "false";
    try {
      await Promise.all([
        plot("distribution", "/v1/figures/distribution?log=" + log),
        plot("pareto", "/v1/figures/pareto"),
        plot("own-vs-network", "/v1/figures/own-vs-network"),
      ]);
    } catch (err) { report(err); }
  }

  async function showChurn() {
    const customers = $("churn-customers").value.split(/[\s,;]+/).filter(Boolean);
    const raw = $("churn-threshold").value;
    const body = { customers: customers, threshold: raw === "" ? null : Number(raw) };
    status("simulating ...", true);
    try {
      await plot("churn", "/v1/figures/churn", {
        method: "POST", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json" },
      });
      status("");
    } catch (err) { report(err); }
  }

  const loaders = {
    influencers: showInfluencers, communities: showCommunities, distribution: showDistribution,
  };

  function selectTab(name) {
    for (const tab of document.querySelectorAll(".tab")) {
      tab.classList.toggle("active", tab.dataset.tab === name);
    }
    for (const panel of document.querySelectorAll(".panel")) {
      panel.hidden = panel.id !== "tab-" + name;
    }
    if (loaders[name] && !state.loaded[name]) {
      state.loaded[name] = true;
      loaders[name]();
    }
    window.dispatchEvent(new Event("resize"));  // let hidden plots take their size
  }

  // ------------------------------------------------------------------ wiring
  // the first customdata field of every clickable figure is the id (customer or community)
  function clickedId(ev) {
    const point = ev.points && ev.points[0];
    return point && point.customdata ? point.customdata[0] : null;
  }

  function wire() {
    $("key-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const value = $("key-input").value.trim();
      $("key-input").value = "";
      if (value) { useKey(value); }
    });
    $("key-forget").addEventListener("click", forgetKey);
    for (const tab of document.querySelectorAll(".tab")) {
      tab.addEventListener("click", () => selectTab(tab.dataset.tab));
    }
    $("customer-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const id = $("customer-input").value.trim();
      if (id) { showCustomer(id); }
    });
    $("influencer-form").addEventListener("submit", (ev) => { ev.preventDefault(); showInfluencers(); });
    $("log-input").addEventListener("change", showDistribution);
    $("churn-form").addEventListener("submit", (ev) => { ev.preventDefault(); showChurn(); });

    $("ego").on("plotly_click", (ev) => {
      const id = clickedId(ev);
      if (id && id !== state.customer) { openCustomer(id); }
    });
    $("influencers").on("plotly_click", (ev) => {
      const id = clickedId(ev);
      if (id) { openCustomer(id); }
    });
    $("communities").on("plotly_click", (ev) => {
      const community = clickedId(ev);
      if (community === null) { return; }
      $("influencer-community").value = community;
      state.loaded.influencers = true;
      selectTab("influencers");
      showInfluencers();
    });
  }

  function start() {
    // Plotly attaches .on() to a div once it is a plot; create empty plots first
    for (const id of ["ego", "influencers", "communities"]) {
      Plotly.newPlot($(id), [], { xaxis: { visible: false }, yaxis: { visible: false } },
        plotConfig);
    }
    wire();
    const existing = key();
    showApp(Boolean(existing));
    if (existing) { useKey(existing); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else { start(); }
})();
