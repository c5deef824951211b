"""Small GTFS feeds for the transit tests, written as zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

# A line A -> B -> C -> D along an east-west street in Genk (about 800 m between stops), a second
# line from C northwards to E, a station S (location_type 1) with platform P1 near C.
SMALL = {
    "agency.txt": "\ufeffagency_id,agency_name,agency_url,agency_timezone\r\n"
                  "DL,De Lijn,https://delijn.be,Europe/Brussels\r\n",
    "stops.txt": "\ufeffstop_id,stop_name,stop_lat,stop_lon,location_type,parent_station,extra\r\n"
                 "A,\"Genk, Station\",50.9650,5.5000,,,x\r\n"
                 "B,Genk Markt,50.9650,5.5115,0,,\r\n"
                 "C,Genk Zuid,50.9650,5.5230,,S,\r\n"
                 "D,Genk Oost,50.9650,5.5345,,,\r\n"
                 "E,Zwartberg,50.9850,5.5230,,,\r\n"
                 "S,Station Zuid,50.9652,5.5232,1,,\r\n"
                 "P1,Station Zuid perron 1,50.9653,5.5234,0,S,\r\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\r\n"
                  "R1,DL,1,\"Genk Station - Oost\",3\r\n"
                  "R2,DL,,Zwartberg,3\r\n",
    "trips.txt": "route_id,service_id,trip_id,trip_headsign,direction_id\r\n"
                 "R1,WK,T1,Oost,0\r\n"
                 "R1,WK,T2,Oost,0\r\n"
                 "R1,WK,TNIGHT,Oost,0\r\n"
                 "R2,WK,T3,Zwartberg,0\r\n"
                 "R2,HOL,T4,Zwartberg,0\r\n",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\r\n"
                      "T1,7:00:00,7:00:00,A,1\r\n"
                      "T1,,,B,2\r\n"
                      "T1,07:10:00,07:10:00,C,3\r\n"
                      "T1,07:15:00,07:15:00,D,4\r\n"
                      "T2,08:00:00,08:00:00,A,1\r\n"
                      "T2,08:05:00,08:05:00,B,2\r\n"
                      "T2,08:10:00,08:10:00,C,3\r\n"
                      "T2,08:15:00,08:15:00,D,4\r\n"
                      "T3,07:20:00,07:20:00,P1,1\r\n"
                      "T3,07:30:00,07:30:00,E,2\r\n"
                      "TNIGHT,24:20:00,24:20:00,A,1\r\n"
                      "TNIGHT,24:35:00,24:35:00,D,2\r\n"
                      "T4,09:00:00,09:00:00,P1,1\r\n"
                      "T4,09:10:00,09:10:00,E,2\r\n",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\r\n"
                    "WK,1,1,1,1,1,0,0,20270104,20270129\r\n",
    "calendar_dates.txt": "service_id,date,exception_type\r\n"
                          "WK,20270111,2\r\n"
                          "HOL,20270111,1\r\n",
    "transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\r\n"
                     "C,P1,2,300\r\n",
}


def write_feed(path: Path, files: dict[str, str], folder: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(folder + name, text.encode("utf-8"))
    return path


def live_feed(today) -> dict[str, str]:
    """The SMALL network with buses every 30 minutes, every day from two days ago for a month."""
    import datetime as dt

    def hms(s: int) -> str:
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"

    trips, times = ["route_id,service_id,trip_id,trip_headsign\n"], ["trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"]
    for n, start in enumerate(range(5 * 3600, 24 * 3600, 1800)):
        trips.append(f"R1,ALL,L{n},Oost\nR2,ALL,Z{n},Zwartberg\n")
        for k, stop in enumerate("ABCD"):
            times.append(f"L{n},{hms(start + 300 * k)},{hms(start + 300 * k)},{stop},{k + 1}\n")
        times.append(f"Z{n},{hms(start + 1200)},{hms(start + 1200)},P1,1\nZ{n},{hms(start + 1800)},{hms(start + 1800)},E,2\n")
    first, last = today - dt.timedelta(days=2), today + dt.timedelta(days=30)
    files = dict(SMALL)
    files.update({
        "trips.txt": "".join(trips), "stop_times.txt": "".join(times),
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        f"ALL,1,1,1,1,1,1,1,{first:%Y%m%d},{last:%Y%m%d}\n",
        "calendar_dates.txt": "service_id,date,exception_type\n",
    })
    return files
