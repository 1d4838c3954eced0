"""broker_core: the pure domain of the DATA Act Broker.

Nothing here performs I/O or imports a framework; the outside world is reached
only through the ports in :mod:`broker_core.ports`.
"""
