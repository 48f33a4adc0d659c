"""Tables of the forecast domain: runs with their parameters, each series' choice, the values."""

from __future__ import annotations

import sqlalchemy as sa

from chainhub.storage.models import METADATA

# One row per run: its version (1, 2, ... in order) and the parameters it ran with, as JSON.
forecast_runs = sa.Table(
    "forecast_runs",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("version", sa.Integer(), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("bucket", sa.String(), nullable=False),
    sa.Column("horizon", sa.Integer(), nullable=False),
    sa.Column("series_count", sa.Integer(), nullable=False),
    sa.Column("parameters", sa.Text(), nullable=False),
)

# Per series (material x customer): the method chosen, every candidate's backtest scores as JSON.
forecast_series = sa.Table(
    "forecast_series",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("material_code", sa.String(), primary_key=True),
    sa.Column("customer_id", sa.String(), primary_key=True),
    sa.Column("method", sa.String(), nullable=False),
    sa.Column("fitted", sa.String(), nullable=False),
    sa.Column("mase", sa.Double(), nullable=True),
    sa.Column("wmape", sa.Double(), nullable=True),
    sa.Column("scores", sa.Text(), nullable=False),
    sa.Column("notes", sa.Text(), nullable=False),
)

forecast_values = sa.Table(
    "forecast_values",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("material_code", sa.String(), primary_key=True),
    sa.Column("customer_id", sa.String(), primary_key=True),
    sa.Column("period_start", sa.Date(), primary_key=True),
    sa.Column("quantity", sa.Double(), nullable=False),
    sa.Column("lo", sa.Double(), nullable=True),
    sa.Column("hi", sa.Double(), nullable=True),
)

# Per series: the hub's chosen method, the partner's own issued forecast and naive, scored on the
# run's backtest windows (forecast value added); `share` allocates a seller's forecast to the
# customer, 1 for the customer's own.
forecast_value_added = sa.Table(
    "forecast_value_added",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("material_code", sa.String(), primary_key=True),
    sa.Column("customer_id", sa.String(), primary_key=True),
    sa.Column("issuer_id", sa.String(), nullable=True),
    sa.Column("allocated", sa.Boolean(), nullable=False),
    sa.Column("share", sa.Double(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("points", sa.Integer(), nullable=False),
    sa.Column("naive_method", sa.String(), nullable=False),
    sa.Column("hub_mase", sa.Double(), nullable=True),
    sa.Column("hub_wmape", sa.Double(), nullable=True),
    sa.Column("partner_mase", sa.Double(), nullable=True),
    sa.Column("partner_wmape", sa.Double(), nullable=True),
    sa.Column("naive_mase", sa.Double(), nullable=True),
    sa.Column("naive_wmape", sa.Double(), nullable=True),
    sa.Column("best", sa.String(), nullable=True),
    # The hub and naive on every backtest point (the others: on the partner's points).
    sa.Column("hub_all_mase", sa.Double(), nullable=True),
    sa.Column("hub_all_wmape", sa.Double(), nullable=True),
    sa.Column("naive_all_mase", sa.Double(), nullable=True),
    sa.Column("naive_all_wmape", sa.Double(), nullable=True),
    # RMSSE of each, and the measure the verdict is judged by (RMSSE for intermittent demand).
    sa.Column("hub_rmsse", sa.Double(), nullable=True),
    sa.Column("partner_rmsse", sa.Double(), nullable=True),
    sa.Column("naive_rmsse", sa.Double(), nullable=True),
    sa.Column("hub_all_rmsse", sa.Double(), nullable=True),
    sa.Column("naive_all_rmsse", sa.Double(), nullable=True),
    sa.Column("measure", sa.String(), nullable=True),
    sa.Column("demand_class", sa.String(), nullable=True),
)

# Per run and level of the hierarchy (family, material, customer): how many nodes, how the
# future was reconciled, and the backtest accuracy of the base and the reconciled forecasts.
forecast_levels = sa.Table(
    "forecast_levels",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("level", sa.String(), primary_key=True),
    sa.Column("nodes", sa.Integer(), nullable=False),
    sa.Column("method", sa.String(), nullable=False),
    sa.Column("windows", sa.Integer(), nullable=False),
    sa.Column("base_mase", sa.Double(), nullable=True),
    sa.Column("base_wmape", sa.Double(), nullable=True),
    sa.Column("mase", sa.Double(), nullable=True),
    sa.Column("wmape", sa.Double(), nullable=True),
)

# Per node of the hierarchy: what it adds up (a family; a material; a material x customer), the
# base method, and the backtest accuracy of its base and reconciled forecasts.
forecast_nodes = sa.Table(
    "forecast_nodes",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("level", sa.String(), primary_key=True),
    sa.Column("node", sa.String(), primary_key=True),
    sa.Column("family", sa.String(), nullable=False),
    sa.Column("material_code", sa.String(), nullable=True),
    sa.Column("customer_id", sa.String(), nullable=True),
    sa.Column("method", sa.String(), nullable=False),
    sa.Column("base_mase", sa.Double(), nullable=True),
    sa.Column("base_wmape", sa.Double(), nullable=True),
    sa.Column("mase", sa.Double(), nullable=True),
    sa.Column("wmape", sa.Double(), nullable=True),
)

# Per node and period: the base forecast and the reconciled one, with the base interval moved
# by the reconciliation.
forecast_node_values = sa.Table(
    "forecast_node_values",
    METADATA,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("level", sa.String(), primary_key=True),
    sa.Column("node", sa.String(), primary_key=True),
    sa.Column("period_start", sa.Date(), primary_key=True),
    sa.Column("base", sa.Double(), nullable=False),
    sa.Column("quantity", sa.Double(), nullable=False),
    sa.Column("lo", sa.Double(), nullable=True),
    sa.Column("hi", sa.Double(), nullable=True),
)
