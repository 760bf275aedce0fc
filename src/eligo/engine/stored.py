"""Every trial of a store, compiled for matching once and kept on disk until the store changes.

    from eligo.engine.stored import stored_trial_set
    trials = stored_trial_set(store)          # a TrialSet; then match(patient, trials, top=10)

The first time, every current trial is read in bulk (``TrialStore.iter_with_criteria``), its
criteria parsed again when an older parser made them (and written back: see
:class:`Reparser`), and compiled as a :class:`~eligo.engine.trial_set.TrialSet` that keeps
only what ranking needs. That compiled part is written to the cache folder; later runs read it
back in a fraction of a second, and fetch from the store only the trials a match explains.

The cached copy is used only while it was made from this very database (its ``store_id``), at
its present generation (every save that changes trials counts one), by this parser
(``PARSER_VERSION``), for this expression language (``EXPRESSION_VERSION``) and by this code
and vocabulary (the files of ``eligo.engine``, ``eligo.vocab`` and ``eligo.model``: their
names, sizes and times). Anything else rebuilds it. A load during which the store changed is
not cached: it may have read some trials before the change and some after.

The cache folder is ``$ELIGO_CACHE`` if set (``off`` keeps no cache), else eligo's folder in
the user's cache directory. It holds pickles, which run code when read: it must be writable by
its user alone, as the user's cache directory is.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import gc
import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import eligo
from eligo.engine.plan import Planned, PlannedTrial
from eligo.engine.relevance import TrialConcepts
from eligo.engine.trial_set import CompiledTrials, Pair, TrialSet
from eligo.model import Criterion, Trial
from eligo.model.expression import EXPRESSION_VERSION

log = logging.getLogger(__name__)

#: Bump when the layout of what is pickled changes in a way the code fingerprint cannot see.
CACHE_FORMAT = 1
#: Fewer trials than this compile in well under a second: not worth a file.
MIN_CACHED = 200
#: Compiled sets kept in the cache folder (one per database), the least recently used dropped.
KEPT_FILES = 8
_PACKAGE = Path(eligo.__file__).parent
_FINGERPRINTED = ("engine", "vocab", "model")


class TrialSource(Protocol):
    """Where stored trials come from: :class:`eligo.store.TrialStore` is one."""

    url: str

    def state(self) -> Any: ...  # .store_id, .generation

    def iter_with_criteria(self, *, refresh: Any = None) -> Iterator[Pair]: ...

    def with_criteria(self, trial_ids: list[str], *, refresh: Any = None) -> dict[str, Pair]: ...

    def count(self) -> int: ...

    def stale_count(self, parser_version: int) -> int: ...


class Reparser:
    """Parses a trial's criteria with this eligo's parser (segmenting its eligibility text first
    when no criteria are stored): the store's ``refresh`` for criteria of an older parser. A
    trial the parser fails on keeps its stored criteria, with a warning naming it."""

    def __init__(self) -> None:
        from eligo.parse import PARSER_VERSION

        self.version: int = PARSER_VERSION

    def __call__(self, trial: Trial, criteria: list[Criterion] | None) -> list[Criterion] | None:
        from eligo.parse import parse_criteria

        was_collecting = gc.isenabled()
        gc.enable()  # parsing makes cyclic garbage, even while a load has paused the collector
        try:
            if criteria is None:
                from eligo.criteria import analyse

                criteria = analyse(trial).criteria
            return parse_criteria(criteria)
        except Exception as error:  # one trial's failure must not stop the others loading
            log.warning(
                "%s: criteria not parsed again (%s: %s)",
                trial.trial_id,
                type(error).__name__,
                error,
            )
            return None
        finally:
            if not was_collecting:
                gc.disable()


@contextmanager
def _paused_gc(freeze: bool, garbage: bool = False) -> Iterator[None]:
    """The collector off while a great many long-lived objects are made: the collections their
    allocation would set off cost more than making them, and find nothing (none is garbage).

    ``freeze``: what was made is then moved out of the collector's sight (``gc.freeze``): a
    compiled set lives as long as the process, and scanning its million objects costs a third
    of a second the first time the collector runs, and again at each full collection later.
    ``garbage``: first collect what was dropped meanwhile (each trial's criteria, once compiled:
    expression trees are cyclic), which would otherwise be kept for ever."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            if garbage:
                gc.collect()
            gc.freeze()
        if was_enabled:
            gc.enable()


def cache_folder() -> Path | None:
    """Where compiled trial sets are kept; None when ``$ELIGO_CACHE`` is ``off``."""
    configured = os.environ.get("ELIGO_CACHE")
    if configured:
        return None if configured.strip().lower() == "off" else Path(configured)
    from platformdirs import user_cache_path

    return user_cache_path("eligo") / "match"


def code_fingerprint() -> str:
    """Names, sizes and times of the files whose change may change a compiled set."""
    digest = hashlib.sha256(eligo.__version__.encode())
    for part in _FINGERPRINTED:
        for path in sorted((_PACKAGE / part).rglob("*")):
            if path.suffix in (".py", ".json", ".yaml", ".yml", ".tsv", ".csv", ".txt"):
                stat = path.stat()
                name = path.relative_to(_PACKAGE).as_posix()
                digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:24]


def cache_key(state: Any, parser_version: int) -> dict[str, Any]:
    return {
        "format": CACHE_FORMAT,
        "store_id": state.store_id,
        "generation": state.generation,
        "parser": parser_version,
        "expression": EXPRESSION_VERSION,
        "code": code_fingerprint(),
    }


def _cache_path(folder: Path, url: str) -> Path:
    return folder / f"trials-{hashlib.sha256(url.encode()).hexdigest()[:16]}.pickle"


def stored_trial_set(
    source: TrialSource,
    *,
    vocab: Any | None = None,
    cache: Path | None | bool = True,
    min_cached: int | None = None,
    timings: dict[str, float] | None = None,
    announce: Callable[[str], None] | None = None,
    freeze: bool = False,
) -> TrialSet:
    """Every current trial of ``source`` as a :class:`TrialSet` for :func:`eligo.engine.match`.

    ``cache``: True for :func:`cache_folder`, a folder, or False/None for none; a store of
    fewer than ``min_cached`` trials (default :data:`MIN_CACHED`) is compiled every time.
    ``timings``, if given, gets the seconds each step took (``cache_read``, ``load``,
    ``compile``, ``cache_write``) and ``cached`` (1.0 when the set came from the cache).
    ``announce`` is told, in a sentence for people, when the slow way is taken. ``freeze``
    keeps the loaded set out of the garbage collector's scans for the rest of the process
    (``gc.freeze``, see :func:`_paused_gc`): what a command or a server wants, once; it also
    keeps for ever any cyclic garbage the process holds at that moment."""
    steps = timings if timings is not None else {}
    refresh = Reparser()

    def fetch(trial_ids: list[str]) -> dict[str, Pair]:
        return source.with_criteria(trial_ids, refresh=refresh)

    state = source.state()
    key = cache_key(state, refresh.version)
    folder = cache_folder() if cache is True else (cache or None)
    path = _cache_path(folder, source.url) if folder is not None else None
    if path is not None:
        started = time.perf_counter()
        compiled = _read(path, key, freeze)
        steps["cache_read"] = time.perf_counter() - started
        if compiled is not None:
            steps["cached"] = 1.0
            return TrialSet.from_compiled(compiled, fetch, vocab=vocab)
    steps["cached"] = 0.0
    count, stale = source.count(), source.stale_count(refresh.version)
    kept = path is not None and count >= (MIN_CACHED if min_cached is None else min_cached)
    if announce is not None and (kept or stale):
        announce(_compiling(count, stale, kept))
    # a set too small to cache is too small to be worth keeping out of the collector's sight
    trial_set = _compile(source, refresh, fetch, vocab, steps, freeze and kept)
    if path is not None and kept:
        if source.state() == state:
            started = time.perf_counter()
            _write(path, key, trial_set.compiled())
            steps["cache_write"] = time.perf_counter() - started
        else:
            log.info("%s changed while it was read: the compiled trials are not kept", source.url)
    return trial_set


def _compiling(count: int, stale: int, kept: bool) -> str:
    message = f"Compiling {count} stored trials for matching"
    message += " (kept until the database changes)" if kept else ""
    if stale:
        message += f"; parsing the criteria of {stale} again (stored by an older parser)"
    return message + "…"


def _compile(
    source: TrialSource,
    refresh: Reparser,
    fetch: Any,
    vocab: Any,
    steps: dict[str, float],
    freeze: bool,
) -> TrialSet:
    loading = 0.0

    def timed() -> Iterator[Pair]:
        nonlocal loading
        items = source.iter_with_criteria(refresh=refresh)
        while True:
            started = time.perf_counter()
            item = next(items, None)
            loading += time.perf_counter() - started
            if item is None:
                return
            yield item

    started = time.perf_counter()
    with _paused_gc(freeze, garbage=True):
        trial_set = TrialSet.streamed(timed(), fetch, vocab=vocab)
    steps["load"] = loading
    steps["compile"] = time.perf_counter() - started - loading
    return trial_set


def _read(path: Path, key: dict[str, Any], freeze: bool) -> CompiledTrials | None:
    try:
        with path.open("rb") as handle:
            if pickle.load(handle) != key:
                return None
            with _paused_gc(freeze):
                compiled = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as error:  # a damaged or foreign file is rebuilt, never trusted
        log.warning("%s: compiled trials unreadable (%s); compiling again", path, error)
        return None
    if not isinstance(compiled, CompiledTrials):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used: the last to be dropped (see _prune)
    return compiled


def _write(path: Path, key: dict[str, Any], compiled: CompiledTrials) -> None:
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".trials-")
        with os.fdopen(descriptor, "wb") as handle:
            _dump(handle, key, compiled)
        os.replace(temporary, path)  # readers see the old file or the new one, never half
        _prune(path.parent)
    except (OSError, pickle.PicklingError) as error:
        log.warning("%s: cannot keep the compiled trials (%s)", path, error)
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Keep the :data:`KEPT_FILES` most recently used sets: databases come and go."""
    found = []
    for path in folder.glob("trials-*.pickle"):
        with contextlib.suppress(OSError):
            found.append((path.stat().st_mtime, path))
    for _, path in sorted(found, reverse=True)[KEPT_FILES:]:
        path.unlink(missing_ok=True)


def _dump(handle: BinaryIO, key: dict[str, Any], compiled: CompiledTrials) -> None:
    pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
    pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _COMPACT
    pickler.dump(compiled)


# The many small objects of a compiled set pickled as a call of their class with their fields:
# smaller than the default (no field names) and read back about twice as fast.
def _as_call(kind: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = [field.name for field in dataclasses.fields(kind)]
    return lambda item: (kind, tuple(getattr(item, name) for name in names))


_COMPACT = copyreg.dispatch_table.copy()
for _kind in (Planned, PlannedTrial, TrialConcepts):
    _COMPACT[_kind] = _as_call(_kind)
