"""The command-line programs: the logic behind ``tools/*.py`` (each tool is a thin entry point that calls one
``main``/``run_*`` here). They run from a checkout: configs and tools are found under :data:`REPO_ROOT`.

Imports run one way: ``cli`` -> ``apis`` -> ``models`` / ``glyph`` / ``datasets`` / ``transforms`` ->
``layers`` / ``utils``; no module outside ``cli`` imports it.
"""
import os.path as osp

#: The checkout holding ``configs/`` and ``tools/`` (the programs run other tools as subprocesses from there).
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
