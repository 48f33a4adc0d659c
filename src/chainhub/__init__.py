"""chainhub: an industrial-chain collaboration hub built on an executable data standard."""

__version__ = "0.1.0"
