"""Benchmark profile: the production settings plus one baseline URL (bench/urls.py)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
