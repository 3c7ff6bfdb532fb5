/* The query editor: YASGUI (served from this machine) set up for this server's SPARQL endpoint.

   - Completion of prefixes, classes and properties comes from /editor/terms.json (our prefixes, the ontology's
     terms, the VoID partitions). YASGUI's own completers, which ask prefix.cc and the LOV API, are switched off.
   - The endpoint is always this server's /sparql (a share link cannot point the page elsewhere).
   - The named queries open as tabs and run; a message line says how many rows came back, whether the endpoint's
     row limit cut the answer, and what went wrong when a query fails or runs out of time. ?example=NAME opens a
     named query, &run=1 runs it (or the query of a share link), &view=chart shows its answer as a chart.
   - A Chart view (chart.js) draws a SELECT answer: bars for a label and a number, a timeline for dates.
   - A syntax error is shown where it is: the line of the query with a caret under the column the endpoint names,
     and that line marked in the editor. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var statusEl = document.getElementById("editor-status");
  var toolsEl = document.getElementById("editor-tools");
  var csvLink = document.getElementById("csv-link");
  var shareLink = document.getElementById("share-link");
  var Yasgui = window.Yasgui;
  if (!Yasgui || !document.getElementById("yasgui")) { return; }
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;

  // --- messages -------------------------------------------------------------------------------------------

  function say(kind, text, detail) {
    statusEl.className = "status status-" + kind;
    statusEl.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = text;
    statusEl.appendChild(strong);
    if (detail) {
      var span = document.createElement("span");
      span.textContent = " " + detail;
      statusEl.appendChild(span);
    }
  }

  var TITLES = {
    400: "The endpoint could not run this query.",
    403: "This query is not allowed on this endpoint.",
    406: "The endpoint cannot send this answer in the format asked for.",
    413: "The query is too large.",
    414: "The query is too long for a link; it is sent by POST.",
    503: "The query was stopped."
  };

  /* The endpoint answers every error as {"error": "...", "status": N}. */
  function parseError(text) {
    try {
      var body = JSON.parse(text);
      if (body && typeof body.error === "string") { return body; }
    } catch (ignored) { /* not our JSON: let YASGUI show it as it is */ }
    return null;
  }

  /* The query's line with a caret under the column, e.g. for a missing "}" at the end:
       line 3, column 12
       ?s ?p ?o .
                  ^                                                                                          */
  function whereBox(body, query) {
    if (!body.line || !body.column || typeof query !== "string") { return null; }
    var lines = query.split("\n");
    var text = (lines[body.line - 1] || "").replace(/\t/g, " ").replace(/\r$/, "");
    var pre = document.createElement("pre");
    pre.className = "policykg-error-where";
    pre.setAttribute("data-line", body.line);
    pre.setAttribute("data-column", body.column);
    pre.appendChild(document.createTextNode("line " + body.line + ", column " + body.column + "\n" + text + "\n"));
    var caret = document.createElement("span");
    caret.className = "caret";
    caret.textContent = new Array(body.column).join(" ") + "^";
    pre.appendChild(caret);
    return pre;
  }

  var marked = null;   // the editor line marked for the last syntax error: [yasqe, line handle]
  function markLine(body) {
    if (marked) { marked[0].removeLineClass(marked[1], "background", "policykg-error-line"); marked = null; }
    var tab = yasgui && yasgui.getTab();
    var yasqe = tab && tab.getYasqe();
    if (!yasqe || !body || !body.line) { return; }
    var handle = yasqe.addLineClass(body.line - 1, "background", "policykg-error-line");
    marked = [yasqe, handle];
    yasqe.on("change", function clear() {
      yasqe.off("change", clear);
      if (marked && marked[0] === yasqe) { yasqe.removeLineClass(marked[1], "background", "policykg-error-line"); }
      marked = null;
    });
  }

  function errorRenderer(error) {
    var body = parseError(error && error.text);
    if (!body) { return Promise.resolve(undefined); }
    var box = document.createElement("div");
    box.className = "policykg-error";
    var title = document.createElement("p");
    title.className = "policykg-error-title";
    title.textContent = (TITLES[body.status] || "The query failed.") + " (HTTP " + body.status + ")";
    var message = document.createElement("p");
    message.className = "policykg-error-message";
    message.textContent = body.error;
    box.appendChild(title);
    box.appendChild(message);
    var tab = yasgui && yasgui.getTab();
    var where = whereBox(body, tab ? tab.getQuery() : null);
    if (where) { box.appendChild(where); }
    markLine(body);
    return Promise.resolve(box);
  }

  // --- completion from this server only -------------------------------------------------------------------

  var termsPromise = null;
  function terms() {
    if (!termsPromise) {
      termsPromise = fetch(config.terms, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { prefixes: {}, classes: [], properties: [] }; });
    }
    return termsPromise;
  }

  Yasqe.forkAutocompleter("prefixes", {
    name: "policykg-prefixes",
    persistenceId: null,
    get: function () {
      return terms().then(function (t) {
        return Object.keys(t.prefixes).map(function (p) { return p + ": <" + t.prefixes[p] + ">"; }).sort();
      });
    }
  });
  Yasqe.forkAutocompleter("property", {
    name: "policykg-properties", bulk: true, persistenceId: null,
    get: function () { return terms().then(function (t) { return t.properties; }); }
  });
  Yasqe.forkAutocompleter("class", {
    name: "policykg-classes", bulk: true, persistenceId: null,
    get: function () { return terms().then(function (t) { return t.classes; }); }
  });
  var COMPLETERS = ["variables", "policykg-prefixes", "policykg-properties", "policykg-classes"];
  Yasqe.defaults.autocompleters = COMPLETERS.slice();
  Yasqe.defaults.prefixCcApi = null;
  Yasgui.defaults.yasqe.autocompleters = COMPLETERS.slice();
  Yasr.defaults.errorRenderers = [errorRenderer];
  var PLUGINS = ["table", "response"];
  if (window.PolicykgChart) {
    Yasr.registerPlugin("chart", window.PolicykgChart);
    PLUGINS = ["table", "chart", "response"];
  }
  Yasr.defaults.pluginOrder = PLUGINS.slice();
  var yasgui = null;

  // --- the editor -----------------------------------------------------------------------------------------

  function endpoint() { return config.endpoint; }

  yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    populateFromUrl: function (tabConfig) {
      tabConfig.requestConfig.endpoint = config.endpoint;
      return tabConfig;
    },
    persistenceId: "policykg-editor",
    yasqe: { value: config.defaultQuery, autocompleters: COMPLETERS.slice(), createShortLink: null },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table", pluginOrder: PLUGINS.slice() }
  });

  /* Our IRIs in the results open their pages on this server, not the persistent address (which would leave it). */
  function localise(root) {
    Array.prototype.forEach.call(root.querySelectorAll("a[href^='" + config.base + "']"), function (a) {
      a.href = config.root + "/" + a.getAttribute("href").slice(config.base.length);
      a.removeAttribute("target");
    });
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      Array.prototype.forEach.call(change.addedNodes, function (node) {
        if (node.nodeType === 1) { localise(node.parentNode || node); }
      });
    });
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  function keepOurEndpoint(tab) {
    if (tab && tab.getEndpoint() !== config.endpoint) { tab.setEndpoint(config.endpoint); }
  }
  Object.keys(yasgui._tabs).forEach(function (id) { keepOurEndpoint(yasgui.getTab(id)); });
  yasgui.on("tabAdd", function (instance, id) { keepOurEndpoint(yasgui.getTab(id)); });

  function tabNamed(name) {
    var ids = Object.keys(yasgui._tabs);
    for (var i = 0; i < ids.length; i++) {
      var tab = yasgui.getTab(ids[i]);
      if (tab && tab.getName() === name) { return ids[i]; }
    }
    return null;
  }

  function openExample(example, run) {
    var id = tabNamed(example.title);
    var tab;
    if (id) {
      tab = yasgui.selectTabId(id);
      tab.setQuery(example.query);
    } else {
      tab = yasgui.addTab(true, { name: example.title, yasqe: { value: example.query } });
    }
    keepOurEndpoint(tab);
    if (run) { tab.getYasqe().query().catch(function () { /* shown by the error renderer */ }); }
    return tab;
  }

  var byName = {};
  config.examples.forEach(function (e) { byName[e.name] = e; });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-example]"), function (button) {
    button.addEventListener("click", function () {
      var example = byName[button.getAttribute("data-example")];
      if (example) { openExample(example, true); }
    });
  });
  if (config.example && byName[config.example]) {
    openExample(byName[config.example], config.run);
  } else if (config.run && yasgui.getTab()) {   // a share link with &run=1
    yasgui.getTab().getYasqe().query().catch(function () { /* shown by the error renderer */ });
  }

  // --- after each answer: rows, caps, errors, CSV and share links -------------------------------------------

  function queryLinks(tab) {
    var yasqe = tab.getYasqe();
    if (!yasqe) { return; }
    var query = tab.getQuery();
    var type = yasqe.getQueryType();
    var format = type === "CONSTRUCT" || type === "DESCRIBE" ? "ttl" : "csv";
    csvLink.href = config.endpoint + "?" + new URLSearchParams({ query: query, format: format }).toString();
    csvLink.textContent = format === "csv" ? "Download the answer as CSV" : "Download the answer as Turtle";
    shareLink.href = window.location.pathname + "?" + new URLSearchParams({ query: query }).toString();
    toolsEl.hidden = false;
  }

  function report(tab) {
    var results = tab.getYasr().results;
    if (!results) { return; }
    queryLinks(tab);
    var seconds = results.getResponseTime ? (results.getResponseTime() / 1000).toFixed(2) + " s" : "";
    if (results.hasError()) {
      var error = results.getError() || {};
      var body = parseError(error.text);
      if (body) {
        say(body.status === 503 ? "timeout" : "error", TITLES[body.status] || "The query failed.", body.error);
      } else {
        say("error", "The query failed.", error.text || error.statusText || "");
      }
      return;
    }
    var truncated = results.res && results.res.headers && results.res.headers.get("X-PolicyKG-Truncated");
    var json = results.getAsJson ? results.getAsJson() : null;
    var bindings = results.getBindings ? results.getBindings() : null;
    var what;
    if (bindings) {
      what = bindings.length + (bindings.length === 1 ? " row" : " rows");
    } else if (json && "boolean" in json) {
      what = "answer: " + json.boolean;
    } else {
      what = "graph received";
    }
    if (truncated || (json && json.truncated)) {
      say("capped", what + ", cut at the endpoint's limit.",
          "This endpoint sends at most " + config.maxRows + " rows (or about " + config.maxMegabytes +
          " MB) per answer, so the rest is missing. Add LIMIT and OFFSET to page through it, or narrow the query.");
    } else {
      say("ok", what, "in " + seconds + ".");
    }
  }

  yasgui.on("query", function () {
    say("running", "Running…", "Click the stop button to cancel. The endpoint stops a query after " +
        config.timeout + " s.");
  });
  yasgui.on("queryAbort", function () { say("error", "Cancelled.", ""); });
  var chartWanted = config.view === "chart";
  yasgui.on("queryResponse", function (instance, tab) {
    window.setTimeout(function () {
      report(tab);
      if (chartWanted && tab.getYasr().results && !tab.getYasr().results.hasError()) {
        chartWanted = false;   // once, for the view the link asked for; then the reader chooses
        tab.getYasr().selectPlugin("chart");
      }
    }, 0);
  });
  yasgui.on("tabChange", function (instance, tab) {
    if (tab && tab === yasgui.getTab()) { queryLinks(tab); }
  });
  yasgui.on("tabSelect", function (instance, id) {
    window.setTimeout(function () {
      var tab = yasgui.getTab(id);
      if (tab) { queryLinks(tab); }
    }, 0);
  });
  var current = yasgui.getTab();
  if (current) { queryLinks(current); }
  document.documentElement.setAttribute("data-editor-ready", "true");
})();
