/* The network view: nodes and edges from /pictures/network.json, drawn by vis-network (served from this
   machine). Hovering a node shows its full name; clicking it opens its page.

   - Find: the nodes whose name (or address) holds the words typed; Enter or a click on a result selects the node
     and centres the view on it.
   - Show: the kinds of node to draw, and the files of one work area or affecting one group, with the nodes they
     link to (their instruments, groups, positions). The count of nodes shown is on the container
     (data-visible) and in words next to the filters. */
(function () {
  "use strict";

  var COLOURS = {
    file: { background: "#0b5394", border: "#073763", font: "#ffffff", shape: "box" },
    instrument: { background: "#f6b26b", border: "#b45f06", font: "#1f1f1f", shape: "dot" },
    group: { background: "#93c47d", border: "#38761d", font: "#1f1f1f", shape: "diamond" },
    position: { background: "#c27ba0", border: "#741b47", font: "#1f1f1f", shape: "triangle" }
  };
  var KIND_NAMES = { file: "policy file", instrument: "instrument", group: "affected group", position: "position" };
  var MAX_RESULTS = 8;

  function groups() {
    var result = {};
    Object.keys(COLOURS).forEach(function (name) {
      var c = COLOURS[name];
      result[name] = {
        shape: c.shape,
        color: { background: c.background, border: c.border,
                 highlight: { background: c.background, border: "#000000" } },
        font: { color: c.shape === "box" ? c.font : "#1f1f1f", size: 14, multi: false },
        size: 12
      };
    });
    return result;
  }

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function draw(container, data) {
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    var neighbours = {};
    data.edges.forEach(function (e) {
      (neighbours[e.from] = neighbours[e.from] || []).push(e.to);
      (neighbours[e.to] = neighbours[e.to] || []).push(e.from);
    });
    var nodes = new vis.DataSet(data.nodes.map(function (n) {
      return { id: n.id, label: n.label, title: n.title, group: n.group, url: n.url };
    }));
    var edges = new vis.DataSet(data.edges.map(function (e) {
      return { from: e.from, to: e.to, arrows: "to", color: { color: "#9aa5b1", highlight: "#333333" } };
    }));
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
      groups: groups(),
      nodes: { borderWidth: 1, margin: 8 },
      edges: { smooth: false, width: 1 },
      physics: { solver: "forceAtlas2Based", stabilization: { iterations: 400 },
                 forceAtlas2Based: { gravitationalConstant: -60, springLength: 90 } },
      interaction: { hover: true, tooltipDelay: 150 }
    });

    // --- filters ---------------------------------------------------------------------------------------

    var form = document.getElementById("network-filters");
    var areaSelect = document.getElementById("network-area");
    var groupSelect = document.getElementById("network-group");
    var countEl = document.getElementById("network-count");

    function visibleIds() {
      var kinds = {};
      Array.prototype.forEach.call(form.querySelectorAll("input[name=kind]"), function (box) {
        if (box.checked) { kinds[box.value] = true; }
      });
      var area = areaSelect.value;
      var group = groupSelect.value;
      var shown = {};
      if (area || group) {
        data.nodes.forEach(function (n) {
          if (n.group !== "file") { return; }
          if (area && (n.areas || []).indexOf(area) < 0) { return; }
          if (group && (n.groups || []).indexOf(group) < 0) { return; }
          shown[n.id] = true;
          (neighbours[n.id] || []).forEach(function (other) { shown[other] = true; });
        });
      } else {
        data.nodes.forEach(function (n) { shown[n.id] = true; });
      }
      Object.keys(shown).forEach(function (id) {
        if (!byId[id] || !kinds[byId[id].group]) { delete shown[id]; }
      });
      return shown;
    }

    function applyFilters() {
      var shown = visibleIds();
      var count = Object.keys(shown).length;
      nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: !shown[n.id] }; }));
      container.setAttribute("data-visible", String(count));
      countEl.textContent = count + " of " + data.nodes.length + " nodes shown";
      if (count) { network.fit({ nodes: Object.keys(shown), animation: false }); }
      return shown;
    }

    function clearFilters() {
      Array.prototype.forEach.call(form.querySelectorAll("input[name=kind]"), function (box) { box.checked = true; });
      areaSelect.value = "";
      groupSelect.value = "";
      applyFilters();
    }

    form.addEventListener("change", function (event) {
      if (event.target.id !== "network-search") { applyFilters(); }
    });

    // --- search and focus ------------------------------------------------------------------------------

    var search = document.getElementById("network-search");
    var results = document.getElementById("network-results");
    var focusEl = document.getElementById("network-focus");

    function matches(text) {
      var words = text.toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.length) { return []; }
      return data.nodes.filter(function (n) {
        var hay = (n.title + " " + n.id).toLowerCase();
        return words.every(function (w) { return hay.indexOf(w) >= 0; });
      }).sort(function (a, b) {
        return a.title.length - b.title.length || (a.title < b.title ? -1 : 1);
      });
    }

    function focusNode(id) {
      var node = byId[id];
      if (!node) { return; }
      if (!visibleIds()[id]) { clearFilters(); }   // a node hidden by the filters is shown again with them cleared
      network.selectNodes([id]);
      network.focus(id, { scale: 1.4, animation: false });
      container.setAttribute("data-focused", id);
      results.textContent = "";
      container.scrollIntoView({ block: "nearest" });
      focusEl.textContent = "";
      focusEl.appendChild(el("strong", node.title));
      focusEl.appendChild(document.createTextNode(" — " + (KIND_NAMES[node.group] || node.group) + " · "));
      var link = el("a", "open its page");
      link.href = node.url;
      focusEl.appendChild(link);
    }

    function showResults() {
      var found = matches(search.value);
      results.textContent = "";
      found.slice(0, MAX_RESULTS).forEach(function (n) {
        var item = el("li");
        var button = el("button", n.title);
        button.type = "button";
        button.setAttribute("data-id", n.id);
        button.addEventListener("click", function () { focusNode(n.id); });
        item.appendChild(button);
        item.appendChild(document.createTextNode(" (" + (KIND_NAMES[n.group] || n.group) + ")"));
        results.appendChild(item);
      });
      if (search.value.trim() && !found.length) { results.appendChild(el("li", "No node matches.")); }
      else if (found.length > MAX_RESULTS) {
        results.appendChild(el("li", (found.length - MAX_RESULTS) + " more: type more of the name."));
      }
      return found;
    }

    search.addEventListener("input", showResults);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var found = showResults();
        if (found.length) { focusNode(found[0].id); }
      }
    });

    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      applyFilters();
      container.setAttribute("data-ready", "true");
    });
    network.on("click", function (params) {
      if (params.nodes.length === 1) {
        var node = nodes.get(params.nodes[0]);
        if (node && node.url) { window.location.href = node.url; }
      }
    });
  }

  var container = document.getElementById("network");
  if (!container || typeof vis === "undefined") { return; }
  fetch(container.getAttribute("data-source"), { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("the network data could not be loaded (" + response.status + ")"); }
      return response.json();
    })
    .then(function (data) { draw(container, data); })
    .catch(function (error) {
      container.textContent = error.message;
      container.classList.add("failed");
    });
})();
