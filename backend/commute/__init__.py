"""The way to work: a worker's confirmed buddy ride, else public transit that arrives in time.

This package joins the rides (`backend.mobility`) and the transit planner (`backend.transit`) for
the worker's "Hoe geraak ik op het werk?", the coach's mobility overview and caseload, and the notice
after a cancelled ride. Neither of those packages imports this one: it plugs itself in through their
hooks (`wiring.install`).
"""
