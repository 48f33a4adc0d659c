"""Demand and capacity between the chain leader and its suppliers: MRP, capacity groups, alerts."""
