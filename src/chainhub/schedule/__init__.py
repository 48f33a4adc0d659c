"""Finite-capacity production scheduling with OR-Tools CP-SAT."""
