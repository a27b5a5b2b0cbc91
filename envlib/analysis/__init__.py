"""Environment analysis: pure functions from rendered environments to pandas DataFrames.

Nothing here prints, draws widgets or writes files; the CLI (:mod:`envlib.commands.env_cmds`)
and the notebooks only present what these return. Importing this package imports pandas, so
:mod:`envlib.kustomize` never imports it.

Typical use::

    from envlib.analysis import checks, diff, environments, experiment, inventory

    envs = environments.render_all(environments.discover("path/to/repo"))  # or discover()
    inv = inventory.inventory(envs)               # one row per workload per environment
    inventory.totals(inv)                          # per-environment sums
    diff.diff_envs(envs[0], envs[1])               # every differing field
    experiment.experiment_preview(envs, rps=200)   # Seldon split + mirror load
    checks.run_checks(envs, checks.load_rules(envs[0].env.repo))

Modules: ``environments`` (:func:`render`; re-exports ``discovery``, which finds them),
``argocd`` (Applications), ``workloads`` / ``inventory`` / ``quantities`` (the replica and
resource table), ``matching`` / ``diff`` (environment diff), ``experiment``, ``checks`` (+
``default_checks.yaml``), ``blame``, ``secrets`` (redaction) and ``present``
(text/JSON/Markdown rendering). Functions are not
re-exported here: several share their module's name (``inventory.inventory``,
``blame.blame``), and a re-export would shadow the module.
"""
