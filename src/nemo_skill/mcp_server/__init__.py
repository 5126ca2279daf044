"""`nemo mcp`: the skill's tools and jobs served over the Model Context Protocol (stdio).

A face on the same typed tools and jobs as the CLI, holding no logic of its own:
the editing tools come from the engine's registry (``engine.registry.describe``, what
`nemo tools --json` prints) and the jobs run the CLI's workflow functions
(``subtitle_job``, ``generate_job``, ``workflows``).

- ``table``: one job tool's declaration (name, description, schema, what it returns) and
  the checks every call's arguments pass before anything runs;
- ``jobs_subtitle``, ``jobs_generate``, ``jobs_project``: the job tools, one table each;
- ``catalog``: the editing tools and the job tools as one list;
- ``runner``: a job on a worker thread with progress and cancellation;
- ``server``: the MCP server on stdio (the official SDK's low-level server).
"""
