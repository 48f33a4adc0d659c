// Draw a figure built on the server; no mode bar, whose tooltips Plotly has only in English.
function chainhubPlot(id, figure) {
  Plotly.newPlot(id, figure.data, figure.layout, {displayModeBar: false, responsive: true});
}

// Draw one of several server-built figures, the one its button names, and mark the button.
function chainhubSwitch(id, figures, buttons) {
  const pick = (name) => {
    chainhubPlot(id, figures[name]);
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.view === name));
  };
  for (const b of buttons) b.addEventListener("click", () => pick(b.dataset.view));
  pick(buttons[0].dataset.view);
}
