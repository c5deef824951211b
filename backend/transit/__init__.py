"""Public transit: GTFS import and arrive-by journeys computed in this process.

- `gtfs.py` reads a GTFS zip into arrays (`FeedData`), naming file and line on any error.
- `store.py`/`tables.py` keep each feed as one compressed archive (in chunks) in the database;
  an import replaces one feed in one transaction.
- `network.py` combines the loaded feeds in memory (numpy arrays, walking transfers across feeds,
  a grid index of stops) and lays out the trip instances around a date (`DayView`).
- `raptor.py` is reverse RAPTOR over those arrays; `planner.py` the public API
  (`plan_arrive_by`, `coverage`, `NoTransitData`, `DateNotCovered`).
- `commute.py` plans a worker's next shifts; `controllers.py` the HTTP routes; `cli.py` the
  `werkmaat transit import|plan` commands.
- `realtime.py` fetches GTFS-Realtime (job), stores it, and lays delays, skipped stops and
  cancelled trips over each process's network (`Network.live`, applied by `DayView`).

Rules (documented constants): walking at `geo.WALK_SPEED_M_S` (1.25 m/s) over the straight line
times `geo.WALK_DETOUR_FACTOR` (1.3); walking transfers between stops up to 500 m straight-line;
a same-stop change takes `gtfs.DEFAULT_CHANGE_S` (60 s) unless transfers.txt says otherwise, and so
does at least a change between two feeds' stops; footpaths of several steps with a transfers.txt
step (or a change between feeds) are chained up to `network.MAX_CHAIN_S` (10 min); staying seated
in a block needs no change time; a headway trip is planned with the whole headway as wait;
journeys take at most `network.MAX_JOURNEY_S` (4 h); a direct walk is offered up to twice the
walking limit; shifts are reached `commute.ARRIVE_EARLY` (10 min) before they start.
"""
