"""The functions jobs run, by name: `@job("app.what")` registers one."""

from dataclasses import dataclass

REGISTRY = {}


class Permanent(Exception):
    """Raised by a job function: fail now, with this message, and do not retry."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: object
    max_attempts: int
    time_limit: int  # seconds; keep below JOBS_VISIBILITY_TIMEOUT


def job(name, *, max_attempts=5, time_limit=300):
    """
    Register the decorated function as the job `name`. It is called with the
    keyword arguments given to enqueue (JSON values). Any exception but
    Permanent is retried with exponential backoff, up to `max_attempts` runs
    in all; a job may run more than once (a worker killed mid-run, a
    duplicate delivery), so the function must be idempotent.
    """

    def register(function):
        REGISTRY[name] = JobSpec(name, function, max_attempts, time_limit)
        function.job_name = name
        return function

    return register


def get(name):
    return REGISTRY.get(name)


def name_of(function_or_name):
    return getattr(function_or_name, "job_name", function_or_name)
