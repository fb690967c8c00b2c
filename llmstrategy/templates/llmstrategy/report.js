/* Sort a table of class lls-sortable by the clicked column: numbers (with $, commas and
   K/M/B/T suffixes) numerically, other text alphabetically; blanks and dashes last. */
(function () {
  var SUFFIX = {K: 1e3, M: 1e6, B: 1e9, T: 1e12};
  function key(text) {
    var t = text.trim().replace(/[$,×%]/g, "");
    var m = t.match(/^(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([KMBT])?$/i);
    if (m) { return {n: parseFloat(m[1]) * (m[2] ? SUFFIX[m[2].toUpperCase()] : 1)}; }
    return {s: t === "—" || t === "" ? null : t.toLowerCase()};
  }
  function compare(a, b) {
    if (a.n !== undefined && b.n !== undefined) { return a.n - b.n; }
    if (a.s === null) { return b.s === null ? 0 : 1; }
    if (b.s === null) { return -1; }
    return String(a.s !== undefined ? a.s : a.n).localeCompare(String(b.s !== undefined ? b.s : b.n));
  }
  document.querySelectorAll("table.lls-sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.title = "Sort by this column";
      th.addEventListener("click", function () {
        var asc = th.getAttribute("data-sorted") !== "asc";
        heads.forEach(function (h) { h.removeAttribute("data-sorted"); });
        th.setAttribute("data-sorted", asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var k1 = key(r1.cells[col].textContent), k2 = key(r2.cells[col].textContent);
          var c = compare(k1, k2);
          return asc || k1.s === null || k2.s === null ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();

/* Long ids in tables (self_host+rag+fine_tune, self_host.bandwidth_efficiency, URLs) have
   no place to wrap, so a narrow page or a printed table could only clip them: a <wbr> after
   each + _ . / of a token of 14 or more characters gives the line breaker those places. The
   text itself (copy, sort, search) is unchanged. */
(function () {
  var LONG = /\S{14,}/;
  document.querySelectorAll("table td, table th").forEach(function (cell) {
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) { if (LONG.test(walker.currentNode.nodeValue)) { nodes.push(walker.currentNode); } }
    nodes.forEach(function (node) {
      var parts = node.nodeValue.replace(/([+_.\/])(?=\S)/g, "$1\u0000").split("\u0000");
      if (parts.length < 2) { return; }
      var frag = document.createDocumentFragment();
      parts.forEach(function (part, i) {
        if (i > 0) { frag.appendChild(document.createElement("wbr")); }
        frag.appendChild(document.createTextNode(part));
      });
      node.parentNode.replaceChild(frag, node);
    });
  });
})();

/* Printing: before the page is laid out for paper, open collapsed <details> and redraw every
   chart at the printed width (print.css leaves 718 CSS px on A4, 740 on Letter),
   with both width and height fixed so plotly's own resize handler leaves them alone; after
   printing, put both back. window.llsPrint.before()/after() do the same for a caller that
   prints without these events. */
(function () {
  var PRINT_WIDTH = 710;
  var opened = [], sized = [], prepared = false;
  function before() {
    if (prepared) { return; }
    prepared = true;
    window.llsPrinting = true;
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
    if (!window.Plotly) { return; }
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      var full = gd._fullLayout || {};
      sized.push({gd: gd, width: (gd.layout || {}).width, height: (gd.layout || {}).height});
      window.Plotly.relayout(gd, {width: PRINT_WIDTH, height: full.height || gd.offsetHeight || 450});
    });
  }
  function after() {
    if (!prepared) { return; }
    prepared = false;
    sized.forEach(function (s) {
      window.Plotly.relayout(s.gd, {
        width: s.width === undefined ? null : s.width, height: s.height === undefined ? null : s.height
      });
    });
    opened.forEach(function (d) { d.open = false; });
    sized = []; opened = [];
    window.setTimeout(function () { window.llsPrinting = false; }, 0);
  }
  window.addEventListener("beforeprint", before);
  window.addEventListener("afterprint", after);
  window.llsPrint = {before: before, after: after, width: PRINT_WIDTH};
})();

/* Sections (<details class="lls-section">): a link to an anchor inside a collapsed section
   (the table of contents, a glossary term) opens it, and every section around the target,
   then scrolls there; opening a section redraws its charts at the width they now have (a
   chart drawn while folded away has plotly's default width); the table of contents marks
   the section in view and opens or closes them all. */
(function () {
  function openTo(id) {
    var el = id && document.getElementById(id);
    if (!el) { return false; }
    for (var n = el; n; n = n.parentElement) {
      if (n.tagName === "DETAILS" && !n.open) { n.open = true; }
    }
    el.scrollIntoView({block: "start"});
    return true;
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest('a[href^="#"]') : null;
    if (!a) { return; }
    var id = decodeURIComponent(a.getAttribute("href").slice(1));
    if (openTo(id)) {
      e.preventDefault();
      if (history.replaceState) { history.replaceState(null, "", "#" + id); }
    }
  });
  window.addEventListener("hashchange", function () { openTo(decodeURIComponent(location.hash.slice(1))); });
  if (location.hash) { openTo(decodeURIComponent(location.hash.slice(1))); }

  function redraw(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll(".js-plotly-plot").forEach(function (gd) { window.Plotly.Plots.resize(gd); });
  }
  var sections = Array.prototype.slice.call(document.querySelectorAll("details.lls-section"));
  sections.forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open && !window.llsPrinting) { redraw(d); } });
  });
  document.querySelectorAll("[data-lls-open]").forEach(function (b) {
    b.addEventListener("click", function () {
      var open = b.getAttribute("data-lls-open") === "1";
      sections.forEach(function (d) { d.open = open; });
    });
  });

  var links = {};
  document.querySelectorAll("nav.lls-toc ol a").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
  var marks = [document.getElementById("summary")].concat(sections).filter(Boolean);
  var pending = false;
  function spy() {
    pending = false;
    var current = marks[0];
    marks.forEach(function (m) { if (m.getBoundingClientRect().top < 90) { current = m; } });
    Object.keys(links).forEach(function (k) { links[k].classList.toggle("lls-current", current && current.id === k); });
  }
  window.addEventListener("scroll", function () {
    if (!pending) { pending = true; window.requestAnimationFrame(spy); }
  }, {passive: true});
  spy();
})();
