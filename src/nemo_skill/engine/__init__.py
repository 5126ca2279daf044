"""The local engine: the NemoVideo API on 127.0.0.1, doing the work here.

Start it with `nemo engine start` (or let the first command start it);
``python -m nemo_skill.engine --state-dir DIR`` runs it in the foreground.
"""
