// Every table on a page gets "XLSX · CSV" links: the cells as shown (or a cell's data-value)
// go to the hub, which returns them as a file; nothing leaves for anywhere else.
(function () {
  const zh = document.documentElement.lang.startsWith("zh");
  const label = zh ? "导出" : "Export";

  function cells(row) {
    return Array.from(row.cells, (c) => (c.dataset.value ?? c.innerText).trim());
  }

  function title(table, index) {
    const caption = table.caption && table.caption.innerText;
    let heading = null;
    for (let el = table.previousElementSibling; el && !heading; el = el.previousElementSibling) {
      if (/^H[1-4]$/.test(el.tagName)) heading = el.innerText;
    }
    return (caption || heading || document.title.split("·")[0] || "table " + (index + 1)).trim();
  }

  // A table shown a page at a time names where the hub gives all of it (the page's filters
  // apply); any other table is sent as shown.
  function request(table, index, suffix) {
    if (table.dataset.exportHref) {
      return fetch(table.dataset.exportHref + "." + suffix + window.location.search);
    }
    const head = table.tHead ? table.tHead.rows[0] : table.rows[0];
    const body = Array.from(table.tBodies).flatMap((b) => Array.from(b.rows)).filter((r) => r !== head);
    const payload = {name: title(table, index), header: head ? cells(head) : [], rows: body.map(cells)};
    return fetch("/export/table." + suffix, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(payload),
    });
  }

  async function download(table, index, suffix) {
    const response = await request(table, index, suffix);
    if (!response.ok) {
      alert((zh ? "导出失败：" : "Export failed: ") + response.status);
      return;
    }
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    const disposition = response.headers.get("Content-Disposition") || "";
    const named = /filename\*=UTF-8''([^;]+)/.exec(disposition);
    link.download = named ? decodeURIComponent(named[1]) : "table." + suffix;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("main table").forEach((table, index) => {
      if (table.closest("[data-no-export]")) return;
      const bar = document.createElement("div");
      bar.className = "export";
      bar.append(label + ": ");
      for (const suffix of ["xlsx", "csv"]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link";
        button.dataset.export = suffix;
        button.textContent = suffix.toUpperCase();
        button.addEventListener("click", () => download(table, index, suffix));
        bar.append(button, " ");
      }
      table.before(bar);
    });
  });
})();
