"""Settings profiles: ``dev`` (default for manage.py), ``test`` and ``production``.

Every value comes from the environment with a safe default; see ``base.py`` and
``docs/deploy.md`` for the variables.
"""
