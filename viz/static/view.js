/* fenjie network views: draws the data block with vis-network, tooltips as text, neighbourhood
   highlight on click, node menu and reset. Nothing from the data is ever parsed as HTML. */
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("fenjie-data").textContent);

  function tip(text) {
    var el = document.createElement("div");
    el.className = "fj-tip";
    el.textContent = String(text);
    return el;
  }
  function asText(item) {
    if (item.title !== undefined && item.title !== null) { item.title = tip(item.title); }
    return item;
  }

  var nodes = new vis.DataSet(payload.nodes.map(asText));
  var edges = new vis.DataSet(payload.edges.map(asText));
  var container = document.getElementById("fj-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, payload.options);

  var state = {
    network: network, nodes: nodes, edges: edges,
    drawn: false, drawnAt: null, highlightActive: false, highlighted: []
  };
  window.fenjieView = state;
  if (payload.start) {
    // a tall view (one unit's work) opens zoomed in far enough to read its labels, at its start node
    network.once("afterDrawing", function () {
      if (network.getScale() < payload.start.scale) {
        var at = payload.start.node ? network.getPositions([payload.start.node])[payload.start.node] : null;
        network.moveTo({ scale: payload.start.scale, position: at || undefined, animation: false });
      }
    });
  }
  network.once("afterDrawing", function () {
    state.drawn = true;
    state.drawnAt = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });

  var original = {};
  nodes.forEach(function (n) { original[n.id] = n.color; });
  var originalEdges = {};
  edges.forEach(function (e) { originalEdges[e.id] = e.color; });
  var DIM = "rgba(205,205,205,0.45)";

  function highlight(id) {
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
    var touching = {};
    network.getConnectedEdges(id).forEach(function (e) { touching[e] = true; });
    nodes.update(nodes.getIds().map(function (n) {
      return keep[n]
        ? { id: n, color: original[n], font: { color: "#222222" } }
        : { id: n, color: DIM, font: { color: "#bbbbbb" } };
    }));
    edges.update(edges.getIds().map(function (e) {
      return { id: e, color: touching[e] ? originalEdges[e] : DIM };
    }));
    state.highlightActive = true;
    state.highlighted = Object.keys(keep);
  }

  function reset() {
    if (state.highlightActive) {
      nodes.update(nodes.getIds().map(function (n) {
        return { id: n, color: original[n], font: { color: "#222222" } };
      }));
      edges.update(edges.getIds().map(function (e) { return { id: e, color: originalEdges[e] }; }));
    }
    state.highlightActive = false;
    state.highlighted = [];
    network.unselectAll();
    document.getElementById("fj-select").value = "";
  }
  state.highlight = highlight;
  state.reset = reset;

  network.on("click", function (params) {
    if (params.nodes.length > 0) { highlight(params.nodes[0]); } else { reset(); }
  });
  document.getElementById("fj-select").addEventListener("change", function (event) {
    var id = event.target.value;
    if (!id || nodes.get(id) === null) { reset(); return; }
    network.selectNodes([id]);
    network.focus(id, { scale: 1.0, animation: false });
    highlight(id);
  });
  document.getElementById("fj-reset").addEventListener("click", reset);

  // Targets grouped under their work item (nodes with a "parent") fold away: double-click the work
  // item, or use the toolbar button for all of them.
  var children = {};
  nodes.forEach(function (n) {
    if (n.parent !== undefined && n.parent !== null) { (children[n.parent] = children[n.parent] || []).push(n.id); }
  });
  function fold(parent, hide) {
    var ids = children[parent] || [];
    if (!ids.length) { return false; }
    if (hide === undefined) { hide = !nodes.get(ids[0]).hidden; }
    nodes.update(ids.map(function (id) { return { id: id, hidden: hide }; }));
    return true;
  }
  state.fold = fold;
  // the browser's own dblclick (vis-network's doubleClick does not follow every pointer device)
  container.addEventListener("dblclick", function (event) {
    var rect = container.getBoundingClientRect();
    var id = network.getNodeAt({ x: event.clientX - rect.left, y: event.clientY - rect.top });
    if (id !== undefined) { fold(id); }
  });
  var foldAll = document.getElementById("fj-fold");
  if (foldAll) {
    if (!Object.keys(children).length) { foldAll.hidden = true; }
    foldAll.addEventListener("click", function () {
      var hide = foldAll.getAttribute("aria-pressed") !== "true";
      Object.keys(children).forEach(function (p) { fold(p, hide); });
      foldAll.setAttribute("aria-pressed", String(hide));
      foldAll.textContent = hide ? "展开全部目标" : "折叠全部目标";
    });
  }
})();
