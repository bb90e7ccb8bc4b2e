"""docs/deploy.md's `/etc/hoitu/hoitu.env` block, filled in as its comments say (each `...`
a fresh secret of its kind), is enough for production's start-up checks: an operator who
follows the document gets a site that starts (the walk, bench/deploy_walk.py, found a
variable missing twice)."""

from config.secrets_check import (
    page_cache_problems,
    proxy_problems,
    push_problems,
    secret_problems,
    storage_problems,
)
from deploy.loopback import documented_env, with_fresh_secrets


def test_documented_environment_passes_production_checks():
    env = with_fresh_secrets(documented_env())
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    problems = (
        secret_problems(env)
        + proxy_problems(env)
        + storage_problems(env)
        + page_cache_problems(env)
        + push_problems(env)
    )
    assert problems == []
