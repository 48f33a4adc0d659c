// Draw a figure built on the server; no mode bar, whose tooltips Plotly has only in English.
function chainhubPlot(id, figure) {
  Plotly.newPlot(id, figure.data, figure.layout, {displayModeBar: false, responsive: true});
}
