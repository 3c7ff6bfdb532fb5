/* The network view: nodes and edges from /pictures/network.json, drawn by vis-network (served from this
   machine). Clicking a node opens its page. */
(function () {
  "use strict";

  var COLOURS = {
    file: { background: "#0b5394", border: "#073763", font: "#ffffff", shape: "box" },
    instrument: { background: "#f6b26b", border: "#b45f06", font: "#1f1f1f", shape: "dot" },
    group: { background: "#93c47d", border: "#38761d", font: "#1f1f1f", shape: "diamond" },
    position: { background: "#c27ba0", border: "#741b47", font: "#1f1f1f", shape: "triangle" }
  };

  function groups() {
    var result = {};
    Object.keys(COLOURS).forEach(function (name) {
      var c = COLOURS[name];
      result[name] = {
        shape: c.shape,
        color: { background: c.background, border: c.border,
                 highlight: { background: c.background, border: "#000000" } },
        font: { color: c.shape === "box" ? c.font : "#1f1f1f", size: 14 },
        size: 12
      };
    });
    return result;
  }

  function draw(container, data) {
    var nodes = new vis.DataSet(data.nodes);
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
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
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
