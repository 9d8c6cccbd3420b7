"""Typed keys of the application's state."""

from aiohttp import web

from service.backends import Backend
from service.metrics import Metrics
from service.sandbox import Sandbox
from service.settings import Settings
from service.tasks import TaskRegistry

SETTINGS = web.AppKey("settings", Settings)
BACKENDS = web.AppKey("backends", dict[str, Backend])
SANDBOX = web.AppKey("sandbox", Sandbox)
REGISTRY = web.AppKey("registry", TaskRegistry)
METRICS = web.AppKey("metrics", Metrics)
