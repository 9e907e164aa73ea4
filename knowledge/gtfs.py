"""Static GTFS index: agencies, routes, stops, service calendars and compact trips/stop_times."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import pickle
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from knowledge.errors import GtfsError

log = logging.getLogger(__name__)

# GTFS route_type values we name in replies; extended types (100-1799) fall back to "line".
_ROUTE_KIND = {0: "tram", 1: "metro", 2: "rail", 3: "bus", 4: "ferry", 5: "cable", 6: "gondola", 7: "funicular"}
_KIND_LABEL = {
    "it": {"tram": "tram", "metro": "metro", "rail": "treno", "bus": "bus", "ferry": "traghetto",
           "cable": "tram a fune", "gondola": "funivia", "funicular": "funicolare", "line": "linea"},
    "en": {"tram": "Tram", "metro": "Metro", "rail": "Train", "bus": "Bus", "ferry": "Ferry",
           "cable": "Cable car", "gondola": "Gondola", "funicular": "Funicular", "line": "Line"},
}
_CACHE_VERSION = 2  # 2: stop names in other languages (translations.txt)
_NO_TIME = -1


@dataclass(frozen=True, slots=True)
class Agency:
    """An operator from agency.txt."""

    agency_id: str
    name: str
    url: str
    timezone: str
    lang: str
    phone: str


@dataclass(frozen=True, slots=True)
class Route:
    """A line from routes.txt."""

    route_id: str
    agency_id: str
    short_name: str
    long_name: str
    route_type: int

    @property
    def kind(self) -> str:
        """'metro', 'tram', 'bus', ... or 'line' for types we do not name."""
        return _ROUTE_KIND.get(self.route_type, "line")

    @property
    def display_name(self) -> str:
        """What citizens call the line: the metro letter ("A" for "Metro A"), else the short name."""
        if self.kind == "metro":
            for prefix in ("metro ", "metropolitana ", "linea "):
                if self.long_name.lower().startswith(prefix):
                    return self.long_name[len(prefix):].strip()
        return self.short_name or self.long_name or self.route_id

    def label(self, lang: str = "it") -> str:
        """A human name: "metro A" / "Metro A", "tram 8", "bus 64", "linea X" / "Line X"."""
        words = _KIND_LABEL.get(lang, _KIND_LABEL["en"])
        return f"{words[self.kind]} {self.display_name}"


@dataclass(frozen=True, slots=True)
class Stop:
    """A stop, platform, station or entrance from stops.txt (names are whitespace-stripped)."""

    stop_id: str
    code: str
    name: str
    lat: float
    lon: float
    parent_station: str
    location_type: int = 0


@dataclass(frozen=True, slots=True)
class Trip:
    """One scheduled trip with its stops in order; times are seconds after midnight of the service day."""

    trip_id: str
    route_id: str
    service_id: str
    direction_id: int | None
    headsign: str
    stop_ids: tuple[str, ...]
    arrivals: tuple[int | None, ...]

    @property
    def first_departure(self) -> int | None:
        """Seconds after midnight of the service day of the first timed stop (may exceed 86400)."""
        return next((t for t in self.arrivals if t is not None), None)


@dataclass(frozen=True, slots=True)
class _Service:
    weekdays: tuple[bool, ...]  # Monday first
    start: date
    end: date


class GtfsIndex:
    """Lookups over one static feed. Build with `GtfsIndex.load`; instances are read-only."""

    _memo: dict[tuple[str, int, int], GtfsIndex] = {}

    def __init__(self, source: str) -> None:
        self.source = source
        self.agencies: dict[str, Agency] = {}
        self.routes: dict[str, Route] = {}
        self.stops: dict[str, Stop] = {}
        self._by_name: dict[str, tuple[str, ...]] = {}
        self._by_code: dict[str, str] = {}
        self._stop_translations: dict[str, tuple[str, ...]] = {}  # stops.txt name -> its names in other languages
        self._services: dict[str, _Service] = {}
        self._exceptions: dict[str, dict[date, int]] = {}
        # trips: parallel lists; stop_times: flat compact arrays sliced per trip
        self._trip_ids: list[str] = []
        self._trip_row: dict[str, int] = {}
        self._trip_route: list[str] = []
        self._trip_service: list[str] = []
        self._trip_direction = array("b")
        self._trip_headsign: list[str] = []
        self._trip_start = array("l")
        self._trip_len = array("l")
        self._stop_keys: list[str] = []
        self._st_stop = array("l")
        self._st_arrival = array("l")
        self._route_trips: dict[str, list[int]] = {}

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> GtfsIndex:
        """An index with no lines and no stops: a service without a transit network."""
        return cls("")

    @classmethod
    def load(cls, path: str | Path, cache_dir: str | Path | None = None,
             translations: str | Path | None = None) -> GtfsIndex:
        """Load a feed from a folder or a .zip, memoised in-process by path and mtime.

        With `cache_dir`, a pickle of the built index is kept there and reused while the source's
        mtime and size are unchanged. `translations`: a file in the format of GTFS ``translations.txt`` whose stop
        names in other languages are added to the feed's own (an operator's names for tourists, where the feed
        has none).
        """
        p = Path(path)
        try:
            st = p.stat()
        except OSError as exc:
            msg = f"GTFS feed not found: {p}"
            raise GtfsError(msg) from exc
        mtime = max([st.st_mtime_ns] + ([f.stat().st_mtime_ns for f in p.iterdir()] if p.is_dir() else []))
        extra = Path(translations) if translations else None
        if extra is not None:
            try:
                mtime = max(mtime, extra.stat().st_mtime_ns)
            except OSError as exc:
                msg = f"stop names file not found: {extra}"
                raise GtfsError(msg) from exc
        key = (str(p.resolve()) + (f"+{extra.resolve()}" if extra else ""), mtime, st.st_size)
        if key in cls._memo:
            return cls._memo[key]
        index = cls._from_pickle(cache_dir, key) if cache_dir else None
        if index is None:
            index = cls._build(p, extra)
            if cache_dir:
                cls._to_pickle(index, cache_dir, key)
        cls._memo[key] = index
        return index

    @staticmethod
    def _pickle_path(cache_dir: str | Path, key: tuple[str, int, int]) -> Path:
        digest = hashlib.sha256(repr((key, _CACHE_VERSION)).encode()).hexdigest()[:20]
        return Path(cache_dir) / f"gtfs-{digest}.pickle"

    @classmethod
    def _from_pickle(cls, cache_dir: str | Path, key: tuple[str, int, int]) -> GtfsIndex | None:
        target = cls._pickle_path(cache_dir, key)
        if not target.exists():
            return None
        try:
            with target.open("rb") as fh:
                index = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            log.warning("ignoring unreadable GTFS cache %s: %s", target, exc)
            return None
        return index if isinstance(index, GtfsIndex) else None

    @classmethod
    def _to_pickle(cls, index: GtfsIndex, cache_dir: str | Path, key: tuple[str, int, int]) -> None:
        target = cls._pickle_path(cache_dir, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(target)
        except OSError as exc:
            log.warning("could not write GTFS cache %s: %s", target, exc)

    @classmethod
    def _build(cls, path: Path, translations: Path | None = None) -> GtfsIndex:
        index = cls(str(path))
        if path.is_dir() and not any(path.iterdir()):
            msg = f"{path}: the folder is empty (no routes.txt, stops.txt)"
            raise GtfsError(msg)
        with _FeedFiles(path) as files:
            for required in ("routes.txt", "stops.txt"):
                if not files.has(required):
                    msg = f"{path}: {required} is missing"
                    raise GtfsError(msg)
            index._read_agencies(files)
            index._read_routes(files)
            index._read_stops(files)
            index._read_calendar(files)
            if files.has("trips.txt"):
                index._read_trips(files)
                if files.has("stop_times.txt"):
                    index._read_stop_times(files)
            index._read_translations(files.rows("translations.txt"), f"{path}/translations.txt")
        if translations is not None:
            with _FeedFiles(translations.parent) as files:
                index._read_translations(files.rows(translations.name), str(translations))
        return index

    def _read_agencies(self, files: _FeedFiles) -> None:
        for row in files.rows("agency.txt"):
            agency = Agency(row.get("agency_id", ""), row.get("agency_name", ""), row.get("agency_url", ""),
                            row.get("agency_timezone", ""), row.get("agency_lang", ""), row.get("agency_phone", ""))
            self.agencies[agency.agency_id] = agency

    def _read_routes(self, files: _FeedFiles) -> None:
        only_agency = next(iter(self.agencies)) if len(self.agencies) == 1 else ""
        for row in files.rows("routes.txt"):
            route = Route(row["route_id"], row.get("agency_id") or only_agency, row.get("route_short_name", ""),
                          row.get("route_long_name", ""), _int(row.get("route_type"), 3))
            self.routes[route.route_id] = route

    def _read_stops(self, files: _FeedFiles) -> None:
        by_name: dict[str, list[str]] = {}
        for row in files.rows("stops.txt"):
            stop = Stop(row["stop_id"], row.get("stop_code", "").strip(), row.get("stop_name", "").strip(),
                        _float(row.get("stop_lat")), _float(row.get("stop_lon")),
                        row.get("parent_station", "").strip(), _int(row.get("location_type"), 0))
            self.stops[stop.stop_id] = stop
            by_name.setdefault(stop.name.casefold(), []).append(stop.stop_id)
            if stop.code:
                self._by_code.setdefault(stop.code, stop.stop_id)
        self._by_name = {name: tuple(ids) for name, ids in by_name.items()}

    def _read_translations(self, rows: Iterator[dict[str, str]], where: str) -> None:
        """Stop names in other languages from rows of GTFS ``translations.txt`` (``table_name`` stops,
        ``field_name`` stop_name; the stop by ``record_id`` or every stop named ``field_value``). Other tables
        and fields are not read; a row naming no stop of the feed is skipped and counted in a warning."""
        found: dict[str, list[str]] = {name: list(names) for name, names in self._stop_translations.items()}
        unknown = 0
        for row in rows:
            if row.get("table_name", "").strip() != "stops" or row.get("field_name", "").strip() != "stop_name":
                continue
            translation = row.get("translation", "").strip()
            record = self.stops.get(row.get("record_id", "").strip())
            named = self.stops_named(row.get("field_value", "")) if record is None else [record]
            if not translation or not named:
                unknown += bool(translation)
                continue
            names = found.setdefault(named[0].name, [])
            if translation not in names:
                names.append(translation)
        if unknown:
            log.warning("%s: %d stop name translations name no stop of the feed (record_id or field_value)",
                        where, unknown)
        self._stop_translations = {name: tuple(names) for name, names in found.items()}

    def _read_calendar(self, files: _FeedFiles) -> None:
        days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        for row in files.rows("calendar.txt"):
            self._services[row["service_id"]] = _Service(
                tuple(row.get(d, "0").strip() == "1" for d in days),
                _date(row["start_date"]), _date(row["end_date"]))
        for row in files.rows("calendar_dates.txt"):
            self._exceptions.setdefault(row["service_id"], {})[_date(row["date"])] = _int(row["exception_type"], 0)

    def _read_trips(self, files: _FeedFiles) -> None:
        for row in files.rows("trips.txt"):
            trip_id = row["trip_id"]
            self._trip_row[trip_id] = len(self._trip_ids)
            self._trip_ids.append(trip_id)
            self._trip_route.append(row["route_id"])
            self._trip_service.append(row["service_id"])
            self._trip_direction.append(_int(row.get("direction_id"), -1))
            self._trip_headsign.append(row.get("trip_headsign", ""))
            self._route_trips.setdefault(row["route_id"], []).append(len(self._trip_ids) - 1)

    def _read_stop_times(self, files: _FeedFiles) -> None:
        """Read stop_times into flat arrays grouped by trip, never one object per row."""
        stop_key: dict[str, int] = {}
        trip_col = array("l")
        seq_col = array("l")
        stop_col = array("l")
        arr_col = array("l")
        sorted_already = True
        last = (-1, -1)
        wanted = ("trip_id", "stop_sequence", "stop_id", "arrival_time", "departure_time")
        for trip_id, seq_text, sid, arrival, departure in files.columns("stop_times.txt", wanted):
            trip = self._trip_row.get(trip_id)
            if trip is None:
                continue
            seq = _int(seq_text, 0)
            if (trip, seq) < last:
                sorted_already = False
            last = (trip, seq)
            key = stop_key.get(sid)
            if key is None:
                key = stop_key[sid] = len(self._stop_keys)
                self._stop_keys.append(sid)
            when = _seconds(arrival or departure)
            trip_col.append(trip)
            seq_col.append(seq)
            stop_col.append(key)
            arr_col.append(when)
        order: Any = range(len(trip_col))
        if not sorted_already:
            order = sorted(order, key=lambda i: (trip_col[i], seq_col[i]))
        self._trip_start = array("l", [0] * len(self._trip_ids))
        self._trip_len = array("l", [0] * len(self._trip_ids))
        current = -1
        for pos, i in enumerate(order):
            trip = trip_col[i]
            if trip != current:
                self._trip_start[trip] = pos
                current = trip
            self._trip_len[trip] += 1
            self._st_stop.append(stop_col[i])
            self._st_arrival.append(arr_col[i])

    # ---- lookups ---------------------------------------------------------------------------
    def route(self, route_id: str) -> Route | None:
        """The route with this id, or None."""
        return self.routes.get(route_id)

    def stop(self, stop_id: str) -> Stop | None:
        """The stop with this id, or None."""
        return self.stops.get(stop_id)

    def stop_by_code(self, code: str) -> Stop | None:
        """The stop whose stop_code (the number on the pole) is `code`, or None."""
        sid = self._by_code.get(code.strip())
        return self.stops.get(sid) if sid else None

    def stops_named(self, name: str) -> list[Stop]:
        """Every stop whose name equals `name`, ignoring case and surrounding spaces."""
        return [self.stops[s] for s in self._by_name.get(name.strip().casefold(), ())]

    def stop_translations(self) -> dict[str, tuple[str, ...]]:
        """Stop name (as in stops.txt) -> its names in other languages and scripts (GTFS translations.txt)."""
        return dict(self._stop_translations)

    def stop_names(self) -> dict[str, tuple[str, ...]]:
        """Case-folded stop name -> stop_ids sharing it."""
        return dict(self._by_name)

    def agency_of(self, route_id: str) -> Agency | None:
        """The agency running a route, or None."""
        route = self.routes.get(route_id)
        return self.agencies.get(route.agency_id) if route else None

    # ---- calendar and trips ------------------------------------------------------------------
    def service_active(self, service_id: str, day: date) -> bool:
        """Whether a service runs on `day`: calendar_dates exceptions first, then calendar.txt."""
        if isinstance(day, datetime):
            day = day.date()
        exception = self._exceptions.get(service_id, {}).get(day)
        if exception == 1:
            return True
        if exception == 2:
            return False
        service = self._services.get(service_id)
        return bool(service and service.start <= day <= service.end and service.weekdays[day.weekday()])

    def has_trips(self) -> bool:
        """Whether the feed carried trips.txt."""
        return bool(self._trip_ids)

    def trip(self, trip_id: str) -> Trip | None:
        """One trip with its stop sequence, or None."""
        row = self._trip_row.get(trip_id)
        return None if row is None else self._trip_at(row)

    def trips_for_route_on(self, route_id: str, day: date) -> list[Trip]:
        """The trips of a route scheduled on `day`, ordered by first departure."""
        trips = [self._trip_at(r) for r in self._route_trips.get(route_id, ())
                 if self.service_active(self._trip_service[r], day)]
        return sorted(trips, key=lambda t: (t.first_departure is None, t.first_departure or 0, t.trip_id))

    def trip_count_on(self, route_id: str, day: date) -> int:
        """How many trips of a route are scheduled on `day` (without building them)."""
        active: dict[str, bool] = {}
        count = 0
        for r in self._route_trips.get(route_id, ()):
            service = self._trip_service[r]
            runs = active.get(service)
            if runs is None:
                runs = active[service] = self.service_active(service, day)
            count += runs
        return count

    def _trip_at(self, row: int) -> Trip:
        start = self._trip_start[row] if self._trip_start else 0
        end = start + (self._trip_len[row] if self._trip_len else 0)
        direction = self._trip_direction[row]
        return Trip(
            trip_id=self._trip_ids[row],
            route_id=self._trip_route[row],
            service_id=self._trip_service[row],
            direction_id=None if direction < 0 else direction,
            headsign=self._trip_headsign[row],
            stop_ids=tuple(self._stop_keys[k] for k in self._st_stop[start:end]),
            arrivals=tuple(None if t == _NO_TIME else t for t in self._st_arrival[start:end]),
        )


class _FeedFiles:
    """Reads the CSV files of a feed held in a folder or a zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}

    def __enter__(self) -> _FeedFiles:
        if self.path.is_dir():
            self._names = {p.name: str(p) for p in self.path.iterdir() if p.is_file()}
        else:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as exc:
                msg = f"{self.path} is neither a GTFS folder nor a readable zip"
                raise GtfsError(msg) from exc
            self._names = {Path(n).name: n for n in self._zip.namelist() if not n.endswith("/")}
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()

    def has(self, name: str) -> bool:
        return name in self._names

    def columns(self, name: str, wanted: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        """Tuples of the `wanted` columns (empty string for a missing column), without a dict per row."""
        if name not in self._names:
            return
        with self._open(name) as text:
            reader = csv.reader(text)
            header = [h.strip() for h in next(reader, [])]
            where = [header.index(w) if w in header else -1 for w in wanted]
            for values in reader:
                if values:
                    yield tuple(values[i].strip() if 0 <= i < len(values) else "" for i in where)

    def _open(self, name: str) -> io.TextIOWrapper:
        raw = self._zip.open(self._names[name]) if self._zip else open(self._names[name], "rb")  # noqa: SIM115
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    def rows(self, name: str) -> Iterator[dict[str, str]]:
        """Rows of one file as dicts with stripped header names; nothing if the file is absent."""
        if name not in self._names:
            return
        with self._open(name) as text:
            reader = csv.reader(text)
            header = [h.strip() for h in next(reader, [])]
            width = len(header)
            for values in reader:
                if not values:
                    continue
                if len(values) < width:
                    values = values + [""] * (width - len(values))
                yield dict(zip(header, values))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def _float(value: str | None) -> float:
    try:
        return float(value) if value else 0.0
    except ValueError:
        return 0.0


def _date(value: str) -> date:
    value = value.strip()
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError as exc:
        msg = f"bad GTFS date {value!r}"
        raise GtfsError(msg) from exc


def _seconds(value: str) -> int:
    """'25:10:00' -> 90600; empty or malformed -> _NO_TIME."""
    parts = value.strip().split(":")
    if len(parts) != 3:
        return _NO_TIME
    try:
        h, m, s = (int(p) for p in parts)
    except ValueError:
        return _NO_TIME
    return h * 3600 + m * 60 + s
