// Onderbouwd workshop pages: draw the charts, sort and filter tables, step through slides.
// No build step: plain browser JavaScript beside the vendored htmx and Vega libraries.
(function () {
  "use strict";

  // The views of the charts drawn, by name: the browser tests read their marks from here.
  const views = (window.onderbouwdCharts = window.onderbouwdCharts || {});

  function vegaLocale() {
    try { return JSON.parse(document.body.dataset.vegaLocale); } catch (e) { return undefined; }
  }

  function drawChart(container) {
    const name = container.dataset.chart;
    const source = document.querySelector('script[data-chart-spec="' + name + '"]');
    if (!source || container.dataset.drawn || typeof vegaEmbed === "undefined") return;
    container.dataset.drawn = "pending";
    const spec = JSON.parse(source.textContent);
    return vegaEmbed(container, spec, {
      renderer: "svg", actions: false, formatLocale: vegaLocale(),
    }).then(function (result) {
      views[name] = result.view;
      container.dataset.drawn = "yes";
    }).catch(function (error) {
      container.dataset.drawn = "failed";
      console.error("chart " + name + ": " + error);
    });
  }

  function drawCharts(root) {
    root.querySelectorAll("[data-chart]").forEach(function (container) {
      if (!container.closest(".lazy") || !container.closest("[hidden]")) drawChart(container);
    });
  }

  function sortable(table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach(function (th, column) {
      const button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const key = function (row) {
          const cell = row.cells[column];
          const raw = cell.dataset.sort;
          return raw !== undefined ? parseFloat(raw) : cell.textContent.trim().toLowerCase();
        };
        rows.sort(function (a, b) {
          const x = key(a), y = key(b);
          const order = typeof x === "number" && typeof y === "number" ? x - y
            : String(x).localeCompare(String(y), document.body.dataset.locale);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function filterable(input) {
    const table = document.getElementById(input.dataset.filterFor);
    if (!table) return;
    input.addEventListener("input", function () {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.from(table.tBodies[0].rows).forEach(function (row) {
        const text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (word) { return text.includes(word); });
      });
    });
  }

  function slides(deck) {
    const all = Array.from(deck.querySelectorAll(".slide"));
    const counter = document.querySelector("[data-slide-counter]");
    let current = 0;
    function show(index) {
      current = Math.max(0, Math.min(all.length - 1, index));
      all.forEach(function (slide, i) { slide.hidden = i !== current; });
      all[current].querySelectorAll("[data-chart]").forEach(drawChart);
      if (counter) counter.textContent = (current + 1) + " / " + all.length;
      deck.dataset.current = String(current);
    }
    document.addEventListener("keydown", function (event) {
      if (["ArrowRight", "PageDown", " "].includes(event.key)) { show(current + 1); event.preventDefault(); }
      if (["ArrowLeft", "PageUp"].includes(event.key)) { show(current - 1); event.preventDefault(); }
      if (event.key === "Home") show(0);
      if (event.key === "End") show(all.length - 1);
    });
    show(0);
  }

  function enhance(root) {
    drawCharts(root);
    root.querySelectorAll("table.sortable").forEach(sortable);
    root.querySelectorAll("input[data-filter-for]").forEach(filterable);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      // A 422 carries a message for the panel (a what-if the scenario refuses): show it.
      htmx.config.responseHandling = [
        { code: "204", swap: false },
        { code: "[23]..", swap: true },
        { code: "422", swap: true, error: false },
        { code: "[45]..", swap: false, error: true },
      ];
    }
    enhance(document);
    const deck = document.querySelector("[data-slides]");
    if (deck) slides(deck);
  });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
