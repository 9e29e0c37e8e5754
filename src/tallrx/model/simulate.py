"""Conditions -> parameters -> pre-equilibrated simulations -> the ``timecourse`` table.

Protocol of every virtual well (paper Methods: cells are induced, then treated):

1. **Pre-equilibration**: the well's line (genotype, doxycycline induction, patient parameters)
   without IL7 and without drugs is brought to its steady state (viable cells held at 1).
2. **Treatment** at t = 0: IL7 and the drugs are added and the model runs for the requested hours.
3. The fold-change observables divide by the steady state of the same line uninduced and
   untreated (doxycycline 0, no IL7, no drugs).

Conditions are a table with one row per well: ``genotype`` (default parental), ``dox`` (0/1),
``il7`` (ng/ml), one column per drug (uM; names as in :data:`tallrx.model.genotypes.DRUGS`) and
optional ``p.<parameter>`` columns that override a model parameter for that row (a virtual
patient). Other columns (sample, replicate, ...) are carried into the output unchanged.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from tallrx._result import Result
from tallrx.errors import DegenerateDataWarning, InputError, did_you_mean
from tallrx.model import observables as obs
from tallrx.model.genotypes import DRUGS, GENOTYPE_FLAGS, normalize_drug, normalize_genotype
from tallrx.model.network import NETWORK
from tallrx.model.solvers.engines import ENGINES, make_engine
from tallrx.schema import validate

DEFAULT_HOURS = (0.0, 0.5, 24.0, 96.0)
#: longest simulated treatment (h): one year; the paper's assays last four days, and far beyond
#: a year the model (no medium change, no nutrient limit) says nothing about cells
MAX_HOURS = 8760.0
TREATMENT_INPUTS = ("il7", *DRUGS)
PARAM_PREFIX = "p."
CHUNK = 4096  # wells per vectorized batch (fits the CPU caches well)

__all__ = [
    "simulate",
    "simulate_batch",
    "simulate_states",
    "conditions_to_parameters",
    "check_hours",
    "DEFAULT_HOURS",
    "MAX_HOURS",
]


# ------------------------------------------------------------------ conditions -> parameters
def _numeric(df: pd.DataFrame, col: str, where: str, low: float = 0.0, high=np.inf) -> np.ndarray:
    raw = df[col]
    if pd.api.types.is_bool_dtype(raw):
        vals = raw.astype(float).to_numpy()
    else:
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(vals) | (vals < low) | (vals > high)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: row {i + 1}, column '{col}' holds {raw.iloc[i]!r}; expected "
            f"a number between {low:g} and {high:g}"
        )
    return vals


def drug_columns(columns: Iterable[str], where: str = "conditions") -> dict[str, str]:
    """Map condition columns that name drugs to canonical drug names.

    A column that looks like a misspelled drug (close to a drug name, but not one) is an error,
    so a typo never silently runs an untreated well.
    """
    out = {}
    for c in columns:
        c = str(c)
        if c.startswith(PARAM_PREFIX):
            continue
        try:
            out[c] = normalize_drug(c)
        except InputError:
            key = c.lower().replace("-", "").replace("_", "")
            close = [
                d
                for d in DRUGS
                if abs(len(d) - len(key)) <= 2
                and difflib.SequenceMatcher(None, d, key).ratio() >= 0.8
            ]
            if close:
                raise InputError(
                    f"{where}: column '{c}' is not a known drug. Did you mean "
                    f"'{close[0]}'? (drug columns hold concentrations in uM)"
                ) from None
    return out


def conditions_to_parameters(
    conditions: pd.DataFrame,
    params: Mapping[str, float] | None = None,
    *,
    where: str = "conditions",
) -> np.ndarray:
    """(n_parameters, n_rows) parameter matrix of a conditions table (see module docstring)."""
    net = NETWORK
    W = len(conditions)
    P = np.repeat(net.parameter_values[:, None], W, axis=1)
    pidx = net.parameter_index
    for name, value in (params or {}).items():
        net.parameter(name)  # raises with a suggestion when unknown
        P[pidx[name]] = float(value)
    if "genotype" in conditions:
        for i, g in enumerate(conditions["genotype"].astype("object")):
            if g is None or (isinstance(g, float) and np.isnan(g)) or g == "":
                continue
            flag = GENOTYPE_FLAGS[normalize_genotype(g, where=f"{where}: row {i + 1}")]
            if flag:
                P[pidx[flag], i] = 1.0
    if "dox" in conditions:
        P[pidx["dox"]] = _numeric(conditions, "dox", where, 0.0, 1.0)
    if "il7" in conditions:
        P[pidx["il7"]] = _numeric(conditions, "il7", where)
    for col, drug in drug_columns(conditions.columns, where).items():
        P[pidx[drug]] = _numeric(conditions, col, where)
    for col in conditions.columns:
        col = str(col)
        if col.startswith(PARAM_PREFIX):
            name = col[len(PARAM_PREFIX) :]
            try:
                net.parameter(name)
            except Exception as exc:
                raise InputError(f"{where}: column '{col}': {exc}") from None
            P[pidx[name]] = _numeric(conditions, col, where, -np.inf)
    return P


def untreated(P: np.ndarray, *, uninduced: bool = False) -> np.ndarray:
    """Copy of ``P`` without IL7 and drugs (and without doxycycline when ``uninduced``)."""
    Q = P.copy()
    for name in TREATMENT_INPUTS + (("dox",) if uninduced else ()):
        Q[NETWORK.parameter_index[name]] = 0.0
    return Q


# ------------------------------------------------------------------ running (local or mapped)
@functools.lru_cache(maxsize=4)
def _engine(name: str, rtol: float | None):
    """One engine per process (workers build theirs once, on first use)."""
    return make_engine(name, **({} if rtol is None else {"rtol": rtol}))


def _run_chunk(task: tuple) -> tuple[np.ndarray, dict[int, str]]:
    """Worker entry point: (engine name, rtol, P chunk, y0 chunk, hours) -> (states, failures)."""
    name, rtol, P, y0, hours = task
    eng = _engine(name, rtol)
    return eng.run(P, y0, hours), dict(eng.failures)


def _steady_chunk(task: tuple) -> tuple[np.ndarray, dict[int, str]]:
    name, rtol, P = task
    eng = _engine(name, rtol)
    return eng.steady_state(P), dict(eng.failures)


def _gather(parts: list, axis: int) -> tuple[np.ndarray, dict[int, str]]:
    """Concatenate chunk results; failure keys become batch columns."""
    failures, start = {}, 0
    for arr, fails in parts:
        failures.update({start + k: v for k, v in fails.items()})
        start += arr.shape[axis]
    return np.concatenate([a for a, _ in parts], axis=axis), failures


#: mappers installed by :func:`mapping` (innermost last); used when a call passes none
_MAPPERS: list[Callable] = []


@contextlib.contextmanager
def mapping(mapper: Callable) -> Iterator[None]:
    """Inside the block, every simulation chunk map without its own ``mapper`` uses ``mapper``
    (e.g. :func:`tallrx.parallel.mapper` of a Dask client; front ends only)."""
    _MAPPERS.append(mapper)
    try:
        yield
    finally:
        _MAPPERS.remove(mapper)


def _map(fn: Callable, tasks: list, jobs: int, mapper: Callable | None) -> list:
    """Map ``fn`` over tasks: in-process, a local process pool, or any ``mapper(fn, tasks)``
    (e.g. ``lambda f, xs: client.gather(client.map(f, xs))`` for a Dask cluster)."""
    mapper = mapper or (_MAPPERS[-1] if _MAPPERS else None)
    if mapper is not None:
        return list(mapper(fn, tasks))
    if jobs <= 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        return list(pool.map(fn, tasks))


def _chunks(W: int, jobs: int) -> list[slice]:
    n = max(int(np.ceil(W / CHUNK)), min(jobs, W), 1)
    edges = np.linspace(0, W, n + 1).round().astype(int)
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def steady_states(
    P: np.ndarray,
    *,
    engine: str = "batched",
    rtol: float | None = None,
    jobs: int = 1,
    mapper: Callable | None = None,
    failures: dict[int, str] | None = None,
) -> np.ndarray:
    """Steady state of every column of ``P`` (identical columns are solved once).

    A column that could not be solved is NaN; its reason goes into ``failures`` (if given).
    """
    uniq, inverse = np.unique(P, axis=1, return_inverse=True)
    tasks = [(engine, rtol, uniq[:, s]) for s in _chunks(uniq.shape[1], jobs)]
    solved, bad = _gather(_map(_steady_chunk, tasks, jobs, mapper), axis=1)
    inverse = inverse.ravel()
    if failures is not None:
        for w in np.flatnonzero(np.isin(inverse, list(bad))):
            failures[int(w)] = "pre-equilibration: " + bad[int(inverse[w])]
    return solved[:, inverse]


def check_hours(hours: Sequence[float], where: str = "hours") -> np.ndarray:
    """Sorted unique output times (h): finite, non-negative and at most :data:`MAX_HOURS`."""
    try:
        vals = np.asarray(sorted({float(h) for h in hours}), dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{where}: expected numbers of hours, got {list(hours)!r}") from None
    if vals.size == 0 or not np.all(np.isfinite(vals)) or vals[0] < 0 or vals[-1] > MAX_HOURS:
        shown = ", ".join(f"{h:g}" for h in vals) or "nothing"
        raise InputError(
            f"{where}: got {shown}; output times must be finite, non-negative hours up to "
            f"{MAX_HOURS:g} (one year), e.g. 0.5,24,96"
        )
    return vals


def simulate_states(
    P: np.ndarray,
    hours: Sequence[float] = DEFAULT_HOURS,
    *,
    engine: str = "batched",
    rtol: float | None = None,
    jobs: int = 1,
    mapper: Callable | None = None,
    failures: dict[int, str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run the protocol for each column of ``P``.

    Returns ``(states, reference)``: states (len(hours), n_species, W) and the uninduced,
    untreated steady states (n_species, W) used as the baseline of fold changes.

    A well that cannot be integrated (see :mod:`.solvers.engines`) is NaN and never stops the batch.
    Its reason goes into ``failures`` {column: message} when a dict is given; otherwise a
    :class:`DegenerateDataWarning` says how many wells failed and why.
    """
    if engine not in ENGINES:
        raise InputError(
            f"unknown engine '{engine}'; use one of {', '.join(ENGINES)}."
            f"{did_you_mean(engine, ENGINES)}"
        )
    hours = check_hours(hours)
    W = P.shape[1]
    pre, ref = untreated(P), untreated(P, uninduced=True)
    fails: dict[int, str] = {}
    both = steady_states(
        np.concatenate([pre, ref], axis=1),
        engine=engine,
        rtol=rtol,
        jobs=jobs,
        mapper=mapper,
        failures=fails,
    )
    fails = {
        w % W: ("uninduced reference " if w >= W else "") + m
        for w, m in sorted(fails.items(), reverse=True)  # a well's own failure wins
    }
    y0, y_ref = both[:, :W], both[:, W:]
    run_hours = hours if hours[0] == 0.0 else np.concatenate([[0.0], hours])
    tasks = [(engine, rtol, P[:, s], y0[:, s], run_hours) for s in _chunks(W, jobs)]
    states, run_fails = _gather(_map(_run_chunk, tasks, jobs, mapper), axis=2)
    for w, m in run_fails.items():
        fails.setdefault(w, m)
    if hours[0] != 0.0:
        states = states[1:]
    if failures is not None:
        failures.update(fails)
    elif fails:
        w0 = min(fails)
        warnings.warn(
            f"{len(fails)} of {W} simulated wells could not be integrated ({engine} engine) "
            f"and are NaN; first: well {w0 + 1}: {fails[w0]}",
            DegenerateDataWarning,
            stacklevel=2,
        )
    return states, y_ref


# ------------------------------------------------------------------ public API
def _long_table(
    values: np.ndarray,
    hours: np.ndarray,
    names: Sequence[str],
    conditions: pd.DataFrame,
    failures: Mapping[int, str],
) -> pd.DataFrame:
    """(m, n_obs, W) -> tidy timecourse rows (sim x time x observable) + condition columns."""
    m, k, W = values.shape
    sim = np.arange(W)
    table = pd.DataFrame(
        {
            "sim_id": np.tile(sim, m * k)
            if "sim_id" not in conditions
            else np.tile(conditions["sim_id"].to_numpy(), m * k),
            "time_h": np.repeat(hours, k * W),
            "observable": pd.array(
                np.tile(np.repeat(np.asarray(names, dtype=object), W), m), dtype="str"
            ),
            "value": values.reshape(-1),
        }
    )
    carry = conditions.drop(
        columns=[c for c in conditions.columns if str(c).startswith(PARAM_PREFIX) or c == "sim_id"]
    )
    carry = carry.reset_index(drop=True)
    idx = np.tile(sim, m * k)
    for c in carry.columns:
        table[c] = carry[c].to_numpy()[idx]
    message = np.array([failures.get(w, "") for w in range(W)], dtype=object)
    table["solved"] = (message == "")[idx]
    table["message"] = message[idx]
    table["source"] = "simulated"
    order = [
        "sim_id",
        *carry.columns,
        "time_h",
        "observable",
        "value",
        "solved",
        "message",
        "source",
    ]
    table = table[order].sort_values(["sim_id", "time_h"], kind="stable").reset_index(drop=True)
    return validate(table, "timecourse", where="simulated timecourse")


def _check_observables(names) -> list[str]:
    names = list(obs.NAMES if names is None else names)
    if not names:
        raise InputError(f"no observables given; choose from {', '.join(obs.NAMES)}")
    for n in names:
        if n not in obs.OBSERVABLES:
            raise InputError(
                f"unknown observable '{n}'; known: {', '.join(obs.NAMES)}."
                f"{did_you_mean(n, obs.NAMES)}"
            )
    return names


def simulate_batch(
    conditions: pd.DataFrame,
    hours: Sequence[float] = DEFAULT_HOURS,
    *,
    params: Mapping[str, float] | None = None,
    engine: str = "batched",
    observables: Sequence[str] | None = None,
    rtol: float | None = None,
    jobs: int = 1,
    mapper: Callable | None = None,
) -> Result:
    """Simulate many wells (one row of ``conditions`` each; see the module docstring).

    Returns a Result of kind ``timecourse``: sim_id, the condition columns, time_h, observable,
    value, solved, message, source = simulated. A well that could not be integrated keeps its
    rows with value NaN, ``solved`` False and the reason in ``message``; the others are
    unaffected (``meta['n_failed']`` counts them). ``jobs`` > 1 uses a local process pool; ``mapper`` replaces it
    (e.g. a Dask client's map). The batched engine solves identical pre-equilibrations once.
    """
    if not isinstance(conditions, pd.DataFrame) or len(conditions) == 0:
        raise InputError(
            "simulate_batch needs a non-empty conditions DataFrame (one row per "
            "well: genotype, dox, il7 and drug columns in uM)"
        )
    names = _check_observables(observables)
    conditions = conditions.reset_index(drop=True)
    P = conditions_to_parameters(conditions, params)
    hrs = check_hours(hours)
    failures: dict[int, str] = {}
    states, ref = simulate_states(
        P, hrs, engine=engine, rtol=rtol, jobs=jobs, mapper=mapper, failures=failures
    )
    with np.errstate(all="ignore"):
        values = obs.compute(NETWORK, states, ref, names)
    values[..., sorted(failures)] = np.nan
    meta = {
        "method": "mechanistic model",
        "engine": engine,
        "hours": list(hrs),
        "n_wells": len(conditions),
        "n_failed": len(failures),
        "units": {n: obs.OBSERVABLES[n][0] for n in names},
        "params": dict(params or {}),
        "protocol": "pre-equilibrated untreated steady state, then IL7 and drugs at t = 0",
    }
    return Result("timecourse", _long_table(values, hrs, names, conditions, failures), meta=meta)


def simulate(
    genotype: str = "parental",
    dox: bool | float = False,
    il7: float = 0.0,
    drugs: Mapping[str, float] | None = None,
    hours: Sequence[float] = DEFAULT_HOURS,
    params: Mapping[str, float] | None = None,
    *,
    engine: str = "roadrunner",
    observables: Sequence[str] | None = None,
) -> Result:
    """Simulate one virtual well: ``genotype`` induced (``dox``) or not, IL7 in ng/ml,
    ``drugs`` {name: concentration in uM}, observables at ``hours``.

    Returns
    -------
    Result
        ``kind`` "timecourse": ``table`` one row per time point x observable: sim_id, genotype,
        dox, il7 (ng/ml), one column per drug (uM), time_h, observable, value, solved, message,
        source ("simulated").

    >>> r = simulate("NRAS_G12D", dox=True, drugs={"selumetinib": 1.0}, hours=[0, 24],
    ...              engine="batched", observables=["pERK"])
    >>> list(r.table.columns[:3]), r.table["observable"].unique().tolist()
    (['sim_id', 'genotype', 'dox'], ['pERK'])
    """
    row = {"genotype": normalize_genotype(genotype), "dox": float(dox), "il7": float(il7)}
    for name, conc in (drugs or {}).items():
        row[normalize_drug(name)] = float(conc)
    return simulate_batch(
        pd.DataFrame([row]), hours, params=params, engine=engine, observables=observables
    )
