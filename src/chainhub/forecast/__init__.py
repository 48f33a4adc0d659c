"""Demand forecasts from the shared demand: StatsForecast models chosen per series by backtest."""
