/* The editor's Chart view: a YASR plugin that draws a SELECT answer as inline SVG, with no library.

   - A label column and a numeric column (a COUNT … GROUP BY, say): a bar per row, its label on the left and its
     value at the end of the bar.
   - Otherwise a date column (xsd:date, dateTime, gYear, gYearMonth): a mark per row on a time axis, one line per
     value of the label column.
   Both columns can be changed from the controls above the chart. Labels are measured in the browser and never
   cut without their full text on hover; every mark has the whole row as its tooltip. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
                 "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
                 "unsignedShort", "unsignedByte"].map(function (t) { return XSD + t; });
  var DATES = ["date", "dateTime", "gYear", "gYearMonth", "dateTimeStamp"].map(function (t) { return XSD + t; });
  var WIDTH = 900;
  var BAR = 22;
  var COLOUR = "#0b5394";
  var MAX_BARS = 300;   // more bars than this are a table's job: the chart shows the first ones and says so

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function titled(node, text) {
    node.appendChild(svgEl("title", {}, text));
    return node;
  }

  /* A term as a reader sees it: a prefixed name for an IRI when a prefix fits, else the local name. */
  function shown(term, prefixes) {
    if (!term) { return ""; }
    if (term.type !== "uri") { return term.value; }
    var best = null;
    Object.keys(prefixes || {}).forEach(function (p) {
      var ns = prefixes[p];
      if (term.value.indexOf(ns) === 0 && (!best || ns.length > prefixes[best].length)) { best = p; }
    });
    if (best !== null) { return best + ":" + term.value.slice(prefixes[best].length); }
    return term.value.replace(/[#/]+$/, "").split(/[#/]/).pop() || term.value;
  }

  function isNumeric(term) {
    return term && term.type !== "uri" && NUMERIC.indexOf(term.datatype) >= 0 && !isNaN(parseFloat(term.value));
  }

  function dayOf(term) {
    if (!term || term.type === "uri") { return null; }
    var m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(term.value);
    if (!m || (DATES.indexOf(term.datatype) < 0 && !/^\d{4}-\d{2}-\d{2}$/.test(term.value))) { return null; }
    var t = Date.UTC(+m[1], m[2] ? +m[2] - 1 : 0, m[3] ? +m[3] : 1);
    return isNaN(t) ? null : t;
  }

  /* The columns of each kind: numeric where every bound value is a number, dates where every one is a date. */
  function columns(variables, bindings) {
    var found = { numeric: [], dates: [], labels: [] };
    variables.forEach(function (v) {
      var bound = bindings.filter(function (b) { return b[v]; });
      if (!bound.length) { return; }
      if (bound.every(function (b) { return isNumeric(b[v]); })) { found.numeric.push(v); }
      else if (bound.every(function (b) { return dayOf(b[v]) !== null; })) { found.dates.push(v); }
      else { found.labels.push(v); }
    });
    // A column named like a label reads better than an IRI column.
    found.labels.sort(function (a, b) { return rank(a, bindings) - rank(b, bindings); });
    return found;
  }

  function rank(v, bindings) {
    var literal = bindings.some(function (b) { return b[v] && b[v].type !== "uri"; }) ? 0 : 2;
    return literal + (/(label|name|title)$/i.test(v) ? 0 : 1);
  }

  /* Fit ``text`` into ``width`` pixels at the font of ``probe`` (a text element in the drawn SVG): the text, or
     its first words with "…" (a single word is cut by characters). */
  function fit(probe, text, width) {
    probe.textContent = text;
    if (probe.getComputedTextLength() <= width) { return text; }
    var words = text.split(" ");
    while (words.length > 1) {
      words.pop();
      probe.textContent = words.join(" ") + " …";
      if (probe.getComputedTextLength() <= width) { return probe.textContent; }
    }
    var chars = text;
    while (chars.length > 1) {
      chars = chars.slice(0, -1);
      probe.textContent = chars + "…";
      if (probe.getComputedTextLength() <= width) { return probe.textContent; }
    }
    return "…";
  }

  function rowText(variables, binding, prefixes) {
    return variables.filter(function (v) { return binding[v]; })
      .map(function (v) { return "?" + v + " = " + shown(binding[v], prefixes); }).join("\n");
  }

  /* A round step for about four ticks up to ``value`` (whole numbers when every value is one). */
  function niceStep(value, whole) {
    if (value <= 0) { return 1; }
    var rough = value / 4;
    var power = Math.pow(10, Math.floor(Math.log10(rough)));
    var step = [1, 2, 5, 10].map(function (m) { return m * power; }).filter(function (s) { return s >= rough; })[0];
    return whole ? Math.max(1, Math.round(step)) : step;
  }

  function barChart(svg, variables, bindings, labelVar, valueVar, prefixes) {
    var probe = svg.appendChild(svgEl("text", { "font-size": "12", visibility: "hidden" }));
    var labels = bindings.map(function (b) { return shown(b[labelVar], prefixes) || "(none)"; });
    var widest = 0;
    labels.forEach(function (l) { probe.textContent = l; widest = Math.max(widest, probe.getComputedTextLength()); });
    var labelWidth = Math.min(Math.ceil(widest) + 12, WIDTH * 0.4);
    var values = bindings.map(function (b) { return b[valueVar] ? parseFloat(b[valueVar].value) : 0; });
    var top = 24;
    var whole = values.every(function (v) { return Math.round(v) === v; });
    var step = niceStep(Math.max.apply(null, values.concat([0])), whole);
    var max = Math.max(step, Math.ceil(Math.max.apply(null, values.concat([0])) / step) * step);
    var min = Math.min.apply(null, values.concat([0]));
    var plot = WIDTH - labelWidth - 60;
    var scale = plot / (max - Math.min(min, 0) || 1);
    var zero = labelWidth + (-Math.min(min, 0)) * scale;
    var height = top + BAR * bindings.length + 30;
    svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + height);
    svg.setAttribute("width", WIDTH);
    svg.setAttribute("height", height);
    svg.appendChild(svgEl("text", { x: 4, y: 14, "font-size": "12", fill: "#444", class: "chart-caption" },
      "?" + valueVar + " by ?" + labelVar));
    for (var value = 0; value <= max + step / 2; value += step) {   // the scale: round ticks from 0
      var x = zero + value * scale;
      svg.appendChild(svgEl("line", { x1: x, y1: top - 4, x2: x, y2: height - 26, stroke: "#e3e7ec" }));
      svg.appendChild(svgEl("text", { x: x, y: height - 10, "font-size": "11", "text-anchor": "middle",
                                      fill: "#444", class: "chart-tick" }, String(+value.toFixed(2))));
    }
    bindings.forEach(function (b, i) {
      var y = top + i * BAR;
      var length = Math.abs(values[i]) * scale;
      var group = svg.appendChild(svgEl("g", { class: "chart-row" }));
      titled(group, rowText(variables, b, prefixes));
      var label = group.appendChild(svgEl("text", { x: labelWidth - 8, y: y + 15, "font-size": "12",
                                                     "text-anchor": "end", class: "chart-label" }));
      label.textContent = fit(probe, labels[i], labelWidth - 12);
      group.appendChild(svgEl("rect", { class: "chart-bar", x: values[i] < 0 ? zero - length : zero, y: y + 3,
                                        width: Math.max(length, 1), height: BAR - 6, fill: COLOUR,
                                        "data-value": values[i] }));
      group.appendChild(svgEl("text", { x: (values[i] < 0 ? zero : zero + length) + 5, y: y + 15, "font-size": "12",
                                        class: "chart-value" }, b[valueVar] ? b[valueVar].value : ""));
    });
    svg.removeChild(probe);
  }

  function timeline(svg, variables, bindings, dateVar, labelVar, prefixes) {
    var probe = svg.appendChild(svgEl("text", { "font-size": "12", visibility: "hidden" }));
    var dated = bindings.map(function (b) { return { b: b, t: dayOf(b[dateVar]) }; })
      .filter(function (d) { return d.t !== null; });
    var lines = [];
    var lineOf = {};
    dated.forEach(function (d) {
      var key = labelVar ? shown(d.b[labelVar], prefixes) || "(none)" : "?" + dateVar;
      if (!(key in lineOf)) { lineOf[key] = lines.length; lines.push(key); }
      d.line = lineOf[key];
    });
    var widest = 0;
    lines.forEach(function (l) { probe.textContent = l; widest = Math.max(widest, probe.getComputedTextLength()); });
    var labelWidth = Math.min(Math.ceil(widest) + 12, WIDTH * 0.35);
    var times = dated.map(function (d) { return d.t; });
    var first = new Date(Math.min.apply(null, times)).getUTCFullYear();
    var last = new Date(Math.max.apply(null, times)).getUTCFullYear() + 1;
    var start = Date.UTC(first, 0, 1);
    var end = Date.UTC(last, 0, 1);
    var left = labelWidth + 10;
    var right = WIDTH - 20;
    var top = 40;
    var height = top + BAR * lines.length + 10;
    function x(t) { return left + (right - left) * (t - start) / (end - start); }
    svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + height);
    svg.setAttribute("width", WIDTH);
    svg.setAttribute("height", height);
    svg.appendChild(svgEl("text", { x: 4, y: 14, "font-size": "12", fill: "#444", class: "chart-caption" },
      "?" + dateVar + (labelVar ? " by ?" + labelVar : "")));
    var yearWidth = (right - left) / (last - first);
    var step = [1, 2, 5, 10, 20, 50, 100].filter(function (n) { return n * yearWidth >= 44; })[0] || 100;
    for (var year = first; year <= last; year++) {
      var tx = x(Date.UTC(year, 0, 1));
      svg.appendChild(svgEl("line", { x1: tx, y1: top - 6, x2: tx, y2: height - 6, stroke: "#e3e7ec" }));
      if (year % step === 0) {
        svg.appendChild(svgEl("text", { x: tx, y: top - 10, "font-size": "11", "text-anchor": "middle",
                                        fill: "#444", class: "chart-tick" }, String(year)));
      }
    }
    lines.forEach(function (l, i) {
      var label = svg.appendChild(svgEl("text", { x: labelWidth, y: top + i * BAR + 15, "font-size": "12",
                                                   "text-anchor": "end", class: "chart-label" }));
      label.textContent = fit(probe, l, labelWidth - 8);
      if (label.textContent !== l) { titled(label, l); }
    });
    dated.forEach(function (d) {
      var mark = svg.appendChild(svgEl("circle", { class: "chart-mark", cx: x(d.t), cy: top + d.line * BAR + 11,
                                                    r: 5, fill: COLOUR, "fill-opacity": "0.75" }));
      titled(mark, rowText(variables, d.b, prefixes));
    });
    svg.removeChild(probe);
  }

  function Chart(yasr) {
    this.yasr = yasr;
    this.label = "Chart";
    this.priority = 5;
    this.choice = {};
  }

  Chart.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    return !!(r && r.getVariables && r.getVariables() && r.getVariables().length && r.getBindings);
  };

  Chart.prototype.getIcon = function () {
    var icon = svgEl("svg", { viewBox: "0 0 16 16", width: "14", height: "14", "aria-hidden": "true" });
    [[1, 9, 3, 6], [6, 4, 3, 11], [11, 7, 3, 8]].forEach(function (r) {
      icon.appendChild(svgEl("rect", { x: r[0], y: r[1], width: r[2], height: r[3], fill: "currentColor" }));
    });
    return icon;
  };

  Chart.prototype.select = function (name, options, value, onChange) {
    var label = document.createElement("label");
    label.textContent = name + " ";
    var select = document.createElement("select");
    options.forEach(function (o) {
      var option = document.createElement("option");
      option.value = o;
      option.textContent = "?" + o;
      select.appendChild(option);
    });
    select.value = value;
    select.addEventListener("change", function () { onChange(select.value); });
    label.appendChild(select);
    return label;
  };

  /* The drawn chart as a file, made here (no request). */
  Chart.prototype.downloadLink = function (note, svg) {
    var link = document.createElement("a");
    link.className = "chart-download";
    link.textContent = "Download the chart as SVG";
    link.download = "chart.svg";
    link.href = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)],
                                             { type: "image/svg+xml" }));
    note.appendChild(document.createTextNode(" · "));
    note.appendChild(link);
  };

  Chart.prototype.draw = function () {
    var self = this;
    var results = this.yasr.results;
    var variables = results.getVariables();
    var bindings = results.getBindings() || [];
    var prefixes = this.yasr.getPrefixes ? this.yasr.getPrefixes() : (this.yasr.config.prefixes || {});
    var cols = columns(variables, bindings);
    var box = document.createElement("div");
    box.className = "policykg-chart";
    var note = document.createElement("p");
    note.className = "chart-note";
    box.appendChild(note);
    var svg = svgEl("svg", { xmlns: SVG, role: "img", "font-family": "sans-serif" });
    var pick = function (key, options) {
      return options.indexOf(self.choice[key]) >= 0 ? self.choice[key] : options[0];
    };
    var redraw = function (key) {
      return function (value) { self.choice[key] = value; self.yasr.resultsEl.textContent = ""; self.draw(); };
    };
    this.yasr.resultsEl.appendChild(box);
    if (!bindings.length) {
      note.textContent = "No rows to draw.";
      return;
    }
    if (cols.numeric.length && cols.labels.length) {
      var labelVar = pick("label", cols.labels);
      var valueVar = pick("value", cols.numeric);
      note.appendChild(this.select("Bars for", cols.labels, labelVar, redraw("label")));
      note.appendChild(document.createTextNode(" "));
      note.appendChild(this.select("length", cols.numeric, valueVar, redraw("value")));
      svg.setAttribute("aria-label", "Bar chart of ?" + valueVar + " by ?" + labelVar);
      svg.setAttribute("class", "chart chart-bars");
      box.appendChild(svg);
      if (bindings.length > MAX_BARS) {
        note.appendChild(document.createTextNode(" · the first " + MAX_BARS + " of " + bindings.length +
          " rows (the Table shows them all)"));
      }
      barChart(svg, variables, bindings.slice(0, MAX_BARS), labelVar, valueVar, prefixes);
      this.downloadLink(note, svg);
    } else if (cols.dates.length) {
      var dateVar = pick("date", cols.dates);
      var lineVar = cols.labels.length ? pick("line", cols.labels) : null;
      note.appendChild(this.select("Dates from", cols.dates, dateVar, redraw("date")));
      if (lineVar) {
        note.appendChild(document.createTextNode(" "));
        note.appendChild(this.select("one line per", cols.labels, lineVar, redraw("line")));
      }
      svg.setAttribute("aria-label", "Timeline of ?" + dateVar);
      svg.setAttribute("class", "chart chart-timeline");
      box.appendChild(svg);
      timeline(svg, variables, bindings, dateVar, lineVar, prefixes);
      this.downloadLink(note, svg);
    } else {
      note.textContent = "Nothing to draw: a chart needs a label column with a numeric column (for example " +
        "?label (COUNT(?file) AS ?files) … GROUP BY ?label) or a column of dates (xsd:date, xsd:gYear …).";
    }
  };

  window.PolicykgChart = Chart;
})();
